"""A person's registrations, tickets and events in their data download, and what deleting
the account does to them: every active registration of an event still to come is cancelled
as the person would cancel it, so the first on the waiting list gets the place (and is told);
then the registrations, co-organiser seats and the calendar address go. Events the person
created stay, no longer naming them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..database import utcnow
from ..extensions import db
from ..features import PersonalData, Records, iso
from .models import CalendarFeed, Event, EventOrganiser, Registration, RegistrationStatus
from .registration import cancel


def export(person) -> list[Records]:
    registrations = db.session.execute(select(Registration, Event.title).join(
        Event, Event.id == Registration.event_id).where(Registration.user_id == person.id)
        .order_by(Registration.id)).all()
    organised = db.session.scalars(select(Event).where(
        (Event.created_by_id == person.id) | Event.id.in_(select(EventOrganiser.event_id).where(
            EventOrganiser.user_id == person.id))).order_by(Event.id))
    feed = db.session.get(CalendarFeed, person.id)
    return [
        Records("registrations", _l("Your event registrations"), [
            {"event": title, "status": r.status.value, "ticket_code": r.code,
             "registered": iso(r.created_dt), "confirmed": iso(r.confirmed_dt),
             "cancelled": iso(r.cancelled_dt), "checked_in": iso(r.checked_in_dt)}
            for r, title in registrations]),
        Records("events_organised", _l("Events you organise"), [
            {"title": e.title, "starts": iso(e.starts_dt), "created": iso(e.created_dt),
             "creator": e.created_by_id == person.id} for e in organised]),
        Records("calendar_feed", _l("Your personal calendar address"),
                [{"created": iso(feed.created_dt)}] if feed else []),
    ]


def erase(person) -> None:
    upcoming = db.session.scalars(select(Registration.event_id).join(
        Event, Event.id == Registration.event_id).where(
        Registration.user_id == person.id, Registration.status != RegistrationStatus.CANCELLED,
        Event.starts_dt > utcnow()).order_by(Registration.event_id))
    for event_id in list(upcoming):
        cancel(person, event_id)  # locks the event, promotes the first in line
    # registrations, seats and the feed go with the person's row (foreign keys)


PERSONAL_DATA = PersonalData(export, erase, models=(
    Event, EventOrganiser, Registration, CalendarFeed))
