"""Notification events: one row per thing that happened, fanned out to its audience in Celery;
notifications point to their event, once per recipient

Revision ID: 0009_notification_events
Revises: 0008_submission_keys
Create Date: 2026-12-06 14:40:00

"""
from alembic import op
import sqlalchemy as sa

import m100hub.database


# revision identifiers, used by Alembic.
revision = '0009_notification_events'
down_revision = '0008_submission_keys'
branch_labels = None
depends_on = None

PENDING = sa.text('fanned_out_dt IS NULL')


def upgrade():
    op.create_table('notification_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('target_type', sa.String(length=40), nullable=True),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('audience', sa.String(length=50), nullable=True),
    sa.Column('audience_id', sa.Integer(), nullable=True),
    sa.Column('excluded', sa.JSON(), nullable=False),
    sa.Column('fanned_out_to', sa.Integer(), nullable=False),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('fanned_out_dt', m100hub.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_notification_events_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_events'))
    )
    with op.batch_alter_table('notification_events', schema=None) as batch_op:
        batch_op.create_index('ix_notification_events_pending', ['created_dt'], unique=False,
                              postgresql_where=PENDING, sqlite_where=PENDING)
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notifications_event_id_notification_events'), 'notification_events', ['event_id'], ['id'], ondelete='CASCADE')
        batch_op.create_unique_constraint(batch_op.f('uq_notifications_event_id_recipient_id'), ['event_id', 'recipient_id'])


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_notifications_event_id_recipient_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_notifications_event_id_notification_events'), type_='foreignkey')
        batch_op.drop_column('event_id')
    with op.batch_alter_table('notification_events', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_events_pending', postgresql_where=PENDING,
                            sqlite_where=PENDING)
    op.drop_table('notification_events')
