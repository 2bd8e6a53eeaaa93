"""Forum reads: each page is a fixed handful of queries, whatever the data size."""

from __future__ import annotations

from functools import cache, lru_cache

from sqlalchemy import Integer, Select, String, bindparam, cast, func, select
from sqlalchemy.orm import aliased, defer, joinedload, with_expression
from sqlalchemy.orm.attributes import set_committed_value

from ..accounts.models import User
from ..consultations.models import Consultation
from ..database import reader_param
from ..events.models import Event
from ..extensions import db
from ..features import Registry, found_sections, registry, section_probes
from ..pagination import PreparedPage
from ..permissions import can_moderate
from .models import (
    THREAD_FOLLOWS,
    Category,
    Post,
    PostRevision,
    Reaction,
    ReadMarker,
    Subscription,
    Thread,
)

THREADS_PER_PAGE = 30
POSTS_PER_PAGE = 20
REVISIONS_PER_PAGE = 20


def page_of(number: int) -> int:
    """Posts are never removed, so post N is on page ⌈N / POSTS_PER_PAGE⌉."""
    return (number - 1) // POSTS_PER_PAGE + 1


def categories() -> list[Category]:
    stmt = (
        select(Category)
        .options(joinedload(Category.last_thread).joinedload(Thread.last_poster),
                 joinedload(Category.city))
        .order_by(Category.archived, Category.position, Category.name)
    )
    return list(db.session.scalars(stmt).unique())


def category_by_slug(slug: str) -> Category | None:
    return db.session.scalar(select(Category).where(Category.slug == slug))


def visible_threads(user):
    """A clause: the threads this person may see."""
    if can_moderate(user):
        return Thread.id.is_not(None)
    if user.is_authenticated:
        return (Thread.hidden.is_(False)) | (Thread.author_id == user.id)
    return Thread.hidden.is_(False)


def threads_of(category_id: int, user, page: int, tag: str = ""):
    stmt = (
        select(Thread)
        .options(joinedload(Thread.author), joinedload(Thread.last_poster))
        .where(Thread.category_id == category_id, visible_threads(user))
        .order_by(Thread.pinned.desc(), Thread.last_post_dt.desc(), Thread.id.desc())
    )
    if tag:
        stmt = stmt.where(_has_tag(tag))
    return db.paginate(stmt, page=page, per_page=THREADS_PER_PAGE, error_out=False)


def _has_tag(tag: str):
    """JSON list membership, portably: the tags are stored as a JSON text list."""
    # autoescape: a "%" or "_" in the address is a character, not a LIKE wildcard
    return cast(Thread.tags, String).contains(f'"{tag}"', autoescape=True)


def thread(thread_id: int, viewer_id: int | None = None) -> Thread | None:
    """The thread with what its page shows; with ``viewer_id``, also whether that person
    follows it and how far they have read it (Thread.viewer_*), in the same query."""
    return db.session.scalar(_thread_statement(viewer_id is not None),
                             {"thread_id": thread_id, "reader_id": viewer_id})


#: the thread page's slot of other features' sections (features.page_sections)
THREAD_SLOT = "forum-thread"


def thread_page(thread_id: int, viewer_id: int | None) -> tuple[Thread, dict] | None:
    """thread(), with the answers of the thread page's section probes (``found_sections``)
    in the same statement: a section with nothing to show about the thread (most threads led
    to no climate-contract action) asks no query of its own — one statement fewer on the
    signed-in and anonymous thread page alike."""
    row = db.session.execute(_thread_page_statement(registry(), viewer_id is not None),
                             {"thread_id": thread_id, "reader_id": viewer_id}).one_or_none()
    if row is None:
        return None
    return row[0], found_sections(THREAD_SLOT, row[1:])


@lru_cache(maxsize=16)
def _thread_page_statement(features: Registry, with_reader: bool) -> Select:
    """thread_page()'s statement, built once per app's features (whose sections' probes it
    asks)."""
    return _thread_statement(with_reader).add_columns(*section_probes(THREAD_SLOT, Thread.id))


@cache
def _thread_statement(with_reader: bool) -> Select:
    """thread()'s statement, built once (with the reader's state, or without): a thread page
    asks it on every request, and building it with its loader options and its cache key costs
    more CPU than running it."""
    # the linked consultation and event are named, their covers not shown; the thread's
    # author is not (its opening post names them): without that join of 19 columns the
    # statement costs ~0.3 ms less Python CPU (in-process, load average 8)
    options = [joinedload(Thread.category), joinedload(Thread.city),
               joinedload(Thread.consultation).lazyload(Consultation.image),
               joinedload(Thread.event).lazyload(Event.image)]
    if with_reader:
        reader = reader_param()
        options += [
            with_expression(Thread.viewer_follows, THREAD_FOLLOWS.exists(reader, Thread.id)),
            with_expression(Thread.viewer_read, select(ReadMarker.last_read_number).where(
                ReadMarker.user_id == reader, ReadMarker.thread_id == Thread.id)
                .scalar_subquery())]
    return select(Thread).options(*options).where(Thread.id == bindparam("thread_id"))


