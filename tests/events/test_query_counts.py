"""SQL queries per events page do not grow with the data, and stay few.

The event list and the month calendar at 3 and at 30 events, the attendee list and its CSV
(and the event page) at 5 and at 150 registrations, "my events" at 3 and at 30
registrations. Data is committed and the session emptied before each measure, so nothing
comes from the identity map that a real request would have to load. Run with ``-s`` to see
the figures.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from m100hub.accounts.models import User
from m100hub.events import registration, services
from m100hub.events.models import Event
from m100hub.events.queries import ATTENDEES_PER_PAGE, PER_PAGE
from m100hub.extensions import db as _db
from m100hub.organisations.models import Organisation
from tests.support import boards, factories
from tests.support import event_factories as ef
from tests.support.web import in_request

FEW_EVENTS, MANY_EVENTS = 3, 30
FEW_PEOPLE, MANY_PEOPLE = 5, 150
#: upper bounds, per page and viewer (what was measured, with no slack to grow into)
BOUNDS = {
    # the cities (filters), the page and its count; a signed-in person adds themselves, the
    # unread notifications and whether they may organise (an official's answer comes sooner)
    ("list", "anonymous"): 3,
    ("list", "citizen"): 7,
    ("list", "official"): 6,
    ("calendar", "anonymous"): 2,
    ("calendar", "citizen"): 4,
    ("attendees", "organiser"): 7,
    ("attendees", "admin"): 7,
    ("csv", "organiser"): 5,
    # a workshop's page with a co-organiser: the event with the reader's registration and
    # whether its parts have anything (no boards, no threads: not asked), its co-organisers;
    # a waiting person adds themselves and who is ahead of them
    ("event", "anonymous"): 2,
    ("event", "waiting"): 4,
    ("mine", "citizen"): 4,
}
_names = itertools.count(1)
KINDS = ("workshop", "webinar", "conference", "site_visit", "training")
CITIES = ("suceava", "cluj-napoca", None)




def assert_flat(page: str, who: str, small, large, sizes) -> None:
    print(f"\n[queries] {page} / {who}: {small.count} at {sizes[0]}, {large.count} at {sizes[1]}")
    assert large.count == small.count, f"grows with data:\n{small!r}\n---\n{large!r}"
    assert large.count <= BOUNDS[(page, who)], repr(large)


@pytest.fixture
def viewer(login_as):
    """Sign in as ``role`` (English pages), or stay anonymous."""

    def sign_in(role: str):
        return None if role == "anonymous" else login_as(role, locale="en")

    return sign_in


# --- builders -----------------------------------------------------------------------------------


@in_request
def add_events(n: int, month: datetime | None = None) -> list[int]:
    """``n`` events of every kind, city and way of taking part; every fourth cancelled. In
    ``month`` (its first days) if given, else over the coming weeks."""
    admin = factories.person("admin")
    ids = []
    for _ in range(n):
        i = next(_names)
        online = i % 3 == 0
        fields = {}
        if month is not None:
            starts = month + timedelta(days=i % 27, hours=i % 10)
            fields = {"starts_dt": starts, "ends_dt": starts + timedelta(hours=2)}
        event = ef.event(
            admin,
            title=f"Evenimentul {i}",
            kind=KINDS[i % 5],
            city_slug=CITIES[i % 3],
            attendance="online" if online else "hybrid",
            starts_in=timedelta(days=1 + i % 40, hours=i % 24),
            capacity=None if i % 2 else 5 + i % 7,
            sectors=["energy"],
            **fields,
        )
        _db.session.flush()
        if i % 4 == 0:
            services.cancel(admin, event, "Anulat")
        ids.append(event.id)
    return ids


@in_request
def add_registrations(event_id: int, n: int, organisations: list[int]) -> None:
    """``n`` people register (past the capacity they wait); one in three is a verified member
    of an organisation, every seventh cancels, every fifth confirmed one is checked in."""
    event = _db.session.get(Event, event_id)
    for _ in range(n):
        i = next(_names)
        who = factories.user(name=f"Participant {i}", sector=("civil", "citizen", "private")[i % 3])
        if i % 3 == 0:
            org = _db.session.get(Organisation, organisations[i % len(organisations)])
            factories.membership(who, org)
        item = registration.register(who, event_id)
        if i % 7 == 0:
            registration.cancel(who, event_id)
        elif i % 5 == 0 and item.status.value == "confirmed":
            services.check_in(event, item.code)


@in_request
def register_for(user_id: int, n: int) -> None:
    """The person registers for ``n`` new events: some full (they wait), some later past, some
    later cancelled."""
    who = _db.session.get(User, user_id)
    admin = factories.person("admin")
    for _ in range(n):
        i = next(_names)
        event = ef.event(
            admin,
            title=f"Evenimentul meu {i}",
            city_slug=CITIES[i % 3],
            starts_in=timedelta(days=1 + i % 20),
            capacity=1 if i % 4 == 0 else 9,
        )
        if i % 4 == 0:
            registration.register(factories.user(), event.id)
        registration.register(who, event.id)
        if i % 5 == 0:
            ef.reschedule(event, timedelta(days=-(i % 30) - 1))
        elif i % 6 == 0:
            services.cancel(admin, event, "Anulat")


def organisations() -> list[int]:
    return [factories.organisation(name=f"Organizația de test {n}").id for n in range(4)]


# --- the pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "citizen", "official"])
def test_event_list(measure, viewer, db, who):
    viewer(who)
    add_events(FEW_EVENTS)
    small = measure("/events", 'class="card', FEW_EVENTS)
    add_events(MANY_EVENTS - FEW_EVENTS)
    large = measure("/events", 'class="card', PER_PAGE)
    assert_flat("list", who, small, large, (FEW_EVENTS, MANY_EVENTS))
    # another page and the filters cost the same
    second = measure("/events?page=2", 'class="card', MANY_EVENTS - PER_PAGE)
    filtered = measure("/events?city=suceava&sector=energy", 'class="card', 1)
    assert second.count == filtered.count == large.count, (second, filtered)


@pytest.mark.parametrize("who", ["anonymous", "citizen"])
def test_month_calendar(measure, viewer, db, who):
    viewer(who)
    month = datetime(2031, 3, 1, 8, 0, tzinfo=UTC)
    add_events(FEW_EVENTS, month)
    small = measure("/events/calendar?month=2031-03", 'class="day-event', FEW_EVENTS)
    add_events(MANY_EVENTS - FEW_EVENTS, month)
    large = measure("/events/calendar?month=2031-03", 'class="day-event', MANY_EVENTS)
    assert_flat("calendar", who, small, large, (FEW_EVENTS, MANY_EVENTS))


@pytest.mark.parametrize("who", ["organiser", "admin"])
def test_attendee_list(measure, login_as, db, who):
    organiser = factories.official(locale="en")
    event_id = ef.event(organiser, capacity=60, attendance="hybrid").id
    login_as(user=organiser) if who == "organiser" else login_as("admin", locale="en")
    orgs = organisations()
    add_registrations(event_id, FEW_PEOPLE, orgs)
    url = f"/events/{event_id}/attendees"
    small = measure(url, '<th scope="row">', FEW_PEOPLE)
    add_registrations(event_id, MANY_PEOPLE - FEW_PEOPLE, orgs)
    large = measure(url, '<th scope="row">', ATTENDEES_PER_PAGE)
    assert_flat("attendees", who, small, large, (FEW_PEOPLE, MANY_PEOPLE))
    last = measure(url + "?page=2", '<th scope="row">', MANY_PEOPLE - ATTENDEES_PER_PAGE)
    assert last.count == large.count, last


def test_attendee_csv(measure, login_as, db):
    organiser = factories.official(locale="en")
    event_id = ef.event(organiser, capacity=60).id
    login_as(user=organiser)
    orgs = organisations()
    add_registrations(event_id, FEW_PEOPLE, orgs)
    url = f"/events/{event_id}/attendees.csv"
    small = measure(url, "Participant ", FEW_PEOPLE)
    add_registrations(event_id, MANY_PEOPLE - FEW_PEOPLE, orgs)
    large = measure(url, "Participant ", MANY_PEOPLE)
    assert_flat("csv", "organiser", small, large, (FEW_PEOPLE, MANY_PEOPLE))


@pytest.mark.parametrize("who", ["anonymous", "waiting"])
def test_event_page(measure, login_as, db, who):
    """A waiting person's page also counts who is ahead of them."""
    event_id = ef.event(capacity=3, attendance="hybrid", co_organisers=[factories.user()]).id
    orgs = organisations()
    add_registrations(event_id, FEW_PEOPLE, orgs)
    if who == "waiting":
        person = login_as("citizen", locale="en")
        registration.register(person, event_id)
    url = f"/events/{event_id}"
    small = measure(url, "Registration", 1)
    add_registrations(event_id, MANY_PEOPLE - FEW_PEOPLE, orgs)
    large = measure(url, "Registration", 1)
    assert_flat("event", who, small, large, (FEW_PEOPLE, MANY_PEOPLE))


def test_my_events(measure, login_as, db):
    person_id = login_as("citizen", locale="en").id
    register_for(person_id, FEW_EVENTS)
    small = measure("/events/mine", '<li class="card">', FEW_EVENTS)
    register_for(person_id, MANY_EVENTS - FEW_EVENTS)
    large = measure("/events/mine", '<li class="card">', MANY_EVENTS)
    assert_flat("mine", "citizen", small, large, (FEW_EVENTS, MANY_EVENTS))


def test_a_signed_in_event_page_asks_only_statements_built_once(built_anew, login_as, db):
    """A workshop with a board: the event with the reader's registration and its parts'
    probes, its boards, the signed-in person."""
    shop = boards.workshop()
    login_as("citizen", user=shop.participant)
    assert built_anew(f"/events/{shop.event.id}") == []
