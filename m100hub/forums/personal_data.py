"""A person's threads, posts, likes and follows in their data download, and what deleting the
account does to them.

Posts others answered stay, shown as by a deleted account: the replies after them keep
their sense. A post nobody answered (no later post by someone else in its thread) goes,
text and all, as if its author had deleted it; a thread nobody else wrote in goes whole.
Likes are taken back (the counts go down), follows and read markers go."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import aliased, joinedload

from ..database import utcnow
from ..extensions import db
from ..features import PersonalData, Records, iso
from ..moderation.models import Report
from .counters import refresh_category, refresh_counters
from .models import Category, Post, PostRevision, Reaction, ReadMarker, Subscription, Thread


def export(person) -> list[Records]:
    threads = db.session.scalars(select(Thread).where(Thread.author_id == person.id)
                                 .options(joinedload(Thread.category)).order_by(Thread.id))
    posts = list(db.session.scalars(select(Post).where(Post.author_id == person.id)
                                    .options(joinedload(Post.thread)).order_by(Post.id)))
    revisions = db.session.scalars(select(PostRevision).where(
        PostRevision.post_id.in_([p.id for p in posts])).order_by(PostRevision.id))
    likes = db.session.execute(select(Reaction.post_id, Reaction.created_dt).where(
        Reaction.user_id == person.id).order_by(Reaction.created_dt))
    follows = db.session.execute(
        select(Subscription.created_dt, Thread.title, Category.name)
        .outerjoin(Thread, Thread.id == Subscription.thread_id)
        .outerjoin(Category, Category.id == Subscription.category_id)
        .where(Subscription.user_id == person.id).order_by(Subscription.id))
    read = db.session.execute(select(ReadMarker.thread_id, ReadMarker.last_read_number)
                              .where(ReadMarker.user_id == person.id))
    return [
        Records("forum_threads", _l("Forum threads you started"), [
            {"id": t.id, "title": t.title, "category": t.category.name, "tags": t.tags,
             "created": iso(t.created_dt)} for t in threads]),
        Records("forum_posts", _l("Your forum posts"), [
            {"id": p.id, "thread": p.thread.title, "number": p.number, "text": p.body,
             "written": iso(p.created_dt), "edited": iso(p.edited_dt),
             "deleted": iso(p.deleted_dt), "hidden": iso(p.hidden_dt),
             "hidden_reason": p.hidden_reason} for p in posts]),
        Records("forum_post_revisions", _l("Earlier texts of your edited posts"), [
            {"post": r.post_id, "text": r.body, "replaced": iso(r.replaced_dt)}
            for r in revisions]),
        Records("forum_likes", _l("Posts you like"), [
            {"post": post_id, "liked": iso(when)} for post_id, when in likes]),
        Records("forum_follows", _l("Threads and categories you follow"), [
            {"thread": thread, "category": category, "since": iso(when)}
            for when, thread, category in follows]),
        Records("forum_read", _l("How far you read threads"), [
            {"thread": thread_id, "last_read_post": number} for thread_id, number in read]),
    ]


def erase(person) -> None:
    _take_back_likes(person.id)
    db.session.execute(delete(Subscription).where(Subscription.user_id == person.id))
    db.session.execute(delete(ReadMarker).where(ReadMarker.user_id == person.id))
    categories = _delete_lone_threads(person.id)
    threads = _remove_unanswered_posts(person.id)
    db.session.execute(delete(PostRevision).where(PostRevision.post_id.in_(
        select(Post.id).where(Post.author_id == person.id))))
    db.session.flush()
    for thread_id in sorted(threads):
        refresh_counters(thread_id)
    for category_id in sorted(categories):
        refresh_category(category_id)


def _take_back_likes(user_id: int) -> None:
    liked = list(db.session.scalars(select(Reaction.post_id).where(Reaction.user_id == user_id)))
    db.session.execute(delete(Reaction).where(Reaction.user_id == user_id))
    if liked:
        db.session.execute(update(Post).where(Post.id.in_(liked))
                           .values(reaction_count=Post.reaction_count - 1))


def _delete_lone_threads(user_id: int) -> set[int]:
    """Threads only the person wrote in go whole (with their reports); returns their
    categories."""
    others = exists().where(Post.thread_id == Thread.id, Post.author_id.is_distinct_from(user_id))
    lone = db.session.execute(select(Thread.id, Thread.category_id).where(
        Thread.author_id == user_id, ~others)).all()
    ids = [thread_id for thread_id, _category in lone]
    if ids:
        db.session.execute(delete(Report).where(Report.kind == "post", Report.target_id.in_(
            select(Post.id).where(Post.thread_id.in_(ids)))))
        db.session.execute(delete(Thread).where(Thread.id.in_(ids)))
    return {category_id for _thread, category_id in lone}


def _remove_unanswered_posts(user_id: int) -> set[int]:
    """The person's posts without a later post by someone else: their text goes, a
    placeholder stays; returns the threads touched."""
    later = aliased(Post)
    answered = exists().where(later.thread_id == Post.thread_id, later.number > Post.number,
                              later.author_id.is_distinct_from(user_id))
    unanswered = db.session.execute(select(Post.id, Post.thread_id).where(
        Post.author_id == user_id, ~answered)).all()
    if unanswered:
        db.session.execute(update(Post).where(Post.id.in_([p for p, _t in unanswered])).values(
            deleted_dt=func.coalesce(Post.deleted_dt, utcnow()), body="", body_html="",
            search_text=""))
    return {thread_id for _post, thread_id in unanswered}


PERSONAL_DATA = PersonalData(export, erase, models=(
    Thread, Post, Reaction, Subscription, ReadMarker))