class _PostsPage(PreparedPage):
    """A page of posts found by their numbers: posts are never removed, so page k holds
    the numbers ((k - 1) × 20, k × 20] (see page_of)."""

    def _rows(self, limit: int, offset: int):
        params = {**self._query_args["params"], "first_number": offset + 1,
                  "last_number": offset + limit}
        return self._query_args["session"].execute(self._query_args["select"], params).unique()


def posts_of(thread_id: int, page: int, viewer_id: int | None = None):
    """A page of the thread's posts with their authors (not their Markdown source nor the
    search text: the page shows the stored HTML); with ``viewer_id``, whether that person
    likes each (Post.viewer_likes), in the same query."""
    return _PostsPage(select=_posts_statement(viewer_id is not None),
                      params={"thread_id": thread_id, "reader_id": viewer_id}, counted=False,
                      session=db.session(), page=page, per_page=POSTS_PER_PAGE,
                      error_out=False, count=False)


@cache
def _posts_statement(with_reader: bool) -> Select:
    """posts_of()'s statement, built once (see _thread_statement). A range of numbers rather
    than LIMIT and OFFSET: PostgreSQL plans a prepared statement anew for each execution
    (custom plans) when its generic plan looks dearer, and with LIMIT and OFFSET as
    parameters it guesses a tenth of the thread's rows for each, so a 500-post thread's
    page was planned at every BIND (~0.5 ms of PostgreSQL CPU); with the range, the generic
    plan (the same index scan) is kept after five executions."""
    options = [joinedload(Post.author).joinedload(User.image), defer(Post.body, raiseload=True),
               defer(Post.search_text, raiseload=True)]
    if with_reader:
        options.append(with_expression(Post.viewer_likes, select(Reaction.post_id).where(
            Reaction.user_id == reader_param(), Reaction.post_id == Post.id).exists()))
    return (select(Post).options(*options)
            .where(Post.thread_id == bindparam("thread_id"),
                   Post.number.between(bindparam("first_number", type_=Integer),
                                       bindparam("last_number", type_=Integer)))
            .order_by(Post.number))


def revisions(post_id: int, page: int) -> tuple[list, bool]:
    """A page of a post's earlier texts, newest first, and whether older ones follow. Each row:
    (revision, its version number, when it was written — None for the original text, written
    with the post). One query: the window functions see all the post's revisions."""
    order, replaced = PostRevision.id, PostRevision.replaced_dt
    stmt = (
        select(PostRevision, func.row_number().over(order_by=order).label("number"),
               # typed, so that SQLite's text comes back as an aware datetime
               func.lag(replaced, type_=replaced.type).over(order_by=order).label("written_dt"))
        .where(PostRevision.post_id == post_id).order_by(order.desc())
        .limit(REVISIONS_PER_PAGE + 1).offset((page - 1) * REVISIONS_PER_PAGE)
    )
    rows = db.session.execute(stmt).all()
    return list(rows[:REVISIONS_PER_PAGE]), len(rows) > REVISIONS_PER_PAGE


def liked(user_id: int, post_ids: list[int]) -> set[int]:
    if not post_ids:
        return set()
    return set(db.session.scalars(select(Reaction.post_id).where(
        Reaction.user_id == user_id, Reaction.post_id.in_(post_ids))))


def reader_state(user_id: int, thread) -> tuple[bool, int | None]:
    """(whether the person follows the thread, how far they have read it — None before
    their first visit), in one query."""
    follow = THREAD_FOLLOWS.exists(user_id, thread.id)
    marker = select(ReadMarker.last_read_number).where(
        ReadMarker.user_id == user_id, ReadMarker.thread_id == thread.id).scalar_subquery()
    follows_it, read = db.session.execute(select(follow, marker)).one()
    return bool(follows_it), read


def read_number(user_id: int, thread_id: int) -> int | None:
    """How far the person has read the thread; None before their first visit."""
    return db.session.scalar(select(ReadMarker.last_read_number).where(
        ReadMarker.user_id == user_id, ReadMarker.thread_id == thread_id))


def first_unread_number(user_id: int, thread_id: int) -> int | None:
    """The first visible post after the reader's marker (None: nothing new)."""
    return db.session.scalar(
        select(Post.number).where(
            Post.thread_id == thread_id, Post.number > (read_number(user_id, thread_id) or 0),
            Post.deleted_dt.is_(None), Post.hidden_dt.is_(None))
        .order_by(Post.number).limit(1))


