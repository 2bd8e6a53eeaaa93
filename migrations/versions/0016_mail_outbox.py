"""The e-mail outbox (m100hub/mail.py): every message a row written with its cause

Revision ID: 0016_mail
Revises: 0015_contracts
Create Date: 2026-12-06 17:48:58.474815

"""
from alembic import op
import sqlalchemy as sa

import m100hub.database


# revision identifiers, used by Alembic.
revision = '0016_mail'
down_revision = '0015_contracts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mail_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('to_address', sa.String(length=320), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('message', sa.JSON(), nullable=False),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('sent_dt', m100hub.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failed_dt', m100hub.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_outbox'))
    )
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_mail_outbox_due', ['due_dt'], unique=False, postgresql_where=sa.text('sent_dt IS NULL AND failed_dt IS NULL'), sqlite_where=sa.text('sent_dt IS NULL AND failed_dt IS NULL'))
        batch_op.create_index('ix_mail_outbox_failed', ['failed_dt'], unique=False, postgresql_where=sa.text('failed_dt IS NOT NULL'), sqlite_where=sa.text('failed_dt IS NOT NULL'))



def downgrade():
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_mail_outbox_failed', postgresql_where=sa.text('failed_dt IS NOT NULL'), sqlite_where=sa.text('failed_dt IS NOT NULL'))
        batch_op.drop_index('ix_mail_outbox_due', postgresql_where=sa.text('sent_dt IS NULL AND failed_dt IS NULL'), sqlite_where=sa.text('sent_dt IS NULL AND failed_dt IS NULL'))

    op.drop_table('mail_outbox')
