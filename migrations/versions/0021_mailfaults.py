"""Bouncing addresses (m100hub/mail/bounces.py)

Revision ID: 0021_mailfaults
Revises: 0020_experts
Create Date: 2026-12-06 21:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

import m100hub.database


# revision identifiers, used by Alembic.
revision = '0021_mailfaults'
down_revision = '0020_experts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mail_bounces',
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('bounced_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('address', name=op.f('pk_mail_bounces'))
    )
    with op.batch_alter_table('mail_bounces', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_bounces_bounced_dt'), ['bounced_dt'], unique=False)


def downgrade():
    with op.batch_alter_table('mail_bounces', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_bounces_bounced_dt'))

    op.drop_table('mail_bounces')
