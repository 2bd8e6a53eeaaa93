"""Resources library: knowledge items and good practices (sectors, cities, PDFs,
replications), funding calls (sectors, applicant types), follows and deadline reminders;
a contract funding line may point to a funding call

Revision ID: 0019_resources
Revises: 0018_contracts
Create Date: 2026-12-06 17:51:58.157652

"""
from alembic import op
import sqlalchemy as sa

import m100hub.database


# revision identifiers, used by Alembic.
revision = '0019_resources'
down_revision = '0018_contracts'
branch_labels = None
depends_on = None


#: the folded text's search indexes (PostgreSQL; SQLite matches word starts by scanning)
SEARCH_INDEXES = (("ix_resources_search", "resources"),
                  ("ix_funding_calls_search", "funding_calls"))


def _search_indexes():
    if op.get_bind().dialect.name == "postgresql":
        for name, table in SEARCH_INDEXES:
            op.execute(f"CREATE INDEX {name} ON {table} "
                       "USING gin (to_tsvector('simple', search_text))")


def upgrade():
    op.create_table('resource_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_files'))
    )
    op.create_table('funding_follows',
    sa.Column('topic', sa.String(length=60), nullable=False),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_funding_follows_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('topic', 'user_id', name=op.f('pk_funding_follows'))
    )
    with op.batch_alter_table('funding_follows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funding_follows_topic'), ['topic'], unique=False)
        batch_op.create_index(batch_op.f('ix_funding_follows_user_id'), ['user_id'], unique=False)

    op.create_table('funding_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('programme', sa.String(length=200), nullable=False),
    sa.Column('funder', sa.String(length=200), nullable=False),
    sa.Column('call_identifier', sa.String(length=120), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('summary_html', sa.Text(), nullable=False),
    sa.Column('amount_min', sa.BigInteger(), nullable=True),
    sa.Column('amount_max', sa.BigInteger(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('cofinancing_rate', sa.Integer(), nullable=True),
    sa.Column('opens_on', sa.Date(), nullable=True),
    sa.Column('deadline_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('is_example', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'published', 'retired', name='curation_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('updated_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('suggested_by_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("url LIKE 'http://%' OR url LIKE 'https://%'", name=op.f('ck_funding_calls_url_http')),
    sa.CheckConstraint('amount_max IS NULL OR amount_min IS NULL OR amount_max >= amount_min', name=op.f('ck_funding_calls_max_not_below_min')),
    sa.CheckConstraint('amount_min IS NULL OR amount_min >= 0', name=op.f('ck_funding_calls_min_not_negative')),
    sa.CheckConstraint('cofinancing_rate IS NULL OR cofinancing_rate BETWEEN 0 AND 100', name=op.f('ck_funding_calls_rate_percent')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_funding_calls_organisation_id_organisations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['suggested_by_id'], ['users.id'], name=op.f('fk_funding_calls_suggested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_calls'))
    )
    with op.batch_alter_table('funding_calls', schema=None) as batch_op:
        batch_op.create_index('ix_funding_calls_listing', ['status', 'deadline_dt'], unique=False)
        batch_op.create_index(batch_op.f('ix_funding_calls_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_funding_calls_suggested_by_id'), ['suggested_by_id'], unique=False)

    op.create_table('funding_call_applicants',
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('applicant', sa.Enum('municipality', 'company', 'ngo', 'academia', 'association', name='funding_applicant', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['funding_calls.id'], name=op.f('fk_funding_call_applicants_call_id_funding_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('call_id', 'applicant', name=op.f('pk_funding_call_applicants'))
    )
    with op.batch_alter_table('funding_call_applicants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funding_call_applicants_applicant'), ['applicant'], unique=False)

    op.create_table('funding_call_sectors',
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('sector', sa.Enum('energy', 'transport', 'buildings', 'industry', 'agriculture', name='climate_sector', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['funding_calls.id'], name=op.f('fk_funding_call_sectors_call_id_funding_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('call_id', 'sector', name=op.f('pk_funding_call_sectors'))
    )
    with op.batch_alter_table('funding_call_sectors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funding_call_sectors_sector'), ['sector'], unique=False)

    op.create_table('funding_reminders',
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('days_before', sa.Integer(), nullable=False),
    sa.Column('sent_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['funding_calls.id'], name=op.f('fk_funding_reminders_call_id_funding_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_funding_reminders_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('call_id', 'days_before', 'user_id', name=op.f('pk_funding_reminders'))
    )
    with op.batch_alter_table('funding_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funding_reminders_user_id'), ['user_id'], unique=False)

    op.create_table('resources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('guide', 'case_study', 'good_practice', 'template', 'report', 'dataset', 'video', name='resource_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('summary_html', sa.Text(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.Enum('ro', 'en', 'other', name='resource_language', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('tags', sa.String(length=300), nullable=False),
    sa.Column('practice_city_id', sa.Integer(), nullable=True),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('cost', sa.String(length=200), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('result_html', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=300), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'published', 'retired', name='curation_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('updated_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('suggested_by_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind <> 'good_practice' OR practice_city_id IS NOT NULL", name=op.f('ck_resources_practice_has_city')),
    sa.CheckConstraint("url <> '' OR file_id IS NOT NULL", name=op.f('ck_resources_link_or_file')),
    sa.ForeignKeyConstraint(['action_id'], ['contract_actions.id'], name=op.f('fk_resources_action_id_contract_actions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['file_id'], ['resource_files.id'], name=op.f('fk_resources_file_id_resource_files'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_resources_organisation_id_organisations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['practice_city_id'], ['cities.id'], name=op.f('fk_resources_practice_city_id_cities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['suggested_by_id'], ['users.id'], name=op.f('fk_resources_suggested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resources'))
    )
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resources_action_id'), ['action_id'], unique=False)
        batch_op.create_index('ix_resources_listing', ['status', 'kind', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resources_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resources_practice_city_id'), ['practice_city_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resources_suggested_by_id'), ['suggested_by_id'], unique=False)

    op.create_table('resource_cities',
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_resource_cities_city_id_cities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_resource_cities_resource_id_resources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resource_id', 'city_id', name=op.f('pk_resource_cities'))
    )
    with op.batch_alter_table('resource_cities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_cities_city_id'), ['city_id'], unique=False)

    op.create_table('resource_replications',
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_resource_replications_city_id_cities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_resource_replications_resource_id_resources'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_resource_replications_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('resource_id', 'city_id', name=op.f('pk_resource_replications'))
    )
    with op.batch_alter_table('resource_replications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_replications_user_id'), ['user_id'], unique=False)

    op.create_table('resource_sectors',
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('sector', sa.Enum('energy', 'transport', 'buildings', 'industry', 'agriculture', name='climate_sector', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_resource_sectors_resource_id_resources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resource_id', 'sector', name=op.f('pk_resource_sectors'))
    )
    with op.batch_alter_table('resource_sectors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_sectors_sector'), ['sector'], unique=False)

    with op.batch_alter_table('contract_funding_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('funding_call_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_contract_funding_lines_funding_call_id'), ['funding_call_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_contract_funding_lines_funding_call_id_funding_calls'), 'funding_calls', ['funding_call_id'], ['id'], ondelete='SET NULL')

    _search_indexes()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, _table in SEARCH_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    with op.batch_alter_table('contract_funding_lines', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contract_funding_lines_funding_call_id_funding_calls'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_contract_funding_lines_funding_call_id'))
        batch_op.drop_column('funding_call_id')

    with op.batch_alter_table('resource_sectors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_sectors_sector'))

    op.drop_table('resource_sectors')
    with op.batch_alter_table('resource_replications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_replications_user_id'))

    op.drop_table('resource_replications')
    with op.batch_alter_table('resource_cities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_cities_city_id'))

    op.drop_table('resource_cities')
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resources_suggested_by_id'))
        batch_op.drop_index(batch_op.f('ix_resources_practice_city_id'))
        batch_op.drop_index(batch_op.f('ix_resources_organisation_id'))
        batch_op.drop_index('ix_resources_listing')
        batch_op.drop_index(batch_op.f('ix_resources_action_id'))

    op.drop_table('resources')
    with op.batch_alter_table('funding_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funding_reminders_user_id'))

    op.drop_table('funding_reminders')
    with op.batch_alter_table('funding_call_sectors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funding_call_sectors_sector'))

    op.drop_table('funding_call_sectors')
    with op.batch_alter_table('funding_call_applicants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funding_call_applicants_applicant'))

    op.drop_table('funding_call_applicants')
    with op.batch_alter_table('funding_calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funding_calls_suggested_by_id'))
        batch_op.drop_index(batch_op.f('ix_funding_calls_organisation_id'))
        batch_op.drop_index('ix_funding_calls_listing')

    op.drop_table('funding_calls')
    with op.batch_alter_table('funding_follows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funding_follows_user_id'))
        batch_op.drop_index(batch_op.f('ix_funding_follows_topic'))

    op.drop_table('funding_follows')
    op.drop_table('resource_files')
