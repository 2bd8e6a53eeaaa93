"""Forum reads: each page is a fixed handful of queries, whatever the data size."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Integer, bindparam, func, select, true
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..accounts.models import User
from ..extensions import db
from ..permissions import can_moderate
from .fragments import CATEGORY_PAGE_SHOWS, POST_FINGERPRINT, THREAD_PAGE_SHOWS, fingerprint
from .models import (
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
    from sqlalchemy import String, cast

    # autoescape: a "%" or "_" in the address is a character, not a LIKE wildcard
    return cast(Thread.tags, String).contains(f'"{tag}"', autoescape=True)


def thread(thread_id: int) -> Thread | None:
    return db.session.scalar(
        select(Thread)
        .options(joinedload(Thread.category), joinedload(Thread.city), joinedload(Thread.author),
                 joinedload(Thread.consultation), joinedload(Thread.event))
        .where(Thread.id == thread_id)
    )


def posts_of(thread_id: int, page: int):
    stmt = (
        select(Post).options(joinedload(Post.author))
        .where(Post.thread_id == thread_id).order_by(Post.number)
    )
    return db.paginate(stmt, page=page, per_page=POSTS_PER_PAGE, error_out=False, count=False)


def category_page_key(slug: str, tag: str, page: int) -> tuple | None:
    """What an anonymous reader's category page shows, read as plain rows in one statement:
    (the category's fields, its page of visible threads — each as fragments.threads_key shows
    it —, how many threads the listing has), or None when there is no such category."""
    statement, width = _category_page_key_statement(bool(tag))
    escaped = tag.replace("/", "//").replace("%", "/%").replace("_", "/_")
    rows = db.session.connection().execute(statement, {
        "slug": slug, "tag": f'%"{escaped}"%', "offset": (page - 1) * THREADS_PER_PAGE,
        "limit": THREADS_PER_PAGE}).all()
    if not rows:
        return None
    threads = [(*row[width:width + 5], tuple(row[width + 5] or ()), *row[width + 6:-1])
               for row in rows if row[width] is not None]
    return rows[0][:width], threads, rows[0][-1] or 0


@cache
def _category_page_key_statement(tagged: bool):
    """Built once for each of the two forms (with a tag, without): bound parameters."""
    from sqlalchemy import String, cast
    from sqlalchemy.orm import aliased

    category_id = select(Category.id).where(Category.slug == bindparam("slug")).scalar_subquery()
    order = (Thread.pinned.desc(), Thread.last_post_dt.desc(), Thread.id.desc())
    page = (
        select(Thread.id, Thread.title, Thread.pinned, Thread.locked, Thread.hidden, Thread.tags,
               Thread.post_count, Thread.reply_count, Thread.created_dt, Thread.last_post_dt,
               Thread.author_id, Thread.last_poster_id,
               func.row_number().over(order_by=order).label("position"),
               func.count().over().label("total"))
        .where(Thread.category_id == category_id, Thread.hidden.is_(False))
        .order_by(*order).offset(bindparam("offset")).limit(bindparam("limit"))
    )
    if tagged:  # JSON list membership, as _has_tag, with the pattern as a parameter
        page = page.where(cast(Thread.tags, String).like(bindparam("tag"), escape="/"))
    threads = page.subquery()
    # the names are joined to the page's threads only, not to all that the count sees
    author, last_poster = aliased(User), aliased(User)
    fields = [getattr(Category, name) for name in CATEGORY_PAGE_SHOWS]
    statement = (
        select(*fields, *[threads.c[name] for name in (
            "id", "title", "pinned", "locked", "hidden", "tags", "post_count", "reply_count",
            "created_dt", "last_post_dt")],
            author.display_name, last_poster.display_name, threads.c.total)
        .select_from(Category).outerjoin(threads, true())
        .outerjoin(author, author.id == threads.c.author_id)
        .outerjoin(last_poster, last_poster.id == threads.c.last_poster_id)
        .where(Category.slug == bindparam("slug")).order_by(threads.c.position)
    )
    return statement, len(fields)


def thread_page_key(thread_id: int, page: int) -> tuple | None:
    """What an anonymous reader's thread page shows, read as plain rows in one statement:
    (the thread's fields, its page's post fingerprints — see fragments.fingerprint), or None
    when there is no such thread or it is hidden. The page's cache key, cheaper than loading
    the objects: a cache hit costs this one query."""
    statement, width = _thread_page_key_statement()
    rows = db.session.connection().execute(statement, {
        "thread_id": thread_id, "offset": (page - 1) * POSTS_PER_PAGE,
        "limit": POSTS_PER_PAGE}).all()
    if not rows:
        return None
    return rows[0][:width], [fingerprint(tuple(row[width:-2]), row[-2], row[-1])
                             for row in rows if row[width] is not None]


@cache
def _thread_page_key_statement():
    """Built once: the statement is the same for every thread and page (bound parameters)."""
    from ..cities.models import City
    from ..consultations.models import Consultation
    from ..events.models import Event

    thread_id = bindparam("thread_id", type_=Integer)
    posts = (
        select(*[getattr(Post, name) for name in POST_FINGERPRINT],
               User.display_name.label("author_name"), User.handle.label("author_handle"))
        .outerjoin(User, User.id == Post.author_id)
        .where(Post.thread_id == thread_id).order_by(Post.number)
        .offset(bindparam("offset")).limit(bindparam("limit"))
    ).subquery()
    models = {"": Thread, "category": Category, "city": City, "consultation": Consultation,
              "event": Event}
    fields = [getattr(models[relation], name).label(f"{relation or 'thread'}_{name}")
              for relation, names in THREAD_PAGE_SHOWS for name in names]
    statement = (
        select(*fields, *posts.c).select_from(Thread)
        .join(Category, Category.id == Thread.category_id)
        .outerjoin(City, City.id == Thread.city_id)
        .outerjoin(Consultation, Consultation.id == Thread.consultation_id)
        .outerjoin(Event, Event.id == Thread.event_id)
        .outerjoin(posts, true())
        .where(Thread.id == thread_id, Thread.hidden.is_(False)).order_by(posts.c.number)
    )
    return statement, len(fields)


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


def subscription_where(user_id: int, thread=None, category=None) -> tuple:
    """The clause that finds one person's follow of a thread or of a category."""
    target = (Subscription.thread_id == thread.id if thread is not None
              else Subscription.category_id == category.id)
    return Subscription.user_id == user_id, target


def follows(user_id: int, thread=None, category=None) -> bool:
    return db.session.scalar(select(Subscription.id).where(
        *subscription_where(user_id, thread, category))) is not None


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
    about = (Thread.consultation_id == consultation_id if consultation_id is not None
             else Thread.event_id == event_id)
    return list(db.session.scalars(select(Thread).where(about, Thread.hidden.is_(False))
                                   .order_by(Thread.last_post_dt.desc()).limit(limit)))


def city_category_slug(city) -> str:
    """The address of a city's category (made with the city by services.ensure_city_category)."""
    return f"oras-{city.slug}"[:80]
