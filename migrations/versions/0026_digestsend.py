"""Digests send their own e-mail through a connection kept open across tasks
(m100hub/notifications/digests.py): the batches that sent a beat run's digests on go

Revision ID: 0026_digestsend
Revises: 0025_mailfaults
Create Date: 2026-12-07 04:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import m100hub.database


# revision identifiers, used by Alembic.
revision = '0026_digestsend'
down_revision = '0025_mailfaults'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('digest_runs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_digest_runs_batch_id_digest_batches'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_digest_runs_batch_id'))
        batch_op.drop_column('batch_id')
    op.drop_table('digest_batches')


def downgrade():
    op.create_table('digest_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('mailed_dt', m100hub.database.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_batches'))
    )
    with op.batch_alter_table('digest_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_digest_runs_batch_id'), ['batch_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_digest_runs_batch_id_digest_batches'), 'digest_batches', ['batch_id'], ['id'], ondelete='SET NULL')
