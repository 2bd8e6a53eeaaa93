"""Forum test data, written through m100hub.forums.services so that post numbers and the
denormalised counters (thread and category post counts, last post) stay exact.

Like tests/support/factories.py they flush and never commit; the test (or login_as) commits."""

from __future__ import annotations

import itertools

from sqlalchemy import func, select

from m100hub.extensions import db
from m100hub.forums import services
from m100hub.forums.models import Category, Post, Thread
from tests.support import factories

_sequence = itertools.count(1)


def category(slug: str = "general") -> Category:
    """A category seeded by migration 0002 (general, energie, transport, cladiri, industrie,
    agricultura, oras-<city slug>)."""
    found = db.session.scalar(select(Category).where(Category.slug == slug))
    assert found is not None, f"no category {slug!r}"
    return found


def new_category(name: str | None = None, slug: str | None = None, **attrs) -> Category:
    n = next(_sequence)
    item = Category(name=name or f"Categorie {n}", name_en=attrs.pop("name_en", ""),
                    slug=slug or f"categorie-test-{n}", **attrs)
    db.session.add(item)
    db.session.flush()
    return item


def thread(author=None, category_slug: str = "general", title: str | None = None,
           body: str | None = None, city_id=None, tags=()) -> Thread:
    """A thread with its opening post, by ``author`` (a new citizen by default)."""
    n = next(_sequence)
    author = author or factories.user()
    found, _post = services.create_thread(
        author, category(category_slug), title or f"Subiect de test {n}",
        body or f"Primul mesaj al subiectului {n}.", city_id=city_id, tags=tags)
    return found


def reply(thread_or_id, author=None, body: str | None = None) -> Post:
    thread_id = thread_or_id if isinstance(thread_or_id, int) else thread_or_id.id
    author = author or factories.user()
    return services.reply(author, thread_id, body or f"Răspuns {next(_sequence)}.")


def replies(thread_or_id, n: int, author=None, body: str = "Răspuns {i}.") -> list[Post]:
    """``n`` replies, by one author (a new citizen by default)."""
    author = author or factories.user()
    return [reply(thread_or_id, author, body.format(i=i)) for i in range(1, n + 1)]


def opening_post(thread_: Thread) -> Post:
    return db.session.scalar(select(Post).where(Post.thread_id == thread_.id,
                                                Post.number == 1))


def post_number(thread_: Thread, number: int) -> Post:
    return db.session.scalar(select(Post).where(Post.thread_id == thread_.id,
                                                Post.number == number))


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))
