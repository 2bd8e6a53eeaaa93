"""Climate contracts: people follow one action

Revision ID: 0024_contracts2
Revises: 0023_search
Create Date: 2026-12-06 21:40:00

"""
from alembic import op
import sqlalchemy as sa

import m100hub.database


# revision identifiers, used by Alembic.
revision = '0024_contracts2'
down_revision = '0023_search'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contract_action_followers',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['contract_actions.id'], name=op.f('fk_contract_action_followers_action_id_contract_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_contract_action_followers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('action_id', 'user_id', name=op.f('pk_contract_action_followers'))
    )
    with op.batch_alter_table('contract_action_followers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_action_followers_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('contract_action_followers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_action_followers_user_id'))
    op.drop_table('contract_action_followers')
