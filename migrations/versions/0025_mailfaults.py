"""Bouncing addresses (m100hub/mail/bounces.py); password-reset and sign-up-notice requests kept
until a task answers them (m100hub/accounts)

Revision ID: 0025_mailfaults
Revises: 0024_contracts2
Create Date: 2026-12-06 21:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

import m100hub.database


# revision identifiers, used by Alembic.
revision = '0025_mailfaults'
down_revision = '0024_contracts2'
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

    op.create_table('address_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_address_requests'))
    )


def downgrade():
    op.drop_table('address_requests')
    with op.batch_alter_table('mail_bounces', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_bounces_bounced_dt'))

    op.drop_table('mail_bounces')
