"""The 24-hour reminder (events.send_reminders, the task Celery beat runs every five minutes,
called here directly: it commits) and the personal calendar feed (a secret, revocable address
listing the person's confirmed events)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from m100hub.events import registration as registering
from m100hub.events import services
from m100hub.events.models import CalendarFeed, Registration
from m100hub.events.tasks import send_reminders
from m100hub.extensions import db as _db
from m100hub.notifications.models import Notification
from tests.support import event_factories as ef
from tests.support import factories

LINK = "https://meet.example.ro/camera-secreta-7f3a"


def person(role: str = "citizen", **attrs):
    return factories.person(role, locale="en", **attrs)


def count(model, *where) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def reminded(db, event) -> list[int]:
    """Who got a reminder of ``event``."""
    db.session.expire_all()
    return sorted(
        db.session.scalars(
            select(Notification.recipient_id).where(
                Notification.kind == "event_reminder",
                Notification.target_type == "events",
                Notification.target_id == event.id,
            )
        )
    )


def reminded_at(db, who, event):
    db.session.expire_all()
    return db.session.scalar(
        select(Registration.reminded_dt)
        .where(Registration.user_id == who.id, Registration.event_id == event.id)
        .order_by(Registration.id.desc())
        .limit(1)
    )


def run(db) -> int:
    """One run of the periodic task, as the worker runs it (its own app context and session,
    and a commit). Our session commits first, so the task sees what the test wrote."""
    db.session.commit()
    sent = send_reminders()
    db.session.expire_all()
    return sent


def entries(response) -> dict[str, object]:
    """The calendar's events by title."""
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/calendar"
    return {str(e["summary"]): e for e in Calendar.from_ical(response.data).walk("VEVENT")}


# --- reminders -----------------------------------------------------------------------------


def test_reminders_go_once_to_the_confirmed_people_of_events_within_24_hours(client, db, login_as):
    admin = person("admin")
    soon = ef.event(admin, title="Atelier de mâine", starts_in=timedelta(hours=5), capacity=2)
    holder, gone, first_waiting, second_waiting = (person() for _ in range(4))
    for who in (holder, gone, first_waiting, second_waiting):
        ef.register(who, soon)
    registering.cancel(gone, soon.id)  # first_waiting moves up, second_waiting still waits
    edge = ef.event(admin, starts_in=timedelta(hours=23, minutes=58))
    at_edge = person()
    ef.register(at_edge, edge)
    far = ef.event(admin, starts_in=timedelta(hours=24, minutes=10))
    too_early = person()
    ef.register(too_early, far)
    running = ef.event(admin, starts_in=timedelta(days=1))
    late = person()
    ef.register(late, running)
    ef.reschedule(running, timedelta(minutes=-30))
    called_off = ef.event(admin, starts_in=timedelta(hours=3))
    told_off = person()
    ef.register(told_off, called_off)
    services.cancel(admin, called_off, "Vorbitorul e bolnav.")

    assert run(db) == 3

    assert reminded(db, soon) == sorted([holder.id, first_waiting.id])
    assert reminded(db, edge) == [at_edge.id]
    for event in (far, running, called_off):
        assert reminded(db, event) == []
    for who, event in ((holder, soon), (first_waiting, soon), (at_edge, edge)):
        assert reminded_at(db, who, event) is not None
    for who, event in (
        (gone, soon),
        (second_waiting, soon),
        (too_early, far),
        (late, running),
        (told_off, called_off),
    ):
        assert reminded_at(db, who, event) is None
    note = db.session.scalar(
        select(Notification).where(
            Notification.kind == "event_reminder", Notification.recipient_id == holder.id
        )
    )
    assert note.payload == {"title": "Atelier de mâine", "event_id": soon.id}
    login_as(user=holder)
    assert "Reminder: “Atelier de mâine” starts within 24 hours." in client.get(
        "/notifications"
    ).get_data(as_text=True)

    # a second run (or a retried one) reminds nobody again
    notes = count(Notification)
    assert run(db) == 0
    assert count(Notification) == notes
    # and the reminders were committed by the task, not left for somebody else to commit
    db.session.rollback()
    assert reminded_at(db, holder, soon) is not None


