"""Climate contracts: "you said, we did" links from actions to consultations, proposals,
threads (any linkable kind); commitments signed by organisations

Revision ID: 0018_contracts
Revises: 0017_boards
Create Date: 2026-12-06 18:00:00

"""
from alembic import op
import sqlalchemy as sa

import m100hub.database


# revision identifiers, used by Alembic.
revision = '0018_contracts'
down_revision = '0017_boards'
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

    op.create_table('contract_commitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('pledge', sa.String(length=500), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'accepted', 'declined', name='commitment_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_dt', m100hub.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status <> 'declined' OR reason <> ''", name=op.f('ck_contract_commitments_declined_has_reason')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_contract_commitments_contract_id_contracts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_contract_commitments_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_contract_commitments_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_contract_commitments_proposed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_commitments')),
    sa.UniqueConstraint('contract_id', 'organisation_id', 'pledge', name='uq_contract_commitments_pledge')
    )
    with op.batch_alter_table('contract_commitments', schema=None) as batch_op:
        batch_op.create_index('ix_contract_commitments_listing', ['contract_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_commitments_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_commitments_proposed_by_id'), ['proposed_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('contract_commitments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_commitments_proposed_by_id'))
        batch_op.drop_index(batch_op.f('ix_contract_commitments_organisation_id'))
        batch_op.drop_index('ix_contract_commitments_listing')
    op.drop_table('contract_commitments')
    with op.batch_alter_table('contract_action_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_action_links_action_id'))
        batch_op.drop_index('ix_contract_action_links_item')
    op.drop_table('contract_action_links')