def load_threads(posts: list[Post]) -> None:
    """Attach threads (with their category) to search results in one query."""
    ids = {p.thread_id for p in posts}
    if not ids:
        return
    threads = {t.id: t for t in db.session.scalars(
        select(Thread).options(joinedload(Thread.category), joinedload(Thread.author))
        .where(Thread.id.in_(ids)))}
    for post in posts:  # as if loaded with the post (Post.thread is never loaded lazily)
        set_committed_value(post, "thread", threads[post.thread_id])


def city_category(city_id: int) -> Category | None:
    return db.session.scalar(select(Category).where(Category.city_id == city_id).limit(1))


def threads_about(consultation_id: int | None = None, event_id: int | None = None,
                  limit: int = 5) -> list[Thread]:
    """The latest visible threads about a consultation or an event (for its page)."""
    kind, ident = (("consultation", consultation_id) if consultation_id is not None
                   else ("event", event_id))
    return list(db.session.scalars(_threads_about_statement(kind),
                                   {"about_id": ident, "about_limit": limit}))


@cache
def _threads_about_statement(kind: str) -> Select:
    """threads_about()'s statement, built once per kind, with bound parameters: a
    consultation's or an event's page asks it on every request, and building it (with its
    NOT EXISTS) and its cache key costs about as much CPU as running it. (Statements whose
    loader options carry the reader's id stay built per request: an expired row is loaded
    again with its options, which must hold their values.)"""
    about = Thread.consultation_id if kind == "consultation" else Thread.event_id
    return (select(Thread).where(about == bindparam("about_id"), advertised())
            .order_by(Thread.last_post_dt.desc())
            .limit(bindparam("about_limit", type_=Integer)))


def city_category_slug(city) -> str:
    """The address of a city's category (made with the city by services.ensure_city_category)."""
    return f"oras-{city.slug}"[:80]


def advertised():
    """Threads the hub advertises to everyone (the home page, feeds, an event's or a
    consultation's page): not hidden, and their opening post not hidden by a moderator — such
    a thread stays readable at its address, but its title is not promoted."""
    opening = aliased(Post)
    opening_hidden = select(opening.id).where(opening.thread_id == Thread.id,
                                              opening.number == 1,
                                              opening.hidden_dt.is_not(None)).exists()
    return Thread.hidden.is_(False) & ~opening_hidden


def advertised_thread(thread_id: int) -> Thread | None:
    """The thread, when it is advertised (its feed), else None."""
    return db.session.scalar(select(Thread).where(Thread.id == thread_id, advertised()))


def active_threads(limit: int = 5) -> list[Thread]:
    """The visible threads with the newest posts (the home page)."""
    return list(db.session.scalars(
        select(Thread).options(joinedload(Thread.category), joinedload(Thread.last_poster))
        .where(advertised())
        .order_by(Thread.last_post_dt.desc(), Thread.id.desc()).limit(limit)))


def followed_with_news(user_id: int, limit: int = 5) -> list[Thread]:
    """Threads the person follows with posts after the last one they read, newest first."""
    read = func.coalesce(ReadMarker.last_read_number, 0)
    return list(db.session.scalars(
        select(Thread).join(Subscription, Subscription.thread_id == Thread.id)
        .outerjoin(ReadMarker, (ReadMarker.thread_id == Thread.id)
                   & (ReadMarker.user_id == user_id))
        .where(Subscription.user_id == user_id, Thread.hidden.is_(False),
               Thread.next_number - 1 > read)
        .order_by(Thread.last_post_dt.desc(), Thread.id.desc()).limit(limit)))


def _public_post():
    return Post.hidden_dt.is_(None) & Post.deleted_dt.is_(None)


def latest_threads(limit: int, category_id: int | None = None,
                   city_id: int | None = None) -> list[tuple[Thread, Post | None]]:
    """Visible threads of a category (or about a city), newest first, each with its opening
    post when that is public (a feed's entries; one query)."""
    opening = (Post.thread_id == Thread.id) & (Post.number == 1) & _public_post()
    stmt = (select(Thread, Post).outerjoin(Post, opening)
            .options(joinedload(Thread.author), defer(Post.search_text), defer(Post.body))
            .where(advertised()))
    if category_id is not None:
        stmt = stmt.where(Thread.category_id == category_id)
    if city_id is not None:
        stmt = stmt.join(Category, Category.id == Thread.category_id).where(
            (Thread.city_id == city_id) | (Category.city_id == city_id))
    rows = db.session.execute(stmt.order_by(Thread.created_dt.desc(), Thread.id.desc())
                              .limit(limit))
    return [(thread, post) for thread, post in rows]


def latest_posts(thread_id: int, limit: int) -> list[Post]:
    """A thread's latest public posts (neither hidden nor deleted), newest first."""
    return list(db.session.scalars(
        select(Post).options(joinedload(Post.author), defer(Post.search_text), defer(Post.body))
        .where(Post.thread_id == thread_id, _public_post())
        .order_by(Post.number.desc()).limit(limit)))
