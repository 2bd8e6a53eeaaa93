"""Helpers of the events' tests over HTTP: what a request may write (snapshot), pages,
forms with times in Bucharest, registrations and their counters, notifications, e-mails and
calendar files."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import func, select

from m100hub.activity.models import ActivityEntry
from m100hub.events.models import (
    CalendarFeed,
    Event,
    EventOrganiser,
    Registration,
    RegistrationStatus,
)
from m100hub.extensions import db as _db
from m100hub.notifications.models import Notification
from tests.support import factories
from tests.support.web import english as english

BUCHAREST = ZoneInfo("Europe/Bucharest")
CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
#: the meeting link that only confirmed people and the organisers may see
LINK = "https://meet.example.ro/camera-secreta-7f3a"
SECRET = "camera-secreta-7f3a"
#: a winter day (Bucharest is UTC+2 then), far enough ahead for registration to be open
START, END = "2031-01-15T10:00", "2031-01-15T12:30"


def count(model, *where) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def snapshot(db) -> dict:
    """Everything an event request may write: registrations, the events and their counters,
    co-organisers, notifications, the activity log, calendar addresses."""
    db.session.expire_all()
    return {
        "registrations": sorted(
            db.session.execute(
                select(
                    Registration.id,
                    Registration.event_id,
                    Registration.user_id,
                    Registration.status,
                    Registration.code,
                    Registration.confirmed_dt,
                    Registration.cancelled_dt,
                    Registration.checked_in_dt,
                    Registration.reminded_dt,
                )
            ).all()
        ),
        "events": sorted(
            db.session.execute(
                select(
                    Event.id,
                    Event.kind,
                    Event.title,
                    Event.description,
                    Event.city_id,
                    Event.sectors,
                    Event.starts_dt,
                    Event.ends_dt,
                    Event.attendance,
                    Event.address,
                    Event.online_url,
                    Event.capacity,
                    Event.registration_opens_dt,
                    Event.registration_closes_dt,
                    Event.confirmed_count,
                    Event.waitlist_count,
                    Event.materials,
                    Event.cancelled_dt,
                    Event.cancel_reason,
                    Event.organisation_id,
                )
            ).all()
        ),
        "organisers": sorted(
            db.session.execute(select(EventOrganiser.event_id, EventOrganiser.user_id)).all()
        ),
        "notifications": count(Notification),
        "activity": count(ActivityEntry),
        "feeds": sorted(db.session.execute(select(CalendarFeed.user_id, CalendarFeed.token)).all()),
    }


def page(response) -> str:
    return response.get_data(as_text=True)


def fresh(db, obj):
    """The row as the database has it now."""
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def person(role: str = "citizen", **attrs):
    """Somebody who reads the hub in English."""
    return factories.person(role, locale="en", **attrs)


def local(moment: datetime) -> str:
    """What a person types in the form for ``moment``: Bucharest time."""
    return moment.astimezone(BUCHAREST).strftime("%Y-%m-%dT%H:%M")


def event_form(**overrides) -> dict:
    data = {
        "kind": "workshop",
        "title": "Atelier: acoperișuri verzi",
        "description": "Despre **acoperișuri** verzi.",
        "city_id": "0",
        "sectors": ["energy", "buildings"],
        "starts_at": START,
        "ends_at": END,
        "attendance": "in_person",
        "address": "Casa de Cultură, Suceava",
        "online_url": "",
        "capacity": "20",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "organisation_id": "0",
        "co_organisers": "",
    }
    data.update(overrides)
    return data


def edit_form(event: Event, **overrides) -> dict:
    """The edit form as it comes back unchanged, with ``overrides``."""
    data = event_form(
        kind=event.kind.value,
        title=event.title,
        description=event.description,
        city_id=str(event.city_id or 0),
        sectors=list(event.sectors),
        starts_at=local(event.starts_dt),
        ends_at=local(event.ends_dt),
        attendance=event.attendance.value,
        address=event.address,
        online_url=event.online_url,
        capacity="" if event.capacity is None else str(event.capacity),
        registration_opens_at=local(event.registration_opens_dt)
        if event.registration_opens_dt
        else "",
        registration_closes_at=local(event.registration_closes_dt)
        if event.registration_closes_dt
        else "",
        organisation_id=str(event.organisation_id or 0),
    )
    data.update(overrides)
    return data


def registration_of(db, who, event) -> Registration | None:
    """The person's latest registration for the event, whatever its status."""
    db.session.expire_all()
    return db.session.scalar(
        select(Registration)
        .where(Registration.user_id == who.id, Registration.event_id == event.id)
        .order_by(Registration.id.desc())
        .limit(1)
    )


def status_of(db, who, event) -> RegistrationStatus | None:
    found = registration_of(db, who, event)
    return found.status if found else None


def counters(db, event) -> tuple[int, int]:
    stored = fresh(db, event)
    return stored.confirmed_count, stored.waitlist_count


def told(db, kind: str, event=None) -> list[int]:
    """Ids of the people who got a notification of ``kind`` (about ``event``)."""
    db.session.expire_all()
    stmt = select(Notification.recipient_id).where(Notification.kind == kind)
    if event is not None:
        stmt = stmt.where(Notification.target_type == "events", Notification.target_id == event.id)
    return sorted(db.session.scalars(stmt))


def activity(db, verb: str) -> list[ActivityEntry]:
    return list(db.session.scalars(select(ActivityEntry).where(ActivityEntry.verb == verb)))


def mails_to(outbox, who) -> list:
    return [m for m in outbox() if m["To"] == who.email]


def only_entry(calendar: Calendar):
    entries = list(calendar.walk("VEVENT"))
    assert len(entries) == 1, entries
    return entries[0]


def sign_up(client, login_as, who, event, follow: bool = False):
    login_as(user=who)
    return client.post(f"/events/{event.id}/register", follow_redirects=follow)
