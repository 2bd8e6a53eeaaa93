"""Registering over HTTP: capacity, the waiting list in arrival order, promotions when a
place frees or the capacity grows, confirmations by e-mail with a calendar file; refused
registrations are 409 and write nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from icalendar import Calendar

from m100hub.database import utcnow
from m100hub.events import registration as registering
from m100hub.events import services
from m100hub.events.models import Event, Registration, RegistrationStatus
from m100hub.events.registration import CODE_ALPHABET, CODE_LENGTH
from tests.support import event_factories as ef
from tests.support import factories
from tests.support.events import (
    CONFIRMED,
    LINK,
    WAITLISTED,
    count,
    counters,
    edit_form,
    english,
    fresh,
    mails_to,
    only_entry,
    page,
    person,
    registration_of,
    sign_up,
    snapshot,
    status_of,
    told,
)

CANCELLED = RegistrationStatus.CANCELLED


def calendar_attachment(message):
    """The message's .ics attachment: (file name, parsed calendar)."""
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in message.iter_attachments()]
    content = parts[0].get_content()
    return parts[0].get_filename(), Calendar.from_ical(
        content if isinstance(content, str) else content.decode()
    )


def leave(client, login_as, who, event):
    login_as(user=who)
    return client.post(f"/events/{event.id}/cancel-registration", data={"confirmed": "yes"})


def waiting_position(client, login_as, who, event) -> int | None:
    login_as(user=who)
    found = re.search(
        r"You are number (\d+) on the waiting list", page(client.get(f"/events/{event.id}"))
    )
    return int(found.group(1)) if found else None


# --- capacity, the waiting list and promotions -------------------------------------------------


def test_raising_the_capacity_promotes_as_many_as_fit_in_arrival_order(
    client, db, login_as, outbox
):
    organiser = person("official")
    event = ef.event(organiser, title="Atelier cu locuri puține", capacity=2)
    confirmed = [person() for _ in range(2)]
    waiting = [person() for _ in range(4)]
    for who in confirmed + waiting:
        ef.register(who, event)
    db.session.commit()
    sent = len(outbox())
    login_as(user=organiser)

    response = client.post(f"/events/{event.id}/edit", data=edit_form(event, capacity="4"))

    assert response.status_code == 303, page(response)
    assert counters(db, event) == (4, 2)
    assert [status_of(db, w, event) for w in waiting] == [
        CONFIRMED,
        CONFIRMED,
        WAITLISTED,
        WAITLISTED,
    ]
    assert told(db, "event_promoted", event) == sorted(w.id for w in waiting[:2])
    assert len(outbox()) == sent + 2
    for who in waiting[:2]:
        [message] = mails_to(outbox, who)
        assert (
            message["Subject"] == "A place came free: you are registered for "
            "“Atelier cu locuri puține”"
        )
        calendar_attachment(message)
    assert [waiting_position(client, login_as, w, event) for w in waiting[2:]] == [1, 2]

    # no limit at all: everybody still waiting gets a place
    login_as(user=organiser)
    response = client.post(f"/events/{event.id}/edit", data=edit_form(event, capacity=""))
    assert response.status_code == 303, page(response)
    assert counters(db, event) == (6, 0)
    assert {status_of(db, w, event) for w in waiting} == {CONFIRMED}
    assert told(db, "event_promoted", event) == sorted(w.id for w in waiting)


def test_lowering_the_capacity_never_unconfirms_anybody(client, db, login_as):
    organiser = person("official")
    event = ef.event(organiser, capacity=4)
    confirmed = [person() for _ in range(4)]
    for who in confirmed:
        ef.register(who, event)
    login_as(user=organiser)

    response = client.post(f"/events/{event.id}/edit", data=edit_form(event, capacity="2"))

    assert response.status_code == 303, page(response)
    assert fresh(db, event).capacity == 2
    assert counters(db, event) == (4, 0)
    assert {status_of(db, who, event) for who in confirmed} == {CONFIRMED}
    english(client)
    assert "full — waiting list open" in page(client.get(f"/events/{event.id}"))
    # a newcomer waits; one cancellation leaves 3 for 2 places, so nobody moves up
    newcomer = person()
    assert sign_up(client, login_as, newcomer, event).status_code == 303
    assert status_of(db, newcomer, event) == WAITLISTED
    assert leave(client, login_as, confirmed[0], event).status_code == 303
    assert status_of(db, newcomer, event) == WAITLISTED
    assert counters(db, event) == (3, 1)
    assert told(db, "event_promoted", event) == []


