"""Deleting an account: every feature's part (``Registry.erase_person``), then the account's
row, and one line in the public activity log without personal data. Flushes; the view
commits."""

from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import User
from ..activity.services import log
from ..database import locked
from ..errors import Conflict
from ..extensions import db
from ..features import registry


class LastAdmin(Conflict):
    """The platform would be left without an administrator."""


def delete_account(person_id: int, actor=None) -> None:
    """``actor``: the administrator acting on the person's request; None: the person. The
    person's row is locked first, so a second deletion (a double click, another tab) waits
    and then finds nothing: a Conflict."""
    person = locked(User, person_id)
    if person is None:
        raise Conflict("deleted already")
    if person.is_admin and _other_admins(person.id) == 0:
        raise LastAdmin("last admin")
    registry().erase_person(person)
    log(actor, "account_erased" if actor is not None else "account_deleted")


def _other_admins(person_id: int) -> int:
    """The other administrators, their rows locked (PostgreSQL) as admin.services does, so
    two administrators cannot delete each other at once; SQLite serialises writes anyway."""
    return len(list(db.session.scalars(select(User.id).where(
        User.is_admin.is_(True), User.id != person_id).with_for_update())))
