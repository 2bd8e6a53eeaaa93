"""A person's part of the resources library in their data download, and what deleting the
account does: what they follow and the reminders sent to them go; the items they suggested
and the replications they recorded for their city stay, no longer linked to them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from ..extensions import db
from ..features import PersonalData, Records, iso
from .models import FundingCall, FundingFollow, FundingReminder, Replication, Resource


def export(person) -> list[Records]:
    follows = db.session.execute(select(FundingFollow.topic, FundingFollow.created_dt).where(
        FundingFollow.user_id == person.id).order_by(FundingFollow.topic))
    items = [*db.session.execute(select(Resource.id, Resource.title, Resource.status).where(
        Resource.suggested_by_id == person.id).order_by(Resource.id))]
    calls = [*db.session.execute(select(FundingCall.id, FundingCall.title, FundingCall.status)
                                 .where(FundingCall.suggested_by_id == person.id)
                                 .order_by(FundingCall.id))]
    return [
        Records("funding_follows", _l("Funding calls, sectors and applicant types you follow"),
                [{"topic": topic, "since": iso(since)} for topic, since in follows]),
        Records("resource_suggestions", _l("Items you added or suggested to the library"),
                [{"kind": "resource", "id": i, "title": t, "status": s.value}
                 for i, t, s in items] +
                [{"kind": "funding_call", "id": i, "title": t, "status": s.value}
                 for i, t, s in calls]),
    ]


def erase(person) -> None:
    db.session.execute(delete(FundingFollow).where(FundingFollow.user_id == person.id))
    db.session.execute(delete(FundingReminder).where(FundingReminder.user_id == person.id))
    for model in (Resource, FundingCall):
        db.session.execute(update(model).where(model.suggested_by_id == person.id)
                           .values(suggested_by_id=None))
    db.session.execute(update(Replication).where(Replication.user_id == person.id)
                       .values(user_id=None))
    db.session.flush()


PERSONAL_DATA = PersonalData(
    export, erase, models=(FundingFollow, FundingReminder, Resource, FundingCall, Replication))
