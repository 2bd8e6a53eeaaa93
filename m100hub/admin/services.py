from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import User
from ..activity.services import log
from ..extensions import db
from ..notifications.services import notify

ROLE_ATTRIBUTES = {"admin": "is_admin", "moderator": "is_moderator"}


class LastAdmin(Exception):
    """The platform would be left without an administrator."""


def set_role(actor, person, role: str, grant: bool) -> bool:
    """Grant or revoke a platform role; returns False when nothing changed."""
    attribute = ROLE_ATTRIBUTES[role]
    if getattr(person, attribute) == grant:
        return False
    if role == "admin" and not grant and _admin_count() <= 1:
        raise LastAdmin()
    setattr(person, attribute, grant)
    db.session.flush()
    verb = "role_granted" if grant else "role_revoked"
    log(actor, verb, person, label=person.display_name, role=role)
    notify([person], verb, person, actor=actor, payload={"role": role})
    return True


def _admin_count() -> int:
    """Admins, with their rows locked (PostgreSQL), so two admins cannot demote each other at
    once; SQLite's write transactions are serialised anyway."""
    ids = db.session.scalars(select(User.id).where(User.is_admin.is_(True)).with_for_update())
    return len(list(ids))
