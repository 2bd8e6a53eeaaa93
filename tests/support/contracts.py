"""Builders and a snapshot for the climate contracts' tests. They add and flush; the test (or
login_as) commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from m100hub.activity.models import ActivityEntry
from m100hub.contracts.models import (
    Action,
    ActionLink,
    ActionStatus,
    ActionUpdate,
    Commitment,
    Contract,
    ContractSector,
    Follower,
    FundingKind,
    FundingLine,
    Inventory,
)
from m100hub.extensions import db
from m100hub.notifications.models import Notification
from m100hub.text import render_markdown
from tests.support import factories

WRITTEN = (Contract, Action, ActionUpdate, FundingLine, Inventory, Follower, ActionLink,
           Commitment, ActivityEntry, Notification)


def contract(city_slug="suceava", target=2030, baseline=2019, ambition="Neutri până în 2030.",
             is_demo=False) -> Contract:
    item = Contract(city_id=factories.city(city_slug).id, ambition=ambition,
                    ambition_html=render_markdown(ambition), target_year=target,
                    baseline_year=baseline, is_demo=is_demo)
    db.session.add(item)
    db.session.flush()
    return item


def action(of: Contract, title="Renovarea școlilor", sector=ContractSector.BUILDINGS,
           status=ActionStatus.IN_PROGRESS, progress=40, cost=1_000_000, **attrs) -> Action:
    item = Action(contract_id=of.id, title=title, sector=sector, status=status,
                  progress=progress, cost=cost, **attrs)
    db.session.add(item)
    db.session.flush()
    return item


def funding(of: Action, kind=FundingKind.EU_PROGRAMME, programme="PNRR", secured=600_000,
            sought=100_000) -> FundingLine:
    line = FundingLine(action_id=of.id, source_kind=kind, programme=programme, secured=secured,
                       sought=sought)
    db.session.add(line)
    db.session.flush()
    return line


def inventory(city_slug="suceava", year=2019, sector=ContractSector.ENERGY,
              tco2e=100_000) -> Inventory:
    row = Inventory(city_id=factories.city(city_slug).id, year=year, sector=sector, tco2e=tco2e)
    db.session.add(row)
    db.session.flush()
    return row


def update(of: Action, body="Au început lucrările.", on=date(2026, 5, 1)) -> ActionUpdate:
    item = ActionUpdate(action_id=of.id, on_date=on, body=body, body_html=f"<p>{body}</p>")
    db.session.add(item)
    db.session.flush()
    return item


def link(of: Action, kind: str, item_id: int, explanation="Ne-a schimbat traseul.",
         author=None) -> ActionLink:
    item = ActionLink(action_id=of.id, item_kind=kind, item_id=item_id, explanation=explanation,
                      created_by_id=author.id if author else None)
    db.session.add(item)
    db.session.flush()
    return item


#: who asks, in the per-role tests; of them, the city's own official and the admin may edit
ROLES = ("anonymous", "citizen", "cluj_official", "suceava_official", "admin")
EDITORS = {"suceava_official", "admin"}


def sign_in_as(login_as, role: str):
    """Sign in as one of ROLES (English pages); None for the anonymous visitor."""
    if role == "anonymous":
        return None
    if role.endswith("_official"):
        slug = {"cluj": "cluj-napoca", "suceava": "suceava"}[role.split("_")[0]]
        return login_as(user=factories.official(slug, locale="en"))
    return login_as(role, locale="en")


def notices() -> list[tuple[int, str]]:
    """(recipient, kind) of every notification written, in order."""
    return db.session.execute(select(Notification.recipient_id, Notification.kind)
                              .order_by(Notification.id)).all()


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def snapshot() -> dict:
    """Every row a contract request may write, as the database has it (what the request did
    not commit dropped first, as at the end of a real request)."""
    db.session.rollback()
    db.session.expire_all()
    state: dict = {model.__tablename__: count(model) for model in WRITTEN}
    state["contracts"] = sorted(db.session.execute(select(
        Contract.id, Contract.ambition, Contract.target_year, Contract.baseline_year)).all())
    state["actions"] = sorted(db.session.execute(select(
        Action.id, Action.title, Action.status, Action.progress, Action.cost,
        Action.starts_on, Action.ends_on, Action.dropped_reason)).all())
    state["funding"] = sorted(db.session.execute(select(
        FundingLine.id, FundingLine.secured, FundingLine.sought)).all())
    state["links"] = sorted(db.session.execute(select(
        ActionLink.id, ActionLink.action_id, ActionLink.item_kind, ActionLink.item_id,
        ActionLink.explanation)).all())
    state["commitments"] = sorted(db.session.execute(select(
        Commitment.id, Commitment.pledge, Commitment.status, Commitment.reason,
        Commitment.decided_by_id)).all())
    state["inventories"] = sorted(db.session.execute(select(
        Inventory.id, Inventory.year, Inventory.tco2e)).all())
    return state