def test_who_moves_up_or_comes_later_is_reminded_on_a_later_run_once(db):
    admin = person("admin")
    event = ef.event(admin, starts_in=timedelta(hours=6), capacity=1)
    holder, waiting = person(), person()
    ef.register(holder, event)
    ef.register(waiting, event)
    assert run(db) == 1
    assert reminded(db, event) == [holder.id]

    registering.cancel(holder, event.id)  # waiting moves up
    assert run(db) == 1
    assert reminded(db, event) == sorted([holder.id, waiting.id])
    assert run(db) == 0

    newcomer = person()
    ef.register(newcomer, event)  # full: waits, so no reminder
    assert run(db) == 0
    registering.set_capacity(event.id, 2)  # moves up
    assert run(db) == 1
    assert reminded(db, event) == sorted([holder.id, waiting.id, newcomer.id])
    assert run(db) == 0


def test_an_event_moved_within_24_hours_is_reminded_then(db):
    event = ef.event(person("admin"), starts_in=timedelta(days=3))
    who = person()
    ef.register(who, event)
    assert run(db) == 0
    ef.reschedule(event, timedelta(hours=2))
    assert run(db) == 1
    assert reminded(db, event) == [who.id]


def test_no_reminder_runs_for_nobody(db):
    ef.event(person("admin"), starts_in=timedelta(hours=2))  # nobody registered
    assert run(db) == 0
    assert count(Notification, Notification.kind == "event_reminder") == 0


# --- the calendar feed ---------------------------------------------------------------------


def test_the_calendar_address_lists_only_the_persons_confirmed_events(app, client, db, login_as):
    admin = person("admin")
    who = person()
    confirmed = ef.event(admin, title="Atelier confirmat", attendance="hybrid", online_url=LINK)
    waiting = ef.event(
        admin,
        title="Atelier cu listă de așteptare",
        capacity=1,
        attendance="online",
        online_url=LINK,
    )
    ef.register(person(), waiting)
    dropped = ef.event(admin, title="Atelier părăsit")
    recent = ef.event(admin, title="Vizită de săptămâna trecută")
    ancient = ef.event(admin, title="Vizită de acum o jumătate de an")
    others = ef.event(admin, title="Atelierul altcuiva")
    ef.register(person(), others)
    for event in (confirmed, waiting, dropped, recent, ancient):
        ef.register(who, event)
    registering.cancel(who, dropped.id)
    ef.reschedule(recent, timedelta(days=-7))
    ef.reschedule(ancient, timedelta(days=-180))  # a calendar keeps 90 days of history
    login_as(user=who)

    response = client.post("/events/calendar-feed", follow_redirects=True)

    html = response.get_data(as_text=True)
    assert "Your new calendar address is ready" in html
    feed = db.session.get(CalendarFeed, who.id)
    url = f"http://localhost/calendar/{feed.token}.ics"
    assert f'value="{url}"' in html
    assert len(feed.token) >= 32
    # the address alone is enough: a calendar application has no session
    response = app.test_client().get(f"/calendar/{feed.token}.ics")
    assert "private" in response.headers["Cache-Control"]
    listed = entries(response)
    assert set(listed) == {"Atelier confirmat", "Vizită de săptămâna trecută"}
    assert LINK in str(listed["Atelier confirmat"]["location"])


def test_the_feed_follows_promotions_and_cancellations(app, client, db, login_as):
    admin = person("admin")
    event = ef.event(admin, title="Atelier cu un loc", capacity=1)
    holder, who = person(), person()
    ef.register(holder, event)
    ef.register(who, event)
    login_as(user=who)
    client.post("/events/calendar-feed")
    address = f"/calendar/{db.session.get(CalendarFeed, who.id).token}.ics"
    reader = app.test_client()
    assert entries(reader.get(address)) == {}

    registering.cancel(holder, event.id)  # who moves up
    db.session.commit()
    assert set(entries(reader.get(address))) == {"Atelier cu un loc"}

    registering.cancel(who, event.id)
    db.session.commit()
    assert entries(reader.get(address)) == {}


