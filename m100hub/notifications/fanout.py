"""Fan-out: an event's audience (a thread's followers…) gets its notification rows and live
pushes from Celery, in batches, never inside the request that caused the event.

Exactly once per recipient: each batch runs in a transaction of its own that locks the event's
row (concurrent runs take turns), reads the next people after the event's cursor in id order,
writes their rows, moves the cursor and commits — and the unique key (event, recipient)
refuses a second row whatever happens. Pushes leave after each batch commits, only to the
people whose row that batch wrote. A worker killed mid-way leaves the cursor at the last
committed batch; the periodic sweep sends every unfinished event through the task again.
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from flask import current_app
from sqlalchemy import select

from ..celery_app import enqueue, tasks_run_in_process
from ..database import after_commit, commit, insert_on_conflict, locked, utcnow
from ..extensions import db, socketio
from .kinds import AUDIENCES, Delivery
from .models import Notification, NotificationEvent
from .preferences import deliveries

#: recipients written per INSERT (and per transaction); NOTIFICATION_BATCH_SIZE sets the task's
BATCH_SIZE = 500
#: the sweep leaves younger events to the task queued when they were written
SWEEP_AFTER = timedelta(seconds=60)
#: events the sweep sends on per run (the next run takes the rest)
SWEEP_LIMIT = 1000


def recipient_rows(event: NotificationEvent, recipient_ids) -> list[dict]:
    """The rows of the recipients who want this kind (their preference, or its default),
    each with the way it reaches them: the app only, or an e-mail (at once, in a digest)."""
    chosen = deliveries(event.kind, recipient_ids)
    return [
        {"event_id": event.id, "recipient_id": recipient_id, "kind": event.kind,
         "actor_id": event.actor_id, "target_type": event.target_type,
         "target_id": event.target_id, "payload": event.payload, "city_id": event.city_id,
         "created_dt": event.created_dt, "delivery": chosen[recipient_id].value}
        for recipient_id in recipient_ids if chosen[recipient_id] != Delivery.OFF
    ]


def write_rows(event: NotificationEvent, recipient_ids) -> list[int]:
    """Write the rows of the recipients who want this kind (one INSERT, batched by the
    driver); returns the ids whose row this call wrote — one already there is left as it is.
    The e-mail each row asks for is sent by the digests' beat (notifications.digests), after
    this transaction commits."""
    rows = recipient_rows(event, recipient_ids) if recipient_ids else []
    if not rows:
        return []
    statement = (insert_on_conflict(Notification)
                 .on_conflict_do_nothing(index_elements=["event_id", "recipient_id"])
                 .returning(Notification.recipient_id))
    return list(db.session.scalars(statement, rows))


def push(recipient_ids) -> None:
    """Tell the recipients' open pages (the badge asks for its count): one message for the
    whole batch, through the Redis queue to every web process, each telling its own."""
    rooms = [f"user:{recipient_id}" for recipient_id in recipient_ids]
    if rooms:
        socketio.emit("notification", {}, to=rooms, namespace="/")


def push_after_commit(recipient_ids: list[int]) -> None:
    if recipient_ids:
        after_commit(lambda: push(recipient_ids))


def _advance(event: NotificationEvent, size: int) -> list[int] | None:
    """Write the next batch of the event's audience (flush only): the ids written, or None
    (the event marked done) when nobody is left."""
    assert event.audience is not None
    people = AUDIENCES[event.audience](event.audience_id or 0).subquery()
    person = people.c[0]
    batch = list(db.session.scalars(
        select(person).where(person > event.fanned_out_to, person.not_in(event.excluded or []))
        .distinct().order_by(person).limit(size)))
    if not batch:
        event.fanned_out_dt = utcnow()
        return None
    written = write_rows(event, batch)
    event.fanned_out_to = batch[-1]
    push_after_commit(written)
    return written


def fan_out_batch(event_id: int, size: int = BATCH_SIZE) -> list[int] | None:
    """The next batch of the event's audience, written and committed; returns the ids written
    (possibly none, if another run wrote them), or None once the event is done."""
    event = locked(NotificationEvent, event_id)
    if event is None or event.fanned_out_dt is not None or event.audience is None:
        commit()
        return None
    written = _advance(event, size)
    commit()
    return written


@shared_task(name="notifications.fan_out")
def fan_out(event_id: int) -> int:
    """Write every recipient's notification of the event; returns how many this run wrote.
    Idempotent: a second, retried or concurrent run writes nothing twice."""
    size = current_app.config["NOTIFICATION_BATCH_SIZE"]
    told = 0
    while (written := fan_out_batch(event_id, size)) is not None:
        told += len(written)
    return told


def fan_out_later(event: NotificationEvent) -> None:
    """Once the caller commits, the task fans the event out. Without a worker (no Redis:
    tasks run in process) the rows are written now, in the caller's transaction: a task run
    after the commit would need a second connection while the request holds its own (SQLite
    would wait on its own lock, a full pool on itself)."""
    if tasks_run_in_process():
        while _advance(event, current_app.config["NOTIFICATION_BATCH_SIZE"]) is not None:
            pass
        return
    event_id = event.id
    after_commit(lambda: enqueue(fan_out, event_id))


@shared_task(name="notifications.sweep")
def sweep() -> int:
    """Send again every event whose fan-out has not finished a minute after it was written
    (Redis was down when its task was queued, a worker died…); returns how many."""
    due = list(db.session.scalars(
        select(NotificationEvent.id)
        .where(NotificationEvent.fanned_out_dt.is_(None),
               NotificationEvent.created_dt <= utcnow() - SWEEP_AFTER)
        .order_by(NotificationEvent.id).limit(SWEEP_LIMIT)))
    commit()
    for event_id in due:
        enqueue(fan_out, event_id)
    return len(due)
