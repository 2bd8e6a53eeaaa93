"""Registering, cancelling and the waiting list.

Every change takes the event's row lock first (SELECT … FOR UPDATE on PostgreSQL; on SQLite
the writing transaction began IMMEDIATE), then reads the counters afresh: so 300 people
registering at once for 50 places get exactly 50 confirmations and 250 places in the queue,
in arrival order, and each cancellation promotes exactly the first in line. A partial unique
index refuses a second active registration of one person.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..database import locked, utcnow
from ..errors import Conflict
from ..extensions import db
from ..notifications.services import notify
from .mail import send_confirmation
from .models import Event, Registration, RegistrationStatus

#: ticket codes: no 0/O, 1/I/L, so that a code read aloud or typed is unambiguous
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def register(user, event_id: int) -> Registration:
    """Confirmed while places remain, else on the waiting list. Conflict when registration is
    closed (deadline, cancelled, started) or the person is already registered."""
    event = locked(Event, event_id)
    if event is None:
        raise LookupError(event_id)
    if not event.registration_open_at(utcnow()):
        raise Conflict("closed")
    confirmed = not event.is_full
    registration = Registration(
        event_id=event.id, user_id=user.id, code=new_code(),
        status=RegistrationStatus.CONFIRMED if confirmed else RegistrationStatus.WAITLISTED,
        confirmed_dt=utcnow() if confirmed else None)
    try:
        with db.session.begin_nested():
            db.session.add(registration)
    except IntegrityError as exc:  # an active registration exists (or, rarely, the code)
        raise Conflict("already registered") from exc
    if confirmed:
        event.confirmed_count += 1
    else:
        event.waitlist_count += 1
    db.session.flush()
    if confirmed:
        _confirmed(event, registration)
    return registration


def cancel(user, event_id: int) -> Registration:
    """The person cancels; a freed place goes to the first on the waiting list."""
    event = locked(Event, event_id)
    registration = db.session.scalar(select(Registration).where(
        Registration.event_id == event_id, Registration.user_id == user.id,
        Registration.status != RegistrationStatus.CANCELLED)
        .execution_options(populate_existing=True))
    if registration is None:
        raise Conflict("not registered")
    if event.starts_dt <= utcnow():
        raise Conflict("started")
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    registration.status, registration.cancelled_dt = RegistrationStatus.CANCELLED, utcnow()
    if was_confirmed:
        event.confirmed_count -= 1
    else:
        event.waitlist_count -= 1
    db.session.flush()
    if was_confirmed:
        promote(event)
    return registration


def set_capacity(event_id: int, capacity: int | None) -> int:
    """Change the number of places; a raise promotes as many as now fit (a cut never
    un-confirms anybody). Returns how many were promoted."""
    event = locked(Event, event_id)
    event.capacity = capacity
    db.session.flush()
    return promote(event)


def promote(event: Event) -> int:
    """Confirm people from the waiting list, first come first served, while places remain.
    The caller holds the event's lock."""
    if event.cancelled_dt is not None or event.starts_dt <= utcnow():
        return 0
    free = None if event.capacity is None else event.capacity - event.confirmed_count
    if free is not None and free <= 0:
        return 0
    stmt = (select(Registration).where(Registration.event_id == event.id,
                                       Registration.status == RegistrationStatus.WAITLISTED)
            .order_by(Registration.id))
    if free is not None:
        stmt = stmt.limit(free)
    promoted = list(db.session.scalars(stmt))
    for registration in promoted:
        registration.status, registration.confirmed_dt = RegistrationStatus.CONFIRMED, utcnow()
    event.confirmed_count += len(promoted)
    event.waitlist_count -= len(promoted)
    db.session.flush()
    for registration in promoted:
        _confirmed(event, registration, promoted=True)
    return len(promoted)


def _confirmed(event: Event, registration: Registration, promoted: bool = False) -> None:
    """Tell the person (a notification, and an e-mail with the calendar file)."""
    notify([registration.user_id], "event_promoted" if promoted else "event_confirmed", event,
           payload={"title": event.title, "event_id": event.id})
    send_confirmation(event, registration.user_id, promoted)


def waiting_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.execute(select(db.func.count()).where(
        Registration.event_id == registration.event_id,
        Registration.status == RegistrationStatus.WAITLISTED, Registration.id < registration.id)
    ).scalar_one()
    return ahead + 1
