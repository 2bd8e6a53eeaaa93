from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import with_expression

from ..extensions import db
from ..notifications.queries import unread
from .models import User


def load_by_session_id(session_id: str) -> User | None:
    """Flask-Login's user loader: ``"<id>:<session token>"``; a stale token loads nobody.
    The unread notifications of the header's badge come in the same query."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    return db.session.scalar(
        select(User).options(with_expression(User.unread_notifications, unread(User.id)))
        .where(User.id == int(user_id), User.session_token == token)
    )
