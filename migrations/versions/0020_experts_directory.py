"""Experts: profiles and the cities they serve, requests for expertise and their answers,
messages written through the hub

Revision ID: 0020_experts
Revises: 0019_resources
Create Date: 2026-12-06 17:51:50.985413

"""
from alembic import op
import sqlalchemy as sa

import m100hub.database


# revision identifiers, used by Alembic.
revision = '0020_experts'
down_revision = '0019_resources'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('expert_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('reply_to_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_expert_messages_recipient_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reply_to_id'], ['expert_messages.id'], name=op.f('fk_expert_messages_reply_to_id_expert_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sender_id'], ['users.id'], name=op.f('fk_expert_messages_sender_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expert_messages'))
    )
    with op.batch_alter_table('expert_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expert_messages_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_expert_messages_sender_id'), ['sender_id'], unique=False)

    op.create_table('expertise_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('sectors', sa.JSON(), nullable=False),
    sa.Column('needed_by', sa.Date(), nullable=False),
    sa.Column('closed_dt', m100hub.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answer_count', sa.Integer(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_expertise_requests_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_expertise_requests_city_id_cities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expertise_requests'))
    )
    with op.batch_alter_table('expertise_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expertise_requests_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_expertise_requests_city_id'), ['city_id'], unique=False)

    op.create_table('expert_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('headline', sa.String(length=200), nullable=False),
    sa.Column('bio', sa.Text(), nullable=False),
    sa.Column('bio_html', sa.Text(), nullable=False),
    sa.Column('sectors', sa.JSON(), nullable=False),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('topics_key', sa.String(length=1200), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('all_cities', sa.Boolean(), nullable=False),
    sa.Column('listed', sa.Boolean(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('updated_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_expert_profiles_organisation_id_organisations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_expert_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expert_profiles')),
    sa.UniqueConstraint('user_id', name=op.f('uq_expert_profiles_user_id'))
    )
    with op.batch_alter_table('expert_profiles', schema=None) as batch_op:
        batch_op.create_index('ix_expert_profiles_listing', ['listed', 'updated_dt'], unique=False)
        batch_op.create_index(batch_op.f('ix_expert_profiles_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('expertise_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('helped_dt', m100hub.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('helped_by_id', sa.Integer(), nullable=True),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['helped_by_id'], ['users.id'], name=op.f('fk_expertise_answers_helped_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['expertise_requests.id'], name=op.f('fk_expertise_answers_request_id_expertise_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_expertise_answers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expertise_answers')),
    sa.UniqueConstraint('request_id', 'user_id', name=op.f('uq_expertise_answers_request_id_user_id'))
    )
    with op.batch_alter_table('expertise_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expertise_answers_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_expertise_answers_user_id'), ['user_id'], unique=False)

    op.create_table('expert_cities',
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['city_id'], ['cities.id'], name=op.f('fk_expert_cities_city_id_cities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['profile_id'], ['expert_profiles.id'], name=op.f('fk_expert_cities_profile_id_expert_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('profile_id', 'city_id', name=op.f('pk_expert_cities'))
    )
    with op.batch_alter_table('expert_cities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expert_cities_city_id'), ['city_id'], unique=False)



def downgrade():
    with op.batch_alter_table('expert_cities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expert_cities_city_id'))

    op.drop_table('expert_cities')
    with op.batch_alter_table('expertise_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expertise_answers_user_id'))
        batch_op.drop_index(batch_op.f('ix_expertise_answers_request_id'))

    op.drop_table('expertise_answers')
    with op.batch_alter_table('expert_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expert_profiles_organisation_id'))
        batch_op.drop_index('ix_expert_profiles_listing')

    op.drop_table('expert_profiles')
    with op.batch_alter_table('expertise_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expertise_requests_city_id'))
        batch_op.drop_index(batch_op.f('ix_expertise_requests_author_id'))

    op.drop_table('expertise_requests')
    with op.batch_alter_table('expert_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expert_messages_sender_id'))
        batch_op.drop_index(batch_op.f('ix_expert_messages_recipient_id'))

    op.drop_table('expert_messages')
