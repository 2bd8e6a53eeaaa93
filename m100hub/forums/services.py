"""Forum writes: threads, replies, edits, reactions, reports, follows, read markers.

They flush and never commit. Posting locks the thread row (SELECT … FOR UPDATE on
PostgreSQL; SQLite's writing transactions begin IMMEDIATE), so post numbers and counters
stay exact under concurrent replies."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..database import locked, rows_changed, utcnow
from ..errors import Conflict
from ..extensions import db
from ..notifications.kinds import Audience
from ..notifications.services import notify
from .counters import refresh_counters
from .mentions import render_post
from .models import THREAD_FOLLOWS, Category, Post, PostRevision, Reaction, ReadMarker, Thread
from .queries import city_category_slug
from .search import search_text


def _payload(thread: Thread, post: Post, author) -> dict:
    return {"thread": thread.title, "thread_id": thread.id, "post_id": post.id,
            "person": author.display_name}


def create_thread(author, category: Category, title: str, body: str, city_id=None, tags=(),
                  consultation_id=None, event_id=None):
    if category.archived:
        raise Conflict("archived")
    thread = Thread(category_id=category.id, author_id=author.id, title=title.strip(),
                    city_id=city_id or None, tags=sorted(set(tags)), last_poster_id=author.id,
                    consultation_id=consultation_id, event_id=event_id)
    db.session.add(thread)
    db.session.flush()
    post = _add_post(thread, author, body)
    db.session.execute(update(Category).where(Category.id == category.id).values(
        thread_count=Category.thread_count + 1))
    THREAD_FOLLOWS.follow(author.id, thread.id)
    notify(Audience("forum_category_followers", category.id), "forum_new_thread", thread,
           actor=author,
           payload={**_payload(thread, post, author), "category": category.name,
                    "category_en": category.name_en})
    return thread, post


def reply(author, thread_id: int, body: str) -> Post:
    thread = locked(Thread, thread_id)
    if thread is None or thread.hidden:
        raise LookupError(thread_id)
    if thread.locked:
        raise Conflict("locked")
    post = _add_post(thread, author, body)
    THREAD_FOLLOWS.follow(author.id, thread.id)
    return post


def _add_post(thread: Thread, author, body: str) -> Post:
    html, mentioned = render_post(body)
    number = thread.next_number
    post = Post(thread_id=thread.id, number=number, author_id=author.id, body=body,
                body_html=html, search_text=search_text(thread.title if number == 1 else "", body))
    db.session.add(post)
    now = utcnow()
    thread.next_number = number + 1
    thread.post_count = thread.post_count + 1
    thread.reply_count = thread.reply_count + (number > 1)
    thread.last_post_dt, thread.last_poster_id = now, author.id
    db.session.flush()
    db.session.execute(update(Category).where(Category.id == thread.category_id).values(
        post_count=Category.post_count + 1, last_thread_id=thread.id, last_post_dt=now))
    payload = _payload(thread, post, author)
    notify(mentioned, "forum_mention", post, actor=author, payload=payload, city=thread.city_id)
    if number > 1:  # the thread's followers, in Celery: a thread may have thousands
        notify(Audience("forum_thread_followers", thread.id), "forum_reply", post,
               actor=author, payload=payload, exclude=mentioned, city=thread.city_id)
    return post


def edit_post(editor, post: Post, body: str, title: str | None = None) -> None:
    """New text; the old one is kept as a revision. The opening post may retitle the thread."""
    if post.deleted_dt is not None:
        raise Conflict("deleted")
    db.session.add(PostRevision(post_id=post.id, body=post.body))
    thread = db.session.get_one(Thread, post.thread_id)
    if title is not None and post.number == 1:
        thread.title = title.strip()
    before = {p.id for p in render_post(post.body)[1]}
    post.body = body
    post.body_html, mentioned = render_post(body)
    newly = [p for p in mentioned if p.id not in before]
    notify(newly, "forum_mention", post, actor=editor, payload=_payload(thread, post, editor),
           city=thread.city_id)
    post.search_text = search_text(thread.title if post.number == 1 else "", body)
    post.edited_dt = utcnow()
    db.session.flush()


def delete_post(author, post: Post) -> None:
    """The author withdraws a post: a placeholder keeps the thread readable."""
    if post.deleted_dt is not None:
        raise Conflict("deleted")
    was_visible = post.visible
    post.deleted_dt = utcnow()
    db.session.flush()
    if was_visible:
        refresh_counters(post.thread_id)


def react(user, post: Post) -> None:
    """A like; twice is a Conflict (the primary key refuses a second row)."""
    try:
        with db.session.begin_nested():
            db.session.add(Reaction(post_id=post.id, user_id=user.id))
    except IntegrityError as exc:
        raise Conflict("already liked") from exc
    db.session.execute(update(Post).where(Post.id == post.id).values(
        reaction_count=Post.reaction_count + 1))


def unreact(user, post: Post) -> None:
    gone = rows_changed(delete(Reaction).where(
        Reaction.post_id == post.id, Reaction.user_id == user.id))
    if gone != 1:  # never liked, or a double click already took it back
        raise Conflict("not liked")
    db.session.execute(update(Post).where(Post.id == post.id).values(
        reaction_count=Post.reaction_count - 1))


def mark_read(user_id: int, thread_id: int, number: int, has_marker: bool) -> None:
    """The one cheap write a signed-in GET may make: raise the read marker (one statement)."""
    if not has_marker:
        try:
            with db.session.begin_nested():
                db.session.add(ReadMarker(user_id=user_id, thread_id=thread_id,
                                          last_read_number=number))
            return
        except IntegrityError:
            pass  # two first visits at once (two tabs): raise the other one's marker
    db.session.execute(update(ReadMarker).where(
        ReadMarker.user_id == user_id, ReadMarker.thread_id == thread_id,
        ReadMarker.last_read_number < number).values(last_read_number=number))


def ensure_city_category(city) -> Category:
    """Every city has its forum category (made with the city, or now if missing)."""
    category = db.session.scalar(select(Category).where(Category.city_id == city.id))
    if category is None:
        category = Category(slug=city_category_slug(city), name=city.name, name_en=city.name,
                            description=f"Discuții despre {city.name}.",
                            description_en=f"Conversations about {city.name}.",
                            city_id=city.id, position=100)
        db.session.add(category)
        db.session.flush()
    return category
