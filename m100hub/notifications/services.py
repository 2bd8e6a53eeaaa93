"""Writing notifications: in the same transaction as the change that causes them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import update

from ..database import after_commit, rows_changed, utcnow
from ..extensions import db, socketio
from .kinds import KINDS
from .models import Notification


def _ids(people: Iterable) -> set[int]:
    return {p if isinstance(p, int) else p.id for p in people}


def notify(recipients: Iterable, kind: str, target=None, actor=None, payload=None) -> int:
    """Write one Notification per recipient (the actor excepted); flush, never commit.

    ``target`` is any model instance with an ``id``; its table name is stored beside the id.
    Once the caller commits, the recipients' open pages are told through Socket.IO.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    ids = _ids(recipients) - ({actor.id} if actor is not None else set())
    if not ids:
        return 0
    rows = [
        Notification(
            recipient_id=recipient_id,
            kind=kind,
            actor_id=actor.id if actor is not None else None,
            target_type=target.__tablename__ if target is not None else None,
            target_id=target.id if target is not None else None,
            payload=dict(payload or {}),
        )
        for recipient_id in sorted(ids)
    ]
    db.session.add_all(rows)
    db.session.flush()
    after_commit(lambda: _push(sorted(ids)))
    return len(rows)


def _push(recipient_ids: list[int]) -> None:
    for recipient_id in recipient_ids:
        socketio.emit("notification", {}, to=f"user:{recipient_id}", namespace="/")


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
