"""Moderation of the forums: posts as a reportable kind (m100hub.moderation decides on
reports, hides and shows), and locking, pinning and moving threads, categories. Every action
is written to the public activity log."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..activity.services import log
from ..cities.models import ClimateSector
from ..database import utcnow
from ..extensions import db
from ..moderation import Reportable
from ..permissions import can_moderate
from ..util import slugify
from . import permissions
from .counters import refresh_category, refresh_counters
from .models import Category, Post, Thread
from .queries import page_of


def set_hidden(post: Post, hidden: bool, by=None, reason: str = "") -> None:
    """Hide or show a post and recount. The opening post too hides its text only: the thread
    and its replies stay readable, with a notice where the hidden text was."""
    post.hidden_dt = utcnow() if hidden else None
    post.hidden_by_id = by.id if (hidden and by is not None) else None
    post.hidden_reason = reason.strip() if hidden else ""
    db.session.flush()
    refresh_counters(post.thread_id)


def _neutral_label(thread: Thread) -> str:
    """The log names a thread by number when hiding or restoring: a hidden title (abusive,
    personal data) must not live on in the public log."""
    return f"#{thread.id}"


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
    old = db.session.get_one(Category, thread.category_id)
    thread.category_id = category.id
    db.session.flush()
    for category_id in sorted({old.id, category.id}):  # lock in one order: no deadlock
        refresh_category(category_id)
    log(moderator, "forum_thread_moved", thread, reason=reason, label=thread.title,
        source=old.name, source_en=old.name_en, destination=category.name,
        destination_en=category.name_en)


CATEGORY_FIELDS = ("name", "name_en", "description", "description_en", "archived")


def save_category(admin, category: Category | None, data: dict) -> Category:
    """Create or change a category (a new one takes its slug from its name); logged."""
    creating = category is None
    if category is None:
        category = Category(slug=slugify(data["name"], 80))
        db.session.add(category)
    for field in CATEGORY_FIELDS:
        setattr(category, field, data[field])
    category.sector = ClimateSector(data["sector"]) if data["sector"] else None
    category.city_id = data["city_id"] or None
    category.position = data["position"] or 0
    db.session.flush()
    log(admin, "forum_category_created" if creating else "forum_category_updated", category,
        target_en=category.name_en)
    return category


def _find(post_id: int) -> Post | None:
    """The post with its thread, as its reader may see it (a hidden thread: moderators)."""
    post = db.session.get(Post, post_id, options=[
        joinedload(Post.thread).joinedload(Thread.category), joinedload(Post.author)],
        populate_existing=True)
    if post is None or (post.thread.hidden and not can_moderate(current_user)):
        return None
    return post


_VERBS = {"hidden": "forum_post_hidden", "shown": "forum_post_shown",
          "reports_dismissed": "forum_reports_dismissed"}


def _log(moderator, action: str, post: Post, reason: str) -> None:
    thread = db.session.get_one(Thread, post.thread_id)
    log(moderator, _VERBS[action], thread, reason=reason, label=_neutral_label(thread),
        number=post.number)


def post_url(post: Post) -> str:
    return url_for("forums.thread", thread_id=post.thread_id, page=page_of(post.number),
                   _anchor=f"post-{post.number}")


def _open_for_reports(post: Post) -> bool:
    """An archived category is read-only."""
    return not db.session.scalar(select(Category.archived).join(
        Thread, Thread.category_id == Category.id).where(Thread.id == post.thread_id))


REPORTABLE = Reportable(
    kind="post", model=Post, label=_l("Forum posts"), empty=_l("No forum post is waiting."),
    find=_find, can_report=permissions.can_report, set_hidden=set_hidden, log=_log,
    url=post_url, awaiting=lambda: Post.hidden_dt.is_not(None) & Post.hidden_by_id.is_(None),
    template="forums/_report_item.html",
    report_title=lambda post: _("Report post #%(n)s", n=post.number),
    report_help=_l("Tell the moderators what is wrong with this post. A post reported by "
                   "three people is hidden until a moderator decides."),
    messages={"thanks": _l("Thank you: the moderators will look at this post."),
              "hidden": _l("The post is hidden."), "shown": _l("The post is visible again."),
              "reason_needed": _l("Give a public reason when you hide a post."),
              "hide_warning": _l("Everyone will read “This post was hidden by a moderator:” "
                                 "and your reason in its place (the thread and its replies "
                                 "stay readable); its author and those who reported it are "
                                 "told, with the reason."),
              "author_told": _l("A moderator hid your post in “%(title)s”. Public reason: "
                                "%(reason)s"),
              "reporter_hidden": _l("The post you reported in “%(title)s” was hidden. Public "
                                    "reason: %(reason)s"),
              "reporter_kept": _l("The post you reported in “%(title)s” was kept visible by "
                                  "the moderators.")},
    title=lambda post: db.session.get_one(Thread, post.thread_id).title,
    link=lambda ident: url_for("forums.post", post_id=ident),
    open_for_reports=_open_for_reports,
    queue_options=lambda: [joinedload(Post.author), joinedload(Post.thread)],
)