def test_a_cancelled_event_is_marked_cancelled_in_the_feed(app, client, db, login_as):
    admin = person("admin")
    event = ef.event(admin, title="Atelier anulat")
    who = person()
    ef.register(who, event)
    services.cancel(admin, event, "Nu avem sală.")
    login_as(user=who)
    client.post("/events/calendar-feed")
    token = db.session.get(CalendarFeed, who.id).token
    listed = entries(app.test_client().get(f"/calendar/{token}.ics"))
    assert all(str(entry["status"]) == "CANCELLED" for entry in listed.values())


def test_each_person_sees_only_their_own_feed(app, client, db, login_as):
    admin = person("admin")
    first, second = person(), person()
    ef.register(first, ef.event(admin, title="Atelierul primei persoane"))
    ef.register(second, ef.event(admin, title="Atelierul celei de-a doua"))
    tokens = {}
    for who in (first, second):
        login_as(user=who)
        client.post("/events/calendar-feed")
        tokens[who.id] = db.session.get(CalendarFeed, who.id).token
    reader = app.test_client()
    assert set(entries(reader.get(f"/calendar/{tokens[first.id]}.ics"))) == {
        "Atelierul primei persoane"
    }
    assert set(entries(reader.get(f"/calendar/{tokens[second.id]}.ics"))) == {
        "Atelierul celei de-a doua"
    }


def test_a_new_address_replaces_the_old_and_revoking_ends_it(app, client, db, login_as):
    who = person()
    ef.register(who, ef.event(person("admin"), title="Atelier în calendar"))
    login_as(user=who)
    reader = app.test_client()

    client.post("/events/calendar-feed")
    first = db.session.get(CalendarFeed, who.id).token
    assert set(entries(reader.get(f"/calendar/{first}.ics"))) == {"Atelier în calendar"}

    assert client.post("/events/calendar-feed").status_code == 303
    db.session.expire_all()
    second = db.session.get(CalendarFeed, who.id).token
    assert second != first
    assert count(CalendarFeed, CalendarFeed.user_id == who.id) == 1
    assert reader.get(f"/calendar/{first}.ics").status_code == 404
    assert reader.get(f"/calendar/{second}.ics").status_code == 200

    response = client.post("/events/calendar-feed", data={"revoke": "1"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Your calendar address is revoked." in html
    assert 'id="feed-url"' not in html and "Make my calendar address" in html
    db.session.expire_all()
    assert db.session.get(CalendarFeed, who.id) is None
    assert reader.get(f"/calendar/{second}.ics").status_code == 404
    assert reader.get(f"/calendar/{first}.ics").status_code == 404

    # revoking what is already revoked: nothing to do, nothing breaks
    assert client.post("/events/calendar-feed", data={"revoke": "1"}).status_code == 303
    assert count(CalendarFeed) == 0


@pytest.mark.parametrize(
    ("token", "status"),
    [
        ("nope", 404),
        ("", 404),
        ("a" * 43, 404),
        ("a" * 300, 404),
        ("..%2F..%2Fetc", 404),
        ("%00", 400),
    ],
)  # (a NUL byte is refused before any view)
def test_unknown_calendar_addresses_are_404(client, db, token, status):
    assert client.get(f"/calendar/{token}.ics").status_code == status


def test_a_token_with_extra_characters_is_not_the_token(app, client, db, login_as):
    who = person()
    ef.register(who, ef.event(person("admin")))
    login_as(user=who)
    client.post("/events/calendar-feed")
    token = db.session.get(CalendarFeed, who.id).token
    reader = app.test_client()
    assert reader.get(f"/calendar/{token}.ics").status_code == 200
    for wrong in (
        token[:-1],
        token + "x",
        token + "x" * 100,
        token.upper() if token.upper() != token else token.lower(),
    ):
        assert reader.get(f"/calendar/{wrong}.ics").status_code == 404, wrong
