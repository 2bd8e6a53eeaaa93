"""The e-mail outbox (m100hub/mail.py); notification preferences, each notification's
delivery and digest runs (m100hub/notifications)

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


    op.create_table('digest_runs',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_dt', m100hub.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_digest_runs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'period', name=op.f('pk_digest_runs'))
    )
    with op.batch_alter_table('digest_runs', schema=None) as batch_op:
        batch_op.create_index('ix_digest_runs_pending', ['created_dt'], unique=False, postgresql_where=sa.text('done_dt IS NULL'), sqlite_where=sa.text('done_dt IS NULL'))

    op.create_table('notification_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('delivery', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_notification_preferences'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery', sa.String(length=10), server_default='app', nullable=False))
        batch_op.create_index('ix_notifications_mail_due', ['delivery', 'recipient_id', 'created_dt'], unique=False, postgresql_where=sa.text("digested_dt IS NULL AND delivery IN ('immediate', 'daily', 'weekly')"), sqlite_where=sa.text("digested_dt IS NULL AND delivery IN ('immediate', 'daily', 'weekly')"))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_mail_due', postgresql_where=sa.text("digested_dt IS NULL AND delivery IN ('immediate', 'daily', 'weekly')"), sqlite_where=sa.text("digested_dt IS NULL AND delivery IN ('immediate', 'daily', 'weekly')"))
        batch_op.drop_column('delivery')

    op.drop_table('notification_preferences')
    with op.batch_alter_table('digest_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_digest_runs_pending', postgresql_where=sa.text('done_dt IS NULL'), sqlite_where=sa.text('done_dt IS NULL'))

    op.drop_table('digest_runs')

    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_mail_outbox_failed', postgresql_where=sa.text('failed_dt IS NOT NULL'), sqlite_where=sa.text('failed_dt IS NOT NULL'))
        batch_op.drop_index('ix_mail_outbox_due', postgresql_where=sa.text('sent_dt IS NULL AND failed_dt IS NULL'), sqlite_where=sa.text('sent_dt IS NULL AND failed_dt IS NULL'))

    op.drop_table('mail_outbox')
