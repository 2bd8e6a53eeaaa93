"""Consultations: the day the results are due, and the public reason of an early close

Revision ID: 0010_consultation_close
Revises: 0009_notification_events
Create Date: 2026-12-06 14:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_consultation_close'
down_revision = '0009_notification_events'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('results_due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('closed_early_reason', sa.String(length=500),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_column('closed_early_reason')
        batch_op.drop_column('results_due_on')
