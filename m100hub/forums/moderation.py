"""Moderation: hide/unhide posts with a public reason, lock, pin, move, decide on reports.
Every action is written to the public activity log."""

from __future__ import annotations

from sqlalchemy import update

from ..activity.services import log
from ..cities.models import ClimateSector
from ..database import utcnow
from ..extensions import db
from ..util import slugify
from .models import Category, Post, Report, Thread


def set_hidden(post: Post, hidden: bool, by=None, reason: str = "") -> None:
    """Hide or show a post (the opening post takes its thread along) and recount."""
    post.hidden_dt = utcnow() if hidden else None
    post.hidden_by_id = by.id if (hidden and by is not None) else None
    post.hidden_reason = reason.strip() if hidden else ""
    thread = db.session.get(Thread, post.thread_id)
    if post.number == 1:
        thread.hidden = hidden
    db.session.flush()
    from .services import refresh_counters

    refresh_counters(thread.id)


def _resolve_reports(post: Post) -> None:
    db.session.execute(update(Report).where(Report.post_id == post.id,
                                            Report.resolved_dt.is_(None))
                       .values(resolved_dt=utcnow()))
    post.report_count = 0


def _neutral_label(thread: Thread) -> str:
    """The log names a thread by number when hiding or restoring: a hidden title (abusive,
    personal data) must not live on in the public log."""
    return f"#{thread.id}"


def hide(moderator, post: Post, reason: str) -> None:
    _resolve_reports(post)
    set_hidden(post, True, moderator, reason)
    thread = db.session.get(Thread, post.thread_id)
    log(moderator, "forum_post_hidden", thread, reason=reason, label=_neutral_label(thread),
        number=post.number)


def keep_visible(moderator, post: Post, reason: str = "") -> None:
    """The moderator's decision on a reported post: show it (again) and settle its reports."""
    was_hidden = post.hidden_dt is not None
    _resolve_reports(post)
    thread = db.session.get(Thread, post.thread_id)
    if was_hidden:
        set_hidden(post, False)
    db.session.flush()
    log(moderator, "forum_post_shown" if was_hidden else "forum_reports_dismissed", thread,
        reason=reason, label=_neutral_label(thread), number=post.number)


def set_locked(moderator, thread: Thread, locked: bool, reason: str = "") -> None:
    thread.locked = locked
    db.session.flush()
    log(moderator, "forum_thread_locked" if locked else "forum_thread_unlocked", thread,
        reason=reason, label=thread.title)


def set_pinned(moderator, thread: Thread, pinned: bool, reason: str = "") -> None:
    thread.pinned = pinned
    db.session.flush()
    log(moderator, "forum_thread_pinned" if pinned else "forum_thread_unpinned", thread,
        reason=reason, label=thread.title)


def move(moderator, thread: Thread, category: Category, reason: str = "") -> None:
    from .services import refresh_category

    old = db.session.get(Category, thread.category_id)
    thread.category_id = category.id
    db.session.flush()
    for category_id in sorted({old.id, category.id}):  # lock in one order: no deadlock
        refresh_category(category_id)
    log(moderator, "forum_thread_moved", thread, reason=reason, label=thread.title,
        source=old.name, destination=category.name)


CATEGORY_FIELDS = ("name", "name_en", "description", "description_en", "archived")


def save_category(admin, category: Category | None, data: dict) -> Category:
    """Create or change a category (a new one takes its slug from its name); logged."""
    creating = category is None
    if creating:
        category = Category(slug=slugify(data["name"], 80))
        db.session.add(category)
    for field in CATEGORY_FIELDS:
        setattr(category, field, data[field])
    category.sector = ClimateSector(data["sector"]) if data["sector"] else None
    category.city_id = data["city_id"] or None
    category.position = data["position"] or 0
    db.session.flush()
    log(admin, "forum_category_created" if creating else "forum_category_updated", category)
    return category