def test_registering_confirms_notifies_and_mails_a_calendar_file(client, db, login_as, outbox):
    event = ef.event(
        title="Atelier: biciclete electrice", attendance="hybrid", online_url=LINK, capacity=5
    )
    who = person(name="Elena Înscrisă")

    response = sign_up(client, login_as, who, event, follow=True)

    assert response.status_code == 200
    html = page(response)
    assert "You are registered. Your ticket is below." in html
    assert "You have a place." in html and f'href="/events/{event.id}/ticket"' in html
    assert LINK in html
    assert f'href="/events/{event.id}/cancel-registration"' in html
    mine = registration_of(db, who, event)
    assert mine.status == CONFIRMED and mine.confirmed_dt is not None
    assert len(mine.code) == CODE_LENGTH and set(mine.code) <= set(CODE_ALPHABET)
    assert counters(db, event) == (1, 0)
    assert told(db, "event_confirmed", event) == [who.id]

    [message] = mails_to(outbox, who)
    assert message["Subject"] == "You are registered for “Atelier: biciclete electrice”"
    assert LINK in message.get_body(("plain",)).get_content()
    assert f"http://localhost/events/{event.id}" in message.get_body(("plain",)).get_content()
    name, calendar = calendar_attachment(message)
    assert name == f"event-{event.id}.ics"
    entry = only_entry(calendar)
    assert str(entry["summary"]) == "Atelier: biciclete electrice"
    assert entry.decoded("dtstart") == fresh(db, event).starts_dt.replace(microsecond=0)
    assert entry.decoded("dtend") == fresh(db, event).ends_dt.replace(microsecond=0)
    assert LINK in str(entry["location"]) and "Suceava" in str(entry["location"])
    assert str(entry["url"]) == f"http://localhost/events/{event.id}"


def test_the_confirmation_is_written_in_the_persons_language(client, db, login_as, outbox):
    event = ef.event(title="Atelier de compost")
    who = factories.person("citizen", locale="ro")
    english(client)  # the page's language does not matter: the person's does
    assert sign_up(client, login_as, who, event).status_code == 303
    [message] = mails_to(outbox, who)
    assert message["Subject"] == "Ești înscris(ă) la „Atelier de compost”"


def test_a_full_event_puts_people_on_the_waiting_list_in_arrival_order(
    client, db, login_as, outbox
):
    event = ef.event(capacity=2)
    people = [person() for _ in range(5)]
    db.session.commit()
    english(client)

    flashes = [page(sign_up(client, login_as, who, event, follow=True)) for who in people]

    assert all("You are registered." in html for html in flashes[:2])
    assert all("The event is full: you are on the waiting list." in html for html in flashes[2:])
    assert [status_of(db, who, event) for who in people] == [CONFIRMED] * 2 + [WAITLISTED] * 3
    assert counters(db, event) == (2, 3)
    assert [waiting_position(client, login_as, who, event) for who in people] == [
        None,
        None,
        1,
        2,
        3,
    ]
    # nobody waiting is sent a confirmation, nor sees a ticket
    assert told(db, "event_confirmed", event) == sorted(who.id for who in people[:2])
    assert all(mails_to(outbox, who) == [] for who in people[2:])
    login_as(user=people[2])
    assert client.get(f"/events/{event.id}/ticket").status_code == 404
    html = page(client.get(f"/events/{event.id}"))
    assert "Leave the waiting list" in html and "3 people waiting" in html
    login_as(user=person())
    html = page(client.get(f"/events/{event.id}"))
    assert "full — waiting list open" in html and "Join the waiting list" in html


def test_a_cancellation_promotes_exactly_the_first_person_waiting(client, db, login_as, outbox):
    event = ef.event(title="Atelier plin", capacity=2)
    first, second = person(), person()
    waiting = [person(name=f"Așteaptă {n}") for n in range(3)]
    for who in [first, second, *waiting]:
        ef.register(who, event)
    db.session.commit()
    sent = len(outbox())

    response = leave(client, login_as, first, event)

    assert response.status_code == 303
    assert "Your registration is cancelled." in page(client.get(f"/events/{event.id}"))
    assert status_of(db, first, event) == CANCELLED
    assert registration_of(db, first, event).cancelled_dt is not None
    assert [status_of(db, w, event) for w in waiting] == [CONFIRMED, WAITLISTED, WAITLISTED]
    assert counters(db, event) == (2, 2)
    assert told(db, "event_promoted", event) == [waiting[0].id]
    assert len(outbox()) == sent + 1
    [message] = mails_to(outbox, waiting[0])
    assert message["Subject"] == "A place came free: you are registered for “Atelier plin”"
    assert "moved up from the waiting list" in message.get_body(("plain",)).get_content()
    assert [waiting_position(client, login_as, w, event) for w in waiting] == [None, 1, 2]
    login_as(user=waiting[0])
    assert "You have a place." in page(client.get(f"/events/{event.id}"))
    assert client.get(f"/events/{event.id}/ticket").status_code == 200


