"""Hiding a thread's opening post no longer hides the thread: show the threads it hid, and
recount their categories (a category counts its visible threads)

Revision ID: 0012_moderation_notices
Revises: 0011_privacy
Create Date: 2026-12-06 14:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_moderation_notices'
down_revision = '0011_privacy'
branch_labels = None
depends_on = None

SHOWN = "t.category_id = forum_categories.id AND t.hidden = :no"
NEWEST = f"FROM forum_threads t WHERE {SHOWN} ORDER BY t.last_post_dt DESC LIMIT 1"


def _recount_categories():
    """What forums.counters.refresh_category does, for every category, in SQL."""
    op.get_bind().execute(sa.text(f"""
        UPDATE forum_categories SET
          thread_count = (SELECT count(*) FROM forum_threads t WHERE {SHOWN}),
          post_count = (SELECT coalesce(sum(t.post_count), 0) FROM forum_threads t WHERE {SHOWN}),
          last_thread_id = (SELECT t.id {NEWEST}),
          last_post_dt = (SELECT t.last_post_dt {NEWEST})
    """), {"no": False})


def upgrade():
    op.get_bind().execute(sa.text("UPDATE forum_threads SET hidden = :no WHERE hidden = :yes"),
                          {"no": False, "yes": True})
    _recount_categories()


def downgrade():
    op.get_bind().execute(sa.text(
        "UPDATE forum_threads SET hidden = :yes WHERE id IN (SELECT thread_id FROM forum_posts"
        " WHERE number = 1 AND hidden_dt IS NOT NULL)"), {"yes": True})
    _recount_categories()
