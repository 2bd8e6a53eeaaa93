"""Climate City Contracts: contracts, actions, their updates and funding lines, emission
inventories, followers

Revision ID: 0015_contracts
Revises: 0014_images
Create Date: 2026-12-06 15:40:00

"""
from alembic import op
import sqlalchemy as sa

import m100hub.database


# revision identifiers, used by Alembic.
revision = '0015_contracts'
down_revision = '0014_images'
branch_labels = None
depends_on = None

SECTORS = ('energy', 'transport', 'buildings', 'industry', 'agriculture', 'waste', 'nature')


def _sector():
    return sa.Enum(*SECTORS, name='contract_sector', native_enum=False, create_constraint=True,
                   length=32)


def upgrade():
    op.create_table('contracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('ambition', sa.Text(), nullable=False),
    sa.Column('ambition_html', sa.Text(), nullable=False),
    sa.Column('target_year', sa.Integer(), nullable=False),
    sa.Column('baseline_year', sa.Integer(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('updated_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('target_year > baseline_year', name=op.f('ck_contracts_target_after_baseline')),
    sa.CheckConstraint('baseline_year BETWEEN 1990 AND 2100', name=op.f('ck_contracts_baseline_year_range')),
    sa.CheckConstraint('target_year BETWEEN 1990 AND 2100', name=op.f('ck_contracts_target_year_range')),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_contracts_city_id_cities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contracts')),
    sa.UniqueConstraint('city_id', name=op.f('uq_contracts_city_id'))
    )
    op.create_table('contract_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('sector', _sector(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_html', sa.Text(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('planned', 'in_progress', 'done', 'dropped', name='action_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('dropped_reason', sa.String(length=500), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('expected_reduction', sa.BigInteger(), nullable=True),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('cost', sa.BigInteger(), nullable=True),
    sa.Column('updated_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('progress BETWEEN 0 AND 100', name=op.f('ck_contract_actions_progress_percent')),
    sa.CheckConstraint('cost IS NULL OR cost >= 0', name=op.f('ck_contract_actions_cost_not_negative')),
    sa.CheckConstraint('expected_reduction IS NULL OR expected_reduction >= 0', name=op.f('ck_contract_actions_reduction_not_negative')),
    sa.CheckConstraint('ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on', name=op.f('ck_contract_actions_ends_after_start')),
    sa.CheckConstraint("status <> 'dropped' OR dropped_reason <> ''", name=op.f('ck_contract_actions_dropped_has_reason')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_contract_actions_contract_id_contracts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_contract_actions_organisation_id_organisations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_actions')),
    sa.UniqueConstraint('contract_id', 'title', name='uq_contract_actions_title')
    )
    with op.batch_alter_table('contract_actions', schema=None) as batch_op:
        batch_op.create_index('ix_contract_actions_listing', ['contract_id', 'sector'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_actions_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('contract_action_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['contract_actions.id'], name=op.f('fk_contract_action_updates_action_id_contract_actions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_contract_action_updates_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_action_updates')),

    )
    with op.batch_alter_table('contract_action_updates', schema=None) as batch_op:
        batch_op.create_index('ix_contract_action_updates_timeline', ['action_id', 'on_date'], unique=False)

    op.create_table('contract_funding_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('source_kind', sa.Enum('own_budget', 'national', 'eu_programme', 'private', 'other', name='funding_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('programme', sa.String(length=200), nullable=False),
    sa.Column('secured', sa.BigInteger(), nullable=False),
    sa.Column('sought', sa.BigInteger(), nullable=False),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('secured >= 0 AND sought >= 0', name=op.f('ck_contract_funding_lines_amounts_not_negative')),
    sa.ForeignKeyConstraint(['action_id'], ['contract_actions.id'], name=op.f('fk_contract_funding_lines_action_id_contract_actions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_funding_lines')),
    sa.UniqueConstraint('action_id', 'source_kind', 'programme', name='uq_contract_funding_lines_source')
    )
    with op.batch_alter_table('contract_funding_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_funding_lines_action_id'), ['action_id'], unique=False)

    op.create_table('emission_inventories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sector', _sector(), nullable=False),
    sa.Column('tco2e', sa.BigInteger(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('tco2e >= 0', name=op.f('ck_emission_inventories_tco2e_not_negative')),
    sa.CheckConstraint('year BETWEEN 1990 AND 2100', name=op.f('ck_emission_inventories_year_range')),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_emission_inventories_city_id_cities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emission_inventories')),
    sa.UniqueConstraint('city_id', 'year', 'sector', name='uq_emission_inventories_row')
    )
    op.create_table('contract_followers',
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_contract_followers_city_id_cities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_contract_followers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('city_id', 'user_id', name=op.f('pk_contract_followers'))
    )
    with op.batch_alter_table('contract_followers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_followers_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('contract_followers')
    op.drop_table('emission_inventories')
    op.drop_table('contract_funding_lines')
    op.drop_table('contract_action_updates')
    op.drop_table('contract_actions')
    op.drop_table('contracts')
