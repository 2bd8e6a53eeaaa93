from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from .models import Notification


def unread(user_id):
    """The number of a person's unread notifications, as a scalar subquery (``user_id`` may
    be a column: the signed-in person is loaded with it, in the same query)."""
    return select(func.count()).where(
        Notification.recipient_id == user_id, Notification.read_dt.is_(None)
    ).scalar_subquery()


def unread_count(user_id: int) -> int:
    return db.session.scalar(select(unread(user_id))) or 0


def for_person(user_id: int, page: int, per_page: int):
    stmt = (
        select(Notification)
        .options(joinedload(Notification.actor))
        .where(Notification.recipient_id == user_id)
        .order_by(Notification.created_dt.desc(), Notification.id.desc())
    )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def get_own(user_id: int, notification_id: int) -> Notification | None:
    return db.session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.recipient_id == user_id
        )
    )
