"""One reports table for every reportable kind (moderation is its own feature)

Revision ID: 0007_reports
Revises: 0006_handle_lower_case
Create Date: 2026-12-06 12:30:00

"""
from alembic import op
import sqlalchemy as sa

import m100hub.database


# revision identifiers, used by Alembic.
revision = '0007_reports'
down_revision = '0006_handle_lower_case'
branch_labels = None
depends_on = None

OPEN = sa.text('resolved_dt IS NULL')


def upgrade():
    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('resolved_dt', m100hub.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_reports_reporter_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index('ix_reports_target', ['kind', 'target_id'], unique=False)
        batch_op.create_index('uq_reports_open', ['kind', 'target_id', 'reporter_id'],
                              unique=True, postgresql_where=OPEN, sqlite_where=OPEN)
    op.execute(
        "INSERT INTO reports (kind, target_id, reporter_id, reason, resolved_dt, created_dt) "
        "SELECT CASE WHEN post_id IS NOT NULL THEN 'post' ELSE 'comment' END, "
        "COALESCE(post_id, comment_id), reporter_id, reason, resolved_dt, created_dt "
        "FROM forum_reports ORDER BY id")
    op.drop_table('forum_reports')


def downgrade():
    op.create_table('forum_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('resolved_dt', m100hub.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_dt', m100hub.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(post_id IS NULL) <> (comment_id IS NULL)', name=op.f('ck_forum_reports_one_target')),
    sa.ForeignKeyConstraint(['post_id'], ['forum_posts.id'], name=op.f('fk_forum_reports_post_id_forum_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['comment_id'], ['consultation_comments.id'], name=op.f('fk_forum_reports_comment_id_consultation_comments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_forum_reports_reporter_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_reports'))
    )
    with op.batch_alter_table('forum_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_reports_post_id'), ['post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forum_reports_comment_id'), ['comment_id'], unique=False)
        batch_op.create_index('uq_forum_reports_open', ['post_id', 'reporter_id'], unique=True,
                              postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.create_index('uq_forum_reports_open_comment', ['comment_id', 'reporter_id'],
                              unique=True, postgresql_where=OPEN, sqlite_where=OPEN)
    op.execute(
        "INSERT INTO forum_reports (post_id, comment_id, reporter_id, reason, resolved_dt, "
        "created_dt) SELECT CASE WHEN kind = 'post' THEN target_id END, "
        "CASE WHEN kind = 'comment' THEN target_id END, reporter_id, reason, resolved_dt, "
        "created_dt FROM reports WHERE kind IN ('post', 'comment') ORDER BY id")
    op.drop_table('reports')
