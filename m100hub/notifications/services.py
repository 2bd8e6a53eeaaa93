"""Writing notifications: in the same transaction as the change that causes them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update

from ..database import rows_changed, utcnow
from ..extensions import db
from .fanout import fan_out_later, push_after_commit, write_rows
from .kinds import AUDIENCES, KINDS, Audience
from .models import Notification, NotificationEvent


def _ids(people: Iterable) -> set[int]:
    return {p if isinstance(p, int) else p.id for p in people}


def notify(recipients: Iterable | Audience, kind: str, target=None, actor=None, payload=None,
           exclude: Iterable = (), city: int | None = None) -> int:
    """Record one event and tell its recipients (the actor and ``exclude`` excepted); flush,
    never commit.

    ``recipients`` lists people (ids or objects): their rows are written now, in this
    transaction. An ``Audience`` (a thread's followers…) may be thousands: only the event row
    is written now, and the fan-out task writes everyone's row once the caller commits (with
    no worker to send it to — no Redis — in this transaction).
    Returns how many rows were written now. ``target`` is any model instance with an ``id``;
    its table name is stored beside the id. ``city`` is the id of the city it is about (the
    digests group by it); without it, the target's ``city_id`` if it has one, else none (the
    whole hub). Pages open are told through Socket.IO.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    skipped = _ids(exclude) | ({actor.id} if actor is not None else set())
    event = NotificationEvent(
        kind=kind, actor_id=actor.id if actor is not None else None,
        target_type=target.__tablename__ if target is not None else None,
        target_id=target.id if target is not None else None, payload=dict(payload or {}),
        city_id=city if city is not None else getattr(target, "city_id", None))
    if isinstance(recipients, Audience):
        event.audience, event.audience_id = recipients.name, recipients.ident
        event.excluded = sorted(skipped)
        db.session.add(event)
        db.session.flush()
        fan_out_later(event)
        return 0
    ids = sorted(_ids(recipients) - skipped)
    if not ids:
        return 0
    event.fanned_out_dt = utcnow()
    event.created_dt = event.fanned_out_dt
    db.session.add(event)
    db.session.flush()
    written = write_rows(event, ids)
    push_after_commit(written)
    return len(written)


def audience_size(audience: Audience, exclude: Iterable = ()) -> int:
    """How many people the audience holds now, ``exclude`` apart (one COUNT)."""
    people = AUDIENCES[audience.name](audience.ident).subquery()
    return db.session.scalar(select(func.count(people.c[0].distinct())).where(
        people.c[0].not_in(_ids(exclude)))) or 0


def mark_read(user_id: int, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread notification of the person as read."""
    stmt = (
        update(Notification)
        .where(Notification.recipient_id == user_id, Notification.read_dt.is_(None))
        .values(read_dt=utcnow())
    )
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    return rows_changed(stmt)
