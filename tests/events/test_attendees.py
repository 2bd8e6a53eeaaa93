"""The organisers' side of the attendees: the list and its CSV, messages to everyone
registered, cancelling the event, materials after it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from m100hub.events import registration as registering
from m100hub.events import services
from m100hub.extensions import db as _db
from m100hub.notifications.models import Notification
from tests.support import event_factories as ef
from tests.support import factories
from tests.support.events import (
    BUCHAREST,
    CONFIRMED,
    activity,
    counters,
    edit_form,
    english,
    fresh,
    only_entry,
    page,
    person,
    registration_of,
    sign_up,
    snapshot,
    status_of,
    told,
)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(page(response))))


# --- attendees, CSV, messages, cancelling, materials ---------------------------------------------


def _attendees(organiser):
    """Capacity 2: x cancels (c moves up), so confirmed a, c; waiting d, b; cancelled x."""
    event = ef.event(organiser, capacity=2)
    x = person(name="=cmd|' /C calc'!A0")
    a, org = ef.organisation_member(name="Ana Asociată", locale="en")
    org.name = "Asociația Verde"
    second = factories.organisation(name="Banca Verde")
    factories.membership(a, second)
    factories.membership(a, factories.organisation(name="Aspirantă SRL"), status="pending")
    c, d, b = person(name="Cornel Cetățean"), person(name="Dana Doi"), person(name="Bogdan Bis")
    for who in (x, a, c, d):
        ef.register(who, event)
    registering.cancel(x, event.id)
    ef.register(b, event)
    ticket = registration_of(_db, a, event)
    services.check_in(event, ticket.code)
    return event, {"x": x, "a": a, "c": c, "d": d, "b": b}


def test_the_attendee_list_shows_the_confirmed_then_the_queue_then_the_cancelled(
    client, db, login_as
):
    organiser = person("official")
    event, people = _attendees(organiser)
    login_as(user=organiser)

    html = page(client.get(f"/events/{event.id}/attendees"))

    assert "2 confirmed / 2 · 2 waiting" in html
    names = ["Ana Asociată", "Cornel Cetățean", "Dana Doi", "Bogdan Bis", "=cmd|"]
    order = [html.index(n) for n in names]
    assert order == sorted(order)
    row = html[html.index("Ana Asociată") : html.index("Cornel Cetățean")]
    assert "Asociația Verde; Banca Verde" in row and "Aspirantă" not in row
    assert "Civil society" in row and "Confirmed" in row and "—</td>" not in row
    assert "On the waiting list" in html[html.index("Dana Doi") : html.index("Bogdan Bis")]
    assert "Cancelled" in html[html.index("=cmd|") :]
    for text in (
        f'action="/events/{event.id}/message"',
        f'action="/events/{event.id}/cancel"',
        f'action="/events/{event.id}/materials"',
        f'href="/events/{event.id}/attendees.csv"',
    ):
        assert text in html


def test_the_csv_export_has_one_row_per_registration(client, db, login_as):
    organiser = person("official")
    event, people = _attendees(organiser)
    login_as(user=organiser)

    response = client.get(f"/events/{event.id}/attendees.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # once
    assert response.is_streamed
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="event-{event.id}-attendees.csv"'
    )
    rows = csv_rows(response)
    assert rows[0] == ["name", "organisation", "sector", "status", "registered_at", "checked_in_at"]
    by_name = {row[0]: row for row in rows[1:]}
    assert len(rows) == 6 and len(by_name) == 5
    # a name that a spreadsheet would run as a formula is defused
    assert "'=cmd|' /C calc'!A0" in by_name
    assert by_name["'=cmd|' /C calc'!A0"][3] == "cancelled"
    a = by_name["Ana Asociată"]
    assert a[1:4] == ["Asociația Verde; Banca Verde", "civil", "confirmed"]
    ticket = registration_of(db, people["a"], event)
    assert a[4] == ticket.created_dt.astimezone(BUCHAREST).strftime("%Y-%m-%d %H:%M")
    assert a[5] == ticket.checked_in_dt.astimezone(BUCHAREST).strftime("%Y-%m-%d %H:%M")
    assert by_name["Dana Doi"][1:4] == ["", "citizen", "waitlisted"]
    assert by_name["Dana Doi"][5] == ""
    assert [row[0] for row in rows[1:]] == [  # in the order people registered
        "'=cmd|' /C calc'!A0",
        "Ana Asociată",
        "Cornel Cetățean",
        "Dana Doi",
        "Bogdan Bis",
    ]


def test_a_message_goes_to_everyone_registered_but_the_cancelled_and_the_sender(
    client, db, login_as, outbox
):
    organiser = person("official", name="Olga Organizatoare")
    event = ef.event(organiser, title="Atelier cu mesaje", capacity=1)
    holder, waiting, gone = person(), person(), person()
    for who in (holder, waiting, gone):
        ef.register(who, event)
    registering.cancel(gone, event.id)
    ef.register(organiser, event)  # the organiser waits too: not told their own message
    login_as(user=organiser)
    sent = len(outbox())

    response = client.post(
        f"/events/{event.id}/message",
        data={"message": "Sala s-a schimbat: etajul 2."},
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert "Message sent to 2 people." in page(response)
    assert told(db, "event_message", event) == sorted([holder.id, waiting.id])
    note = db.session.scalar(select(Notification).where(Notification.kind == "event_message"))
    assert note.payload["message"] == "Sala s-a schimbat: etajul 2."
    assert note.payload["person"] == "Olga Organizatoare" and note.actor_id == organiser.id
    assert len(outbox()) == sent  # a notification, not an e-mail


@pytest.mark.parametrize("text", ["", "   \n ", "M" * 1001])
def test_an_empty_or_too_long_message_is_refused_and_nothing_written(client, db, login_as, text):
    organiser = person("official")
    event = ef.event(organiser)
    ef.register(person(), event)
    login_as(user=organiser)
    english(client)
    before = snapshot(db)
    response = client.post(
        f"/events/{event.id}/message", data={"message": text}, follow_redirects=True
    )
    assert "Write a message (at most 1,000 characters)." in page(response)
    assert snapshot(db) == before


def test_cancelling_the_event_tells_everyone_registered(client, db, login_as):
    organiser, co = person("official"), person()
    event = ef.event(organiser, capacity=1, co_organisers=[co])
    holder, waiting, gone = person(), person(), person()
    for who in (holder, waiting, gone):
        ef.register(who, event)
    registering.cancel(gone, event.id)  # gone was waiting: nobody moves up
    login_as(user=co)

    response = client.post(
        f"/events/{event.id}/cancel", data={"reason": "Sala e inundată."}, follow_redirects=True
    )

    assert response.status_code == 200
    html = page(response)
    assert "The event is cancelled and everyone registered has been told." in html
    assert "This event is cancelled: Sala e inundată." in html
    stored = fresh(db, event)
    assert stored.cancelled_dt is not None and stored.cancel_reason == "Sala e inundată."
    assert told(db, "event_cancelled", event) == sorted([holder.id, waiting.id])
    note = db.session.scalar(select(Notification).where(Notification.kind == "event_cancelled"))
    assert note.payload["reason"] == "Sala e inundată." and note.actor_id == co.id
    [entry] = activity(db, "event_cancelled")
    assert (entry.actor_id, entry.target_id) == (co.id, event.id)
    assert counters(db, event) == (1, 1)
    assert status_of(db, holder, event) == CONFIRMED
    entry = only_entry(Calendar.from_ical(client.get(f"/events/{event.id}/event.ics").data))
    assert str(entry["status"]) == "CANCELLED"

    # afterwards: no registering, editing, messaging, cancelling again
    before = snapshot(db)
    assert client.post(f"/events/{event.id}/cancel", data={"reason": "Din nou"}).status_code == 409
    assert client.post(f"/events/{event.id}/message", data={"message": "Hei"}).status_code == 409
    assert client.post(f"/events/{event.id}/edit", data=edit_form(event)).status_code == 409
    assert sign_up(client, login_as, person(), event).status_code == 409
    assert snapshot(db) == before


@pytest.mark.parametrize("reason", ["", "  ", "R" * 501])
def test_cancelling_needs_a_reason_and_writes_nothing_without_one(client, db, login_as, reason):
    organiser = person("official")
    event = ef.event(organiser)
    ef.register(person(), event)
    login_as(user=organiser)
    before = snapshot(db)
    response = client.post(
        f"/events/{event.id}/cancel", data={"reason": reason}, follow_redirects=True
    )
    assert "Say why the event is cancelled" in page(response)
    assert snapshot(db) == before


def test_a_past_event_cannot_be_cancelled(client, db, login_as):
    organiser = person("official")
    event = ef.event(organiser)
    ef.register(person(), event)
    ef.reschedule(event, timedelta(days=-2))
    login_as(user=organiser)
    before = snapshot(db)
    assert (
        client.post(f"/events/{event.id}/cancel", data={"reason": "Prea târziu"}).status_code == 409
    )
    assert snapshot(db) == before


def test_materials_after_the_event_are_cleaned_and_shown(client, db, login_as):
    organiser = person("official")
    event = ef.event(organiser, starts_in=timedelta(days=-3))
    login_as(user=organiser)
    english(client)

    response = client.post(
        f"/events/{event.id}/materials",
        data={
            "materials": "Prezentarea: [slide-uri](https://example.org/p.pdf) "
            "<script>alert(1)</script>"
        },
    )

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/events/{event.id}#materials")
    html = page(client.get(f"/events/{event.id}"))
    assert 'id="materials"' in html
    section = html[html.index('id="materials"') :]
    assert 'href="https://example.org/p.pdf"' in section and "nofollow" in section
    assert "<script>alert(1)" not in html
    assert fresh(db, event).materials.startswith("Prezentarea:")

    before = snapshot(db)
    assert (
        client.post(f"/events/{event.id}/materials", data={"materials": "M" * 20001}).status_code
        == 400
    )
    assert snapshot(db) == before
