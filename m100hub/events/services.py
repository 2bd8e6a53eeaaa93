"""Organising events: create, edit, co-organisers, cancel, message, materials, check-in.
Registering and the waiting list: registration.py. Services flush, never commit."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..accounts.models import User
from ..activity.services import log
from ..database import locked, rows_changed, utcnow
from ..errors import Conflict
from ..extensions import db
from ..notifications.kinds import Audience
from ..notifications.services import audience_size, notify
from ..text import render_markdown
from .models import Event, EventOrganiser, Registration, RegistrationStatus
from .registration import set_capacity

FIELDS = ("kind", "title", "city_id", "sectors", "starts_dt", "ends_dt", "attendance",
          "address", "online_url", "registration_opens_dt", "registration_closes_dt",
          "organisation_id")



def require_editable(event: Event) -> None:
    """A cancelled event is kept as it was."""
    if event.cancelled_dt is not None:
        raise Conflict("cancelled")


def save(actor, event: Event | None, data: dict) -> Event:
    """Create or change an event. A raised capacity promotes people from the waiting list."""
    creating = event is None
    if event is None:
        event = Event(created_by_id=actor.id)
        db.session.add(event)
    else:
        require_editable(event)
    for name in FIELDS:
        setattr(event, name, data[name] if name != "city_id" else (data[name] or None))
    event.organisation_id = data["organisation_id"] or None
    event.description = data["description"] or ""
    event.description_html = render_markdown(event.description)
    db.session.flush()
    if creating:
        event.capacity = data["capacity"]
        db.session.flush()
        log(actor, "event_created", event, label=event.title)
    else:
        set_capacity(event.id, data["capacity"])
    set_co_organisers(event, data.get("co_organisers", []))
    return event


def set_co_organisers(event: Event, people: list[User]) -> None:
    db.session.execute(delete(EventOrganiser).where(EventOrganiser.event_id == event.id))
    for person in {p.id: p for p in people}.values():
        if person.id != event.created_by_id:
            db.session.add(EventOrganiser(event_id=event.id, user_id=person.id))
    db.session.flush()


def organiser_ids(event: Event, co_organisers: list[User] | None = None) -> set[int]:
    """Who manages the event: its creator and co-organisers (read unless already loaded)."""
    ids = ({u.id for u in co_organisers} if co_organisers is not None else set(
        db.session.scalars(select(EventOrganiser.user_id).where(
            EventOrganiser.event_id == event.id))))
    return ids | ({event.created_by_id} if event.created_by_id else set())


def registrants(event: Event) -> Audience:
    """People with an active registration (confirmed or waiting): told from Celery."""
    return Audience("event_registrants", event.id)


def _payload(event: Event, **extra) -> dict:
    return {"title": event.title, "event_id": event.id, **extra}


def cancel(actor, event: Event, reason: str) -> int:
    """Cancel the event; everyone registered is told. Returns how many were told."""
    event = locked(Event, event.id)
    if event.cancelled_dt is not None:
        raise Conflict("cancelled")
    if event.ends_dt <= utcnow():
        raise Conflict("past")
    event.cancelled_dt, event.cancel_reason = utcnow(), reason
    db.session.flush()
    notify(registrants(event), "event_cancelled", event, actor=actor,
           payload=_payload(event, reason=reason))
    log(actor, "event_cancelled", event, reason=reason, label=event.title)
    return audience_size(registrants(event), exclude=[actor])


def message(actor, event: Event, text: str) -> int:
    """A message to everyone registered (a notification each)."""
    if event.cancelled_dt is not None:
        raise Conflict("cancelled")
    notify(registrants(event), "event_message", event, actor=actor,
           payload=_payload(event, message=text, person=actor.display_name))
    return audience_size(registrants(event), exclude=[actor])


def save_materials(event: Event, materials: str) -> None:
    event.materials = materials
    event.materials_html = render_markdown(materials)
    db.session.flush()


def check_in(event: Event, code: str) -> Registration:
    """Mark the ticket's holder as arrived, once: a conditional UPDATE, so two scans (or two
    organisers) never both succeed. LookupError: not a confirmed ticket of this event."""
    registration = db.session.scalar(select(Registration).options(
        joinedload(Registration.user)).where(
        Registration.event_id == event.id, Registration.code == code.strip().upper())
        .execution_options(populate_existing=True))
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        raise LookupError(code)
    now = utcnow()
    done = rows_changed(update(Registration).where(
        Registration.id == registration.id, Registration.checked_in_dt.is_(None),
        Registration.status == RegistrationStatus.CONFIRMED)  # not cancelled meanwhile
        .values(checked_in_dt=now).execution_options(synchronize_session=False))
    if done != 1:
        status = db.session.scalar(select(Registration.status).where(
            Registration.id == registration.id))
        if status != RegistrationStatus.CONFIRMED:
            raise LookupError(code)
        raise Conflict("already checked in")
    set_committed_value(registration, "checked_in_dt", now)
    return registration