def test_leaving_the_waiting_list_promotes_nobody_and_moves_the_others_up(client, db, login_as):
    event = ef.event(capacity=1)
    holder = person()
    waiting = [person() for _ in range(3)]
    for who in [holder, *waiting]:
        ef.register(who, event)

    assert leave(client, login_as, waiting[0], event).status_code == 303

    assert status_of(db, waiting[0], event) == CANCELLED
    assert status_of(db, holder, event) == CONFIRMED
    assert counters(db, event) == (1, 2)
    assert told(db, "event_promoted") == []
    assert [waiting_position(client, login_as, w, event) for w in waiting[1:]] == [1, 2]


def test_registering_again_after_cancelling_goes_to_the_end_of_the_queue(client, db, login_as):
    event = ef.event(capacity=1)
    holder, second, third = person(), person(), person()
    for who in (holder, second, third):
        ef.register(who, event)

    assert leave(client, login_as, holder, event).status_code == 303
    assert sign_up(client, login_as, holder, event).status_code == 303

    assert status_of(db, second, event) == CONFIRMED
    assert status_of(db, holder, event) == WAITLISTED
    assert waiting_position(client, login_as, holder, event) == 2
    assert count(Registration, Registration.user_id == holder.id) == 2
    assert counters(db, event) == (1, 2)


def test_without_a_capacity_nobody_waits(client, db, login_as):
    event = ef.event(capacity=None)
    people = [person() for _ in range(4)]
    for who in people:
        assert sign_up(client, login_as, who, event).status_code == 303
    assert {status_of(db, who, event) for who in people} == {CONFIRMED}
    assert counters(db, event) == (4, 0)


def _closed_event(case: str, organiser) -> Event:
    if case == "not open yet":
        return ef.event(organiser, opens=utcnow() + timedelta(days=1))
    if case == "after the deadline":
        return ef.event(organiser, closes=utcnow() - timedelta(minutes=1))
    if case == "cancelled":
        event = ef.event(organiser)
        services.cancel(organiser, event, "Vremea e rea.")
        return event
    if case == "started":
        return ef.event(organiser, starts_in=timedelta(minutes=-5), hours=2)
    return ef.event(organiser, starts_in=timedelta(days=-3))  # past


@pytest.mark.parametrize(
    ("case", "notice"),
    [
        ("not open yet", "Registration opens on"),
        ("after the deadline", "Registration is closed."),
        ("cancelled", "Registration is closed."),
        ("started", "Registration is closed."),
        ("past", "Registration is closed."),
    ],
)
def test_registering_when_registration_is_closed_is_409_and_nothing_written(
    client, db, login_as, outbox, case, notice
):
    event = _closed_event(case, person("admin"))
    who = person()
    login_as(user=who)
    before = snapshot(db)

    html = page(client.get(f"/events/{event.id}"))
    assert notice in html
    assert f'action="/events/{event.id}/register"' not in html
    assert client.post(f"/events/{event.id}/register").status_code == 409

    assert snapshot(db) == before
    assert outbox() == []


@pytest.mark.parametrize("capacity", [5, 1])
def test_registering_twice_is_409_and_nothing_written(client, db, login_as, outbox, capacity):
    """Twice with a place, and twice on the waiting list."""
    event = ef.event(capacity=capacity)
    ef.register(person(), event)  # with one place, the second comer waits
    who = person()
    assert sign_up(client, login_as, who, event).status_code == 303
    before = snapshot(db)
    sent = len(outbox())

    assert client.post(f"/events/{event.id}/register").status_code == 409

    assert snapshot(db) == before
    assert len(outbox()) == sent


def test_unconfirmed_people_cannot_register(client, db, login_as):
    event = ef.event()
    login_as("unconfirmed", locale="en")
    before = snapshot(db)
    html = page(client.get(f"/events/{event.id}"))
    assert "Confirm your e-mail address to register." in html
    assert f'action="/events/{event.id}/register"' not in html
    response = client.post(f"/events/{event.id}/register")
    assert response.status_code == 403
    assert "Please confirm your e-mail address first" in page(response)
    assert snapshot(db) == before


