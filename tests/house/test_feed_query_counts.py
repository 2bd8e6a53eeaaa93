"""Atom feeds are a fixed number of queries, whatever the data: each measured with 3 and with
40 of what it lists (consultations, events, threads, posts), of different cities and people.
Run with ``-s`` to see the figures."""

from __future__ import annotations

import itertools
from functools import partial

import pytest

from m100hub.accounts.models import User
from m100hub.extensions import db as _db
from tests.support import consultation_factories as cf
from tests.support import event_factories as ef
from tests.support import factories
from tests.support import forum_factories as ff

SMALL, LARGE = 3, 40
CITIES = ("suceava", "cluj-napoca", None)
_names = itertools.count(1)


def add_consultations(n: int, cities=CITIES, **_) -> None:
    admin = _db.session.scalar(_db.select(User).where(User.is_admin.is_(True)).limit(1))
    for i in range(n):
        phase = "published" if i % 2 else "open"
        cf.consultation(phase, city_slug=cities[i % len(cities)], author=admin,
                        title=f"Consultare {next(_names)}")


def add_events(n: int, cities=CITIES, **_) -> None:
    for i in range(n):
        ef.event(title=f"Eveniment {next(_names)}", city_slug=cities[i % len(cities)],
                 organiser=factories.user())


def add_threads(n: int, **_) -> None:
    for _i in range(n):
        ff.thread(title=f"Subiect {next(_names)}", category_slug="oras-suceava",
                  author=factories.user())


def add_posts(n: int, thread_id: int) -> None:
    for _i in range(n):
        ff.reply(thread_id, author=factories.user(), body=f"Mesaj {next(_names)}")


#: (feed, what grows, the text each listed item carries, most entries listed, bound)
FEEDS = [
    ("/consultations/feed.atom", add_consultations, "Consultare ", 30, 1),
    ("/events/feed.atom", add_events, "Eveniment ", 30, 1),
    # the city, then what each feature adds: consultations, events, threads
    ("/cities/suceava/feed.atom", partial(add_consultations, cities=("suceava",)),
     "Consultare ", 30, 4),
    ("/cities/suceava/feed.atom", partial(add_events, cities=("suceava",)), "Eveniment ", 30, 4),
    ("/cities/suceava/feed.atom", add_threads, "Subiect ", 30, 4),
    ("/forums/c/oras-suceava/feed.atom", add_threads, "Subiect ", 30, 2),
    ("/forums/t/{thread}/feed.atom", add_posts, "Mesaj ", 30, 2),
]


@pytest.mark.parametrize(("url", "grow", "marker", "most", "bound"), FEEDS)
def test_feeds_are_a_fixed_number_of_queries(measure, url, grow, marker, most, bound):
    factories.person("admin")
    thread_id = ff.thread(title="Firul măsurat", category_slug="general").id
    url = url.format(thread=thread_id)
    grow(SMALL, thread_id=thread_id)
    small = measure(url, marker, SMALL)
    grow(LARGE - SMALL, thread_id=thread_id)
    large = measure(url, marker, most)
    print(f"\n{url}: {small.count} queries at {SMALL}, {large.count} at {LARGE}")
    assert large.count == small.count, f"grows with data:\n{small!r}\n---\n{large!r}"
    assert large.count <= bound, repr(large)
