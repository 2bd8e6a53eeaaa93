"""The main event flow over HTTP in one test client: organise, register, wait, promote,
ticket, check-in, calendar files."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import func, select

from m100hub.database import utcnow
from m100hub.events.models import Event, Registration
from m100hub.notifications.models import Notification

BUCHAREST = ZoneInfo("Europe/Bucharest")


def test_organise_register_waitlist_promote_ticket_check_in(app, db, client, login_as, outbox):
    client.set_cookie("lang", "en")
    organiser = login_as("official")
    starts = (utcnow() + timedelta(days=3)).astimezone(BUCHAREST)
    response = client.post("/events/new", data={
        "kind": "workshop", "title": "Atelier: comunități de energie", "description": "Hai!",
        "city_id": "0", "sectors": ["energy"], "attendance": "hybrid",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "address": "Primăria Suceava", "online_url": "https://meet.example.ro/secret-room",
        "capacity": "2", "organisation_id": "0", "co_organisers": ""})
    assert response.status_code == 303, response.get_data(as_text=True)
    event = db.session.scalar(select(Event).order_by(Event.id.desc()))
    event_id = event.id
    people = [login_as("citizen", locale="en") for _ in range(3)]
    for person in people:
        login_as(user=person)
        assert client.post(f"/events/{event_id}/register").status_code == 303
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "number 1 on the waiting list" in page
    assert "secret-room" not in page
    assert "secret-room" not in client.get(f"/events/{event_id}/event.ics").get_data(as_text=True)

    login_as(user=people[0])
    assert "secret-room" in client.get(f"/events/{event_id}").get_data(as_text=True)
    assert client.post(f"/events/{event_id}/cancel-registration",
                       data={"confirmed": "yes"}).status_code == 303
    stored = db.session.get(Event, event_id)
    db.session.refresh(stored)
    assert (stored.confirmed_count, stored.waitlist_count) == (2, 0)
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == people[2].id, Notification.kind == "event_promoted")) == 1

    login_as(user=people[2])
    assert client.get(f"/events/{event_id}/ticket").status_code == 200
    qr = client.get(f"/events/{event_id}/ticket.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    ics = Calendar.from_ical(client.get(f"/events/{event_id}/event.ics").data)
    entry = next(iter(ics.walk("VEVENT")))
    assert "secret-room" in str(entry["location"])
    code = db.session.scalar(select(Registration.code).where(
        Registration.user_id == people[2].id, Registration.event_id == event_id))

    login_as(user=organiser)
    assert client.get(f"/events/{event_id}/check-in?code={code}").status_code == 200
    assert client.post(f"/events/{event_id}/check-in", data={"code": code}).status_code == 200
    assert client.post(f"/events/{event_id}/check-in", data={"code": code}).status_code == 409
    csv = client.get(f"/events/{event_id}/attendees.csv").get_data(as_text=True)
    assert csv.count("\n") == 4 and "checked_in_at" in csv
    assert client.get(f"/events/{event_id}/attendees").status_code == 200
    assert client.get("/events").status_code == 200
    assert client.get("/events/calendar").status_code == 200
    assert any("event-" in part.get_filename() or "" for m in outbox()
               for part in m.iter_attachments())
