"""The reports a person made, in their data download. Deleting the account keeps them for the
moderators (an item's reports still count) without saying who made them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..extensions import db
from ..features import PersonalData, Records, iso
from .models import Report


def export(person) -> list[Records]:
    reports = db.session.scalars(select(Report).where(Report.reporter_id == person.id)
                                 .order_by(Report.id))
    return [Records("reports", _l("Reports you made to the moderators"), [
        {"kind": r.kind, "item": r.target_id, "reason": r.reason, "made": iso(r.created_dt),
         "decided": iso(r.resolved_dt)} for r in reports])]


def erase(person) -> None:
    db.session.execute(update(Report).where(Report.reporter_id == person.id)
                       .values(reporter_id=None))


PERSONAL_DATA = PersonalData(export, erase, models=(Report,))
