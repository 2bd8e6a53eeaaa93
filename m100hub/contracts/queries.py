"""Reads of contracts: a few queries per page, whatever the number of actions or cities."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from ..cities.models import City
from ..cities.queries import all_cities
from ..extensions import db
from ..notifications.kinds import Audience
from . import financing, trajectory
from .models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Contract,
    FundingLine,
    Inventory,
)


def contract_of(city_id: int) -> Contract | None:
    return db.session.scalar(select(Contract).where(Contract.city_id == city_id))


def actions_of(contract_id: int) -> list[Action]:
    return list(db.session.scalars(
        select(Action).options(joinedload(Action.organisation))
        .where(Action.contract_id == contract_id).order_by(Action.sector, Action.title)))


def funding_by_action(contract_id: int) -> dict[int, list[FundingLine]]:
    lines: dict[int, list[FundingLine]] = defaultdict(list)
    for line in db.session.scalars(
            select(FundingLine).join(Action, Action.id == FundingLine.action_id)
            .where(Action.contract_id == contract_id)
            .order_by(FundingLine.action_id, FundingLine.id)):
        lines[line.action_id].append(line)
    return dict(lines)


def funding_of(action_id: int) -> list[FundingLine]:
    return list(db.session.scalars(select(FundingLine).where(FundingLine.action_id == action_id)
                                   .order_by(FundingLine.id)))


def updates_of(action_id: int) -> list[ActionUpdate]:
    return list(db.session.scalars(
        select(ActionUpdate).where(ActionUpdate.action_id == action_id)
        .order_by(ActionUpdate.on_date.desc(), ActionUpdate.id.desc())))


def inventories_of(city_id: int) -> list[Inventory]:
    return list(db.session.scalars(select(Inventory).where(Inventory.city_id == city_id)
                                   .order_by(Inventory.year, Inventory.sector)))


def totals_by_year(inventories) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for row in inventories:
        totals[row.year] += row.tco2e
    return dict(totals)


def followers(city_id: int) -> Audience:
    """The people following a city's contract: told from Celery, in batches (they may be
    many)."""
    return Audience("contract_followers", city_id)


@dataclass
class CityRow:
    """One city on the national page."""

    city: City
    contract: Contract | None
    counts: dict = field(default_factory=dict)  #: status → number of actions
    money: financing.Totals = field(default_factory=financing.Totals)
    path: trajectory.Trajectory | None = None

    @property
    def per_inhabitant(self) -> float | None:
        return self.path.per_inhabitant(self.city.population) if self.path else None


def national_rows() -> list[CityRow]:
    """Every city with its contract's figures: five queries for any number of cities."""
    contracts = {c.city_id: c for c in db.session.scalars(select(Contract))}
    rows = {city.id: CityRow(city, contracts.get(city.id)) for city in all_cities()}
    _add_figures(rows)
    return list(rows.values())


def city_row(city: City) -> CityRow:
    """One city's figures (its page's summary), as the national page counts them."""
    row = CityRow(city, contract_of(city.id))
    if row.contract is not None:
        _add_figures({city.id: row}, city.id)
    return row


def _add_figures(rows: dict[int, CityRow], city_id: int | None = None) -> None:
    by_contract = {row.contract.id: row for row in rows.values() if row.contract is not None}
    if not by_contract:
        return
    one = [] if city_id is None else [Action.contract_id.in_(by_contract)]
    for contract_id, status, number in db.session.execute(
            select(Action.contract_id, Action.status, func.count()).where(*one)
            .group_by(Action.contract_id, Action.status)):
        by_contract[contract_id].counts[status] = number
    _add_money(by_contract, one)
    totals: dict[int, dict[int, int]] = defaultdict(dict)
    mine = [] if city_id is None else [Inventory.city_id == city_id]
    for row_city, year, tonnes in db.session.execute(
            select(Inventory.city_id, Inventory.year, func.sum(Inventory.tco2e)).where(*mine)
            .group_by(Inventory.city_id, Inventory.year)):
        totals[row_city][year] = int(tonnes)
    for row_city, row in rows.items():
        if row.contract is not None and totals.get(row_city):
            row.path = trajectory.build(row.contract.baseline_year, row.contract.target_year,
                                        totals[row_city])


def _add_money(by_contract: dict[int, CityRow], where: list) -> None:
    """Cost, secured, sought and gap per contract, summed in the database; each action's
    gap counted on its own (as financing.action_totals)."""
    funded = (select(FundingLine.action_id, func.sum(FundingLine.secured).label("secured"),
                     func.sum(FundingLine.sought).label("sought"))
              .group_by(FundingLine.action_id).subquery())
    per_action = (select(Action.contract_id, func.coalesce(Action.cost, 0).label("cost"),
                         func.coalesce(funded.c.secured, 0).label("secured"),
                         func.coalesce(funded.c.sought, 0).label("sought"))
                  .outerjoin(funded, funded.c.action_id == Action.id)
                  .where(Action.status != ActionStatus.DROPPED, *where).subquery())
    gap = case((per_action.c.cost > per_action.c.secured,
                per_action.c.cost - per_action.c.secured), else_=0)
    for contract_id, cost, secured, sought, missing in db.session.execute(
            select(per_action.c.contract_id, func.sum(per_action.c.cost),
                   func.sum(per_action.c.secured), func.sum(per_action.c.sought),
                   func.sum(gap)).group_by(per_action.c.contract_id)):
        by_contract[contract_id].money = financing.Totals(
            cost=int(cost or 0), secured=int(secured or 0), sought=int(sought or 0),
            gap=int(missing or 0))


def action_of(action_id: int) -> Action | None:
    return db.session.scalar(select(Action).options(joinedload(Action.organisation))
                             .where(Action.id == action_id))
