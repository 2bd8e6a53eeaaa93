"""Denormalised counters of threads and categories, recounted from the rows (after hiding,
deleting or moving), so that a list page is one query."""

from __future__ import annotations

from sqlalchemy import func, select

from ..database import locked
from ..extensions import db
from .models import Category, Post, Thread


def refresh_counters(thread_id: int) -> None:
    """Recount a thread and its category from the posts (after hiding, deleting, moving)."""
    thread = locked(Thread, thread_id)
    visible = (Post.thread_id == thread_id, Post.deleted_dt.is_(None), Post.hidden_dt.is_(None))
    thread.post_count = db.session.scalar(select(func.count()).where(*visible))
    thread.reply_count = db.session.scalar(select(func.count()).where(*visible, Post.number > 1))
    last = db.session.execute(select(Post.created_dt, Post.author_id).where(*visible)
                              .order_by(Post.number.desc()).limit(1)).first()
    if last is not None:
        thread.last_post_dt, thread.last_poster_id = last
    db.session.flush()
    refresh_category(thread.category_id)


def refresh_category(category_id: int) -> None:
    category = locked(Category, category_id)
    shown = (Thread.category_id == category_id, Thread.hidden.is_(False))
    category.thread_count = db.session.scalar(select(func.count()).where(*shown))
    category.post_count = db.session.scalar(
        select(func.coalesce(func.sum(Thread.post_count), 0)).where(*shown))
    newest = db.session.execute(select(Thread.id, Thread.last_post_dt).where(*shown)
                                .order_by(Thread.last_post_dt.desc()).limit(1)).first()
    category.last_thread_id, category.last_post_dt = newest if newest else (None, None)
    db.session.flush()
