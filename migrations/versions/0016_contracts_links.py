"""Climate contracts: "you said, we did" links from actions to consultations, proposals,
threads (any linkable kind)

Revision ID: 0016_contracts
Revises: 0015_contracts
Create Date: 2026-12-06 18:00:00

"""
from alembic import op
import sqlalchemy as sa

import m100hub.database


# revision identifiers, used by Alembic.
revision = '0016_contracts'
down_revision = '0015_contracts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contract_action_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('item_kind', sa.String(length=40), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('explanation', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['contract_actions.id'], name=op.f('fk_contract_action_links_action_id_contract_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_contract_action_links_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_action_links')),
    sa.UniqueConstraint('action_id', 'item_kind', 'item_id', name='uq_contract_action_links_item')
    )
    with op.batch_alter_table('contract_action_links', schema=None) as batch_op:
        batch_op.create_index('ix_contract_action_links_item', ['item_kind', 'item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_action_links_action_id'), ['action_id'], unique=False)


def downgrade():
    with op.batch_alter_table('contract_action_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_action_links_action_id'))
        batch_op.drop_index('ix_contract_action_links_item')
    op.drop_table('contract_action_links')
