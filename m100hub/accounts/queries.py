from __future__ import annotations

from functools import cache

from sqlalchemy import Select, bindparam, select
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
    return db.session.scalar(_signed_in_person(), {"user_id": int(user_id), "token": token})


@cache
def _signed_in_person() -> Select:
    """The loader's statement, built once: it runs on every signed-in request, and building a
    SELECT with its loader options and its cache key costs about as much CPU as running it."""
    return (select(User).options(with_expression(User.unread_notifications, unread(User.id)))
            .where(User.id == bindparam("user_id"), User.session_token == bindparam("token")))
