"""One-time submission keys of the create forms (m100hub/submissions.py)

Revision ID: 0008_submission_keys
Revises: 0007_reports
Create Date: 2026-12-06 14:40:00

"""
from alembic import op
import sqlalchemy as sa

import m100hub.database


# revision identifiers, used by Alembic.
revision = '0008_submission_keys'
down_revision = '0007_reports'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('submissions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('endpoint', sa.String(length=100), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_submissions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'key', name=op.f('pk_submissions'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submissions_created_dt'), ['created_dt'], unique=False)


def downgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submissions_created_dt'))

    op.drop_table('submissions')