@pytest.mark.parametrize("case", ["never registered", "twice", "after the start"])
def test_cancelling_a_registration_that_cannot_be_writes_nothing(client, db, login_as, case):
    event = ef.event(capacity=1)
    who = person()
    waiting = person()
    if case != "never registered":
        ef.register(who, event)
        ef.register(waiting, event)
    if case == "twice":
        registering.cancel(who, event.id)
    if case == "after the start":
        ef.reschedule(event, timedelta(minutes=-10))
    login_as(user=who)
    before = snapshot(db)

    for method in (client.get, client.post):
        response = method(f"/events/{event.id}/cancel-registration",
                          data={"confirmed": "yes"}, follow_redirects=True)
        if case == "after the start":
            assert response.status_code == 409
        else:  # a second press of the button (or a stale page) is told, not refused
            assert response.status_code == 200
            assert "You have no registration to cancel for this event." in page(response)

    assert snapshot(db) == before
    if case == "after the start":
        html = page(client.get(f"/events/{event.id}"))
        assert f'href="/events/{event.id}/cancel-registration"' not in html


# --- giving up a place asks first --------------------------------------------------------------


@pytest.mark.parametrize("status", ["confirmed", "waitlisted"])
def test_giving_up_a_place_asks_first_and_writes_nothing_until_confirmed(
    client, db, login_as, status
):
    event = ef.event(title="Atelier: acoperișuri verzi", capacity=1)
    holder = person()
    ef.register(holder, event)
    who = holder
    if status == "waitlisted":
        who = person()
        ef.register(who, event)
    login_as(user=who)
    before = snapshot(db)

    html = page(client.get(f"/events/{event.id}"))
    link = f'href="/events/{event.id}/cancel-registration"'
    assert link in html and 'action="/events/{event.id}/cancel-registration"' not in html
    html = page(client.get(f"/events/{event.id}/cancel-registration"))
    if status == "confirmed":
        assert "Cancel your registration?" in html
        assert "Your ticket will stop working" in html
        assert ">Yes, cancel my registration</button>" in html
    else:
        assert "Leave the waiting list?" in html and "you are number 1" in html
        assert ">Yes, leave the waiting list</button>" in html
    assert "Atelier: acoperișuri verzi" in html
    assert f'<a class="button secondary" href="/events/{event.id}">No, keep my place</a>' in html
    assert '<input type="hidden" name="confirmed" value="yes">' in html

    # the old one-click form (no confirmation field), or a forged value, only asks again
    for data in ({}, {"confirmed": "no"}, {"confirmed": "yes" * 200}):
        response = client.post(f"/events/{event.id}/cancel-registration", data=data)
        assert response.status_code in (303, 200), data
        if response.status_code == 303:
            assert response.headers["Location"].endswith(
                f"/events/{event.id}/cancel-registration")
        assert snapshot(db) == before, data

    response = client.post(f"/events/{event.id}/cancel-registration",
                           data={"confirmed": "yes"}, follow_redirects=True)
    assert "Your registration is cancelled." in page(response)
    assert registration_of(db, who, event).status == CANCELLED
    # pressed twice: the second is told there is nothing left to cancel, and changes nothing
    after = snapshot(db)
    response = client.post(f"/events/{event.id}/cancel-registration",
                           data={"confirmed": "yes"}, follow_redirects=True)
    assert "You have no registration to cancel for this event." in page(response)
    assert snapshot(db) == after


def test_the_confirmation_page_is_for_signed_in_people_only(client, db):
    event = ef.event()
    response = client.get(f"/events/{event.id}/cancel-registration")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_registering_is_rate_limited_per_person(app, client, db, login_as):
    match = re.search(r"(\d+)\s*per\s*minute", app.config["RATE_LIMIT_REGISTER"])
    allowed = int(match.group(1))
    events = [ef.event(capacity=None) for _ in range(allowed + 1)]
    who = login_as("citizen")
    for event in events[:allowed]:
        assert client.post(f"/events/{event.id}/register").status_code == 303
    assert client.post(f"/events/{events[-1].id}/register").status_code == 429
    assert registration_of(db, who, events[-1]) is None
    # somebody else still may
    assert sign_up(client, login_as, person(), events[-1]).status_code == 303
