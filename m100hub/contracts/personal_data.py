"""A person's part of the climate contracts in their data download, and what deleting the
account does to it: the cities and actions they follow go; the updates they posted for their
city stay on its public timeline, as do the links they made and the commitments they proposed
or decided, no longer linked to them (acts of the city and of the organisations)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from ..cities.models import City
from ..extensions import db
from ..features import PersonalData, Records, iso
from .models import (
    Action,
    ActionFollower,
    ActionLink,
    ActionUpdate,
    Commitment,
    Contract,
    Follower,
)


def export(person) -> list[Records]:
    follows = db.session.execute(
        select(City.name, Follower.created_dt).join(City, City.id == Follower.city_id)
        .where(Follower.user_id == person.id).order_by(City.name))
    action_follows = db.session.execute(
        select(City.name, Action.id, Action.title, ActionFollower.created_dt)
        .join(Action, Action.id == ActionFollower.action_id)
        .join(Contract, Contract.id == Action.contract_id)
        .join(City, City.id == Contract.city_id)
        .where(ActionFollower.user_id == person.id).order_by(City.name, Action.title))
    updates = db.session.scalars(select(ActionUpdate).where(ActionUpdate.author_id == person.id)
                                 .order_by(ActionUpdate.id))
    return [
        Records("contract_follows", _l("Climate contracts you follow"),
                [{"city": name, "since": iso(since)} for name, since in follows]),
        Records("contract_action_follows", _l("Climate actions you follow"),
                [{"city": name, "action_id": action_id, "action": title, "since": iso(since)}
                 for name, action_id, title, since in action_follows]),
        Records("contract_updates", _l("Updates you posted on climate contract actions"),
                [{"action_id": u.action_id, "date": u.on_date.isoformat(), "text": u.body,
                  "created": iso(u.created_dt)} for u in updates]),
        Records("contract_links", _l("What people said that you linked to climate contract "
                                     "actions"),
                [{"action_id": link.action_id, "kind": link.item_kind, "item_id": link.item_id,
                  "explanation": link.explanation, "created": iso(link.created_dt)}
                 for link in db.session.scalars(select(ActionLink).where(
                     ActionLink.created_by_id == person.id).order_by(ActionLink.id))]),
        Records("contract_commitments", _l("Commitments you proposed for your organisations"),
                [{"contract_id": c.contract_id, "organisation_id": c.organisation_id,
                  "pledge": c.pledge, "due_on": c.due_on.isoformat(), "status": c.status.value,
                  "created": iso(c.created_dt)}
                 for c in db.session.scalars(select(Commitment).where(
                     Commitment.proposed_by_id == person.id).order_by(Commitment.id))]),
    ]


def erase(person) -> None:
    db.session.execute(delete(Follower).where(Follower.user_id == person.id))
    db.session.execute(delete(ActionFollower).where(ActionFollower.user_id == person.id))
    db.session.execute(update(ActionUpdate).where(ActionUpdate.author_id == person.id)
                       .values(author_id=None))
    db.session.execute(update(ActionLink).where(ActionLink.created_by_id == person.id)
                       .values(created_by_id=None))
    db.session.execute(update(Commitment).where(Commitment.proposed_by_id == person.id)
                       .values(proposed_by_id=None))
    db.session.execute(update(Commitment).where(Commitment.decided_by_id == person.id)
                       .values(decided_by_id=None))
    db.session.flush()


PERSONAL_DATA = PersonalData(export, erase, models=(Follower, ActionFollower, ActionUpdate,
                                                    ActionLink, Commitment))
