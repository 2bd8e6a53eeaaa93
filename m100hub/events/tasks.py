"""The 24-hour reminder: a periodic task (Celery beat) that reminds each confirmed person
once — a conditional UPDATE … RETURNING claims the registrations, so a second run, a retried
one or a second worker never reminds anybody twice."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from sqlalchemy import select, update

from ..database import commit, utcnow
from ..extensions import db
from ..notifications.services import notify
from .models import Event, Registration, RegistrationStatus

REMIND_BEFORE = timedelta(hours=24)


@shared_task(name="events.send_reminders")
def send_reminders() -> int:
    """Remind confirmed people of events starting within 24 hours; returns how many."""
    now = utcnow()
    due = select(Event.id).where(Event.starts_dt > now, Event.starts_dt <= now + REMIND_BEFORE,
                                 Event.cancelled_dt.is_(None))
    claimed = db.session.execute(
        update(Registration).where(
            Registration.event_id.in_(due), Registration.reminded_dt.is_(None),
            Registration.status == RegistrationStatus.CONFIRMED)
        .values(reminded_dt=now).returning(Registration.event_id, Registration.user_id)).all()
    by_event: dict[int, list[int]] = {}
    for event_id, user_id in claimed:
        by_event.setdefault(event_id, []).append(user_id)
    for event_id, user_ids in sorted(by_event.items()):
        event = db.session.get_one(Event, event_id)
        notify(user_ids, "event_reminder", event,
               payload={"title": event.title, "event_id": event.id})
    commit()
    return len(claimed)
