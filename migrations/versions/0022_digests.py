"""Digests: the city of each notification (the digests group by it), a digest hour and
weekly day per person, and the batches in which a beat run's digests are sent

Revision ID: 0022_digests
Revises: 0021_boards
Create Date: 2026-12-06 21:30:00

"""
from alembic import op
import sqlalchemy as sa

import m100hub.database


# revision identifiers, used by Alembic.
revision = '0022_digests'
down_revision = '0021_boards'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('digest_schedules',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('hour', sa.SmallInteger(), nullable=False),
    sa.Column('weekday', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_digest_schedules_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_digest_schedules'))
    )
    op.create_table('digest_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('mailed_dt', m100hub.database.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_batches'))
    )
    with op.batch_alter_table('digest_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('mail_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_digest_runs_batch_id'), ['batch_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_digest_runs_batch_id_digest_batches'), 'digest_batches', ['batch_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('notification_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('city_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notification_events_city_id_cities'), 'cities', ['city_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('city_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notifications_city_id_cities'), 'cities', ['city_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notifications_city_id_cities'), type_='foreignkey')
        batch_op.drop_column('city_id')
    with op.batch_alter_table('notification_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notification_events_city_id_cities'), type_='foreignkey')
        batch_op.drop_column('city_id')
    with op.batch_alter_table('digest_runs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_digest_runs_batch_id_digest_batches'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_digest_runs_batch_id'))
        batch_op.drop_column('mail_id')
        batch_op.drop_column('batch_id')
    op.drop_table('digest_batches')
    op.drop_table('digest_schedules')
