"""The home page's SQL queries do not grow with the data, for a visitor and for a signed-in
person with something in every part of "for you". Measured with 2 and with 12 of everything
the page lists (open consultations with voters, published results, answered proposals,
events with registrations, threads with replies, followed and unread); data is committed and
the session emptied before each measure. Run with ``-s`` to see the figures."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from m100hub.accounts.models import User
from m100hub.consultations import services as consultation_services
from m100hub.database import utcnow
from m100hub.extensions import db as _db
from m100hub.forums.models import THREAD_FOLLOWS
from tests.support import consultation_factories as cf
from tests.support import event_factories as ef
from tests.support import factories
from tests.support import forum_factories as ff

SMALL, LARGE = 2, 12
#: measured: the figures (one query), open consultations, results, decisions, events,
#: threads, cities; signed in, also the person and their unread count, their official
#: cities and their cities, what awaits their vote, their events, their followed threads
BOUNDS = {"anonymous": 7, "citizen": 13}
CITIES = ("suceava", "cluj-napoca", "bucuresti-sector-2", None)
_names = itertools.count(1)


def grow(n: int, admin_id: int, viewer_id: int) -> None:
    """``n`` of everything the home page lists, each of different people and cities."""
    admin, viewer = _db.session.get(User, admin_id), _db.session.get(User, viewer_id)
    for _ in range(n):
        i = next(_names)
        city = CITIES[i % 4]
        item = cf.consultation("open", city_slug=city, author=admin, title=f"Deschisă {i}")
        cf.vote(factories.user(), item, cf.questions_of(item)[0], 0)
        closed = cf.consultation("open", city_slug=city, author=admin, title=f"Încheiată {i}")
        proposal = cf.proposal(closed, title=f"Propunerea {i}")
        closed.opens_dt, closed.closes_dt = utcnow() - timedelta(days=9), utcnow()
        closed.closes_dt -= timedelta(days=1)
        consultation_services.answer_proposal(admin, closed, proposal, "accepted", "Da.")
        closed.published_dt = utcnow()
        event = ef.event(title=f"Atelierul {i}", city_slug=city, organiser=admin)
        ef.register(viewer, event)
        thread = ff.thread(title=f"Subiectul {i}", author=factories.user())
        THREAD_FOLLOWS.follow(viewer.id, thread.id)
        ff.reply(thread, body=f"Răspuns nou {i}")
    _db.session.flush()


@pytest.mark.parametrize("viewer", ["anonymous", "citizen"])
def test_the_home_page_is_a_fixed_number_of_queries(measure, login_as, client, viewer):
    admin = factories.person("admin").id
    person = factories.user(home_city_id=factories.city("suceava").id, locale="en")
    if viewer != "anonymous":
        login_as(user=person)
    person_id = person.id
    grow(SMALL, admin, person_id)
    small = measure("/", "Deschisă ", SMALL)
    grow(LARGE - SMALL, admin, person_id)
    large = measure("/", "Deschisă ", 6)
    for marker in ("Atelierul ", "Subiectul ", "Propunerea ", "Results: Încheiată"):
        assert marker in large.text, marker
    if viewer != "anonymous":
        assert "Your coming events" in large.text and "threads you follow" in large.text
        assert "awaiting your vote" in large.text
    print(f"\nhome, {viewer}: {small.count} queries at {SMALL}, {large.count} at {LARGE}")
    assert large.count == small.count, f"grows with data:\n{small!r}\n---\n{large!r}"
    assert large.count <= BOUNDS[viewer], repr(large)
