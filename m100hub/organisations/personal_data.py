"""A person's memberships and organisation requests in their data download; deleting the
account ends the memberships (the organisations stay)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..features import PersonalData, Records, iso
from .models import Membership, Organisation


def export(person) -> list[Records]:
    memberships = db.session.scalars(
        select(Membership).where(Membership.user_id == person.id)
        .options(joinedload(Membership.organisation)).order_by(Membership.id))
    requested = db.session.scalars(
        select(Organisation).where(Organisation.created_by_id == person.id)
        .order_by(Organisation.id))
    return [
        Records("memberships", _l("Memberships of organisations"), [
            {"organisation": m.organisation.name, "role": m.role.value,
             "status": m.status.value, "requested": iso(m.created_dt),
             "decided": iso(m.decided_dt), "reason": m.reason} for m in memberships]),
        Records("organisations_requested", _l("Organisations you asked for"), [
            {"name": o.name, "kind": o.kind.value, "status": o.status.value,
             "website": o.website, "requested": iso(o.created_dt)} for o in requested]),
    ]


def erase(person) -> None:
    """Memberships end (without a notice to anyone); an organisation one asked for stays,
    no longer naming who asked (the foreign key sets it to NULL)."""
    db.session.execute(delete(Membership).where(Membership.user_id == person.id))


PERSONAL_DATA = PersonalData(export, erase, models=(Membership, Organisation))
