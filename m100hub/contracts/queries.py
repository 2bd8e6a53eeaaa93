"""Reads of contracts: a few queries per page, whatever the number of actions or cities."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, case, func, select, union
from sqlalchemy.orm import joinedload, load_only

from ..cities.models import City
from ..cities.queries import all_cities
from ..extensions import db
from ..notifications.kinds import Audience
from ..pagination import CountedPage, paginate
from . import financing, trajectory
from .models import (
    ACTION_FOLLOWS,
    Action,
    ActionStatus,
    ActionUpdate,
    Commitment,
    CommitmentStatus,
    Contract,
    ContractSector,
    Follower,
    FundingLine,
    Inventory,
)


def contract_of(city_id: int) -> Contract | None:
    return db.session.scalar(select(Contract).where(Contract.city_id == city_id))


#: the actions the contract page lists of each sector (the rest on the sector's own pages)
FIRST_PER_SECTOR = 5
#: the actions a sector's page lists per page
SECTOR_PAGE = 50

#: what a listing reads of an action (a contract may hold hundreds: not their texts)
_LISTED = load_only(Action.id, Action.contract_id, Action.sector, Action.title, Action.status,
                    Action.progress, Action.cost)


@dataclass
class SectorPlan:
    """One sector of a contract's action plan: its actions counted per status, their money
    (dropped ones not counted), and the first of them."""

    sector: ContractSector
    counts: dict = field(default_factory=dict)  #: status → number of actions
    money: financing.Totals = field(default_factory=financing.Totals)
    first: list[Action] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def planned(self) -> int:
        """Its actions still in the plan (the dropped ones apart)."""
        return self.total - self.counts.get(ActionStatus.DROPPED, 0)


def plan_of(contract_id: int) -> list[SectorPlan]:
    """The contract's sectors with actions, in the sectors' order: three queries, whatever
    the number of actions (counts, money, the first FIRST_PER_SECTOR of each sector)."""
    plans: dict[ContractSector, SectorPlan] = {}
    for sector, status, number in db.session.execute(
            select(Action.sector, Action.status, func.count())
            .where(Action.contract_id == contract_id).group_by(Action.sector, Action.status)):
        plans.setdefault(sector, SectorPlan(sector)).counts[status] = number
    for sector, totals in money_by(Action.sector, [Action.contract_id == contract_id]).items():
        plans[sector].money = totals
    ranked = (select(Action.id, func.row_number().over(
        partition_by=Action.sector, order_by=(Action.title, Action.id)).label("rank"))
        .where(Action.contract_id == contract_id).subquery())
    for action in db.session.scalars(
            select(Action).options(_LISTED).join(ranked, ranked.c.id == Action.id)
            .where(ranked.c.rank <= FIRST_PER_SECTOR).order_by(Action.title, Action.id)):
        plans[action.sector].first.append(action)
    return [plans[sector] for sector in ContractSector if sector in plans]


def sector_plan(contract_id: int, sector: ContractSector) -> SectorPlan:
    """One sector's counts and money (two queries; its actions are paged apart)."""
    plan = SectorPlan(sector)
    for status, number in db.session.execute(
            select(Action.status, func.count())
            .where(Action.contract_id == contract_id, Action.sector == sector)
            .group_by(Action.status)):
        plan.counts[status] = number
    plan.money = money_by(Action.sector, [Action.contract_id == contract_id,
                                          Action.sector == sector]).get(sector,
                                                                        financing.Totals())
    return plan


def sector_actions(contract_id: int, sector: ContractSector, page: int) -> CountedPage:
    """One page of a sector's actions, by title (one query)."""
    return paginate(select(Action).options(_LISTED)
                    .where(Action.contract_id == contract_id, Action.sector == sector)
                    .order_by(Action.title, Action.id), page, SECTOR_PAGE)


def secured_of(action_ids: list[int]) -> dict[int, int]:
    """action id → the money secured for it (one query for the listed actions)."""
    if not action_ids:
        return {}
    return {action_id: int(secured) for action_id, secured in db.session.execute(
        select(FundingLine.action_id, func.sum(FundingLine.secured))
        .where(FundingLine.action_id.in_(action_ids)).group_by(FundingLine.action_id))}


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


def action_followers(action_id: int) -> Audience:
    """The people following an action: those of the action itself and those of its city's
    contract, each once (told from Celery, in batches)."""
    return Audience("contract_action_followers", action_id)


def action_followers_query(action_id: int) -> Select:
    """The ids of everyone following the action or its city's contract (a union: a person
    following both is one row)."""
    city = (select(Contract.city_id).join(Action, Action.contract_id == Contract.id)
            .where(Action.id == action_id).scalar_subquery())
    people = union(select(Follower.user_id).where(Follower.city_id == city),
                   ACTION_FOLLOWS.people(action_id)).subquery()
    return select(people.c[0])


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

    @property
    def reduction(self) -> tuple[float, float] | None:
        """(the share of the baseline's emissions cut by the latest inventory, the share the
        straight path cuts by that year), or None without a baseline inventory."""
        latest = self.path.latest if self.path else None
        if latest is None or latest.path is None or not self.path or not self.path.baseline_total:
            return None
        base = self.path.baseline_total
        return 1 - latest.total / base, 1 - latest.path / base


def national_rows(sector: ContractSector | None = None) -> list[CityRow]:
    """Every city with its contract's figures (of one sector's actions and emissions when
    ``sector`` is given): five queries for any number of cities."""
    return rows_for(all_cities(), sector)


def rows_for(cities: list[City], sector: ContractSector | None = None) -> list[CityRow]:
    """The cities with their contracts' figures (in their order): four queries. (Every city
    or one: the figures are summed for every contract at once.)"""
    contracts = {c.city_id: c for c in db.session.scalars(select(Contract))}
    rows = {city.id: CityRow(city, contracts.get(city.id)) for city in cities}
    _add_figures(rows, sector=sector)
    return list(rows.values())


def latest_by_sector() -> dict[int, tuple[int, dict[ContractSector, int]]]:
    """city id → (its latest inventory year, sector → tCO2e that year): one query."""
    latest = (select(Inventory.city_id, func.max(Inventory.year).label("year"))
              .group_by(Inventory.city_id).subquery())
    found: dict[int, tuple[int, dict[ContractSector, int]]] = {}
    for city_id, year, sector, tonnes in db.session.execute(
            select(Inventory.city_id, Inventory.year, Inventory.sector, Inventory.tco2e)
            .join(latest, (latest.c.city_id == Inventory.city_id)
                  & (latest.c.year == Inventory.year))):
        found.setdefault(city_id, (year, {}))[1][sector] = tonnes
    return found


def city_row(city: City) -> CityRow:
    """One city's figures (its page's summary), as the national page counts them."""
    row = CityRow(city, contract_of(city.id))
    if row.contract is not None:
        _add_figures({city.id: row}, city.id)
    return row


def _add_figures(rows: dict[int, CityRow], city_id: int | None = None,
                 sector: ContractSector | None = None) -> None:
    by_contract = {row.contract.id: row for row in rows.values() if row.contract is not None}
    if not by_contract:
        return
    one: list[ColumnElement[bool]] = (
        [] if city_id is None else [Action.contract_id.in_(by_contract)])
    if sector is not None:
        one.append(Action.sector == sector)
    for contract_id, status, number in db.session.execute(
            select(Action.contract_id, Action.status, func.count()).where(*one)
            .group_by(Action.contract_id, Action.status)):
        by_contract[contract_id].counts[status] = number
    _add_money(by_contract, one)
    totals: dict[int, dict[int, int]] = defaultdict(dict)
    mine: list[ColumnElement[bool]] = [] if city_id is None else [Inventory.city_id == city_id]
    if sector is not None:
        mine.append(Inventory.sector == sector)
    for row_city, year, tonnes in db.session.execute(
            select(Inventory.city_id, Inventory.year, func.sum(Inventory.tco2e)).where(*mine)
            .group_by(Inventory.city_id, Inventory.year)):
        totals[row_city][year] = int(tonnes)
    for row_city, row in rows.items():
        if row.contract is not None and totals.get(row_city):
            row.path = trajectory.build(row.contract.baseline_year, row.contract.target_year,
                                        totals[row_city])


def _add_money(by_contract: dict[int, CityRow], where: list) -> None:
    for contract_id, totals in money_by(Action.contract_id, where).items():
        by_contract[contract_id].money = totals


def money_by(key, where: list) -> dict:
    """Cost, secured, sought and gap of the actions ``where`` selects, per ``key`` (a column
    of Action: the contract, the sector), summed in the database (one query); each action's
    gap counted on its own (as financing.action_totals), dropped actions not counted."""
    # each action joined to its own lines and summed (one join, grouped by the action: no
    # aggregate subquery that a planner might run again for every action)
    per_action = (select(key.label("key"), func.coalesce(Action.cost, 0).label("cost"),
                         func.coalesce(func.sum(FundingLine.secured), 0).label("secured"),
                         func.coalesce(func.sum(FundingLine.sought), 0).label("sought"))
                  .outerjoin(FundingLine, FundingLine.action_id == Action.id)
                  .where(Action.status != ActionStatus.DROPPED, *where)
                  .group_by(Action.id, key, Action.cost).subquery())
    gap = case((per_action.c.cost > per_action.c.secured,
                per_action.c.cost - per_action.c.secured), else_=0)
    return {found: financing.Totals(cost=int(cost or 0), secured=int(secured or 0),
                                    sought=int(sought or 0), gap=int(missing or 0))
            for found, cost, secured, sought, missing in db.session.execute(
                select(per_action.c.key, func.sum(per_action.c.cost),
                       func.sum(per_action.c.secured), func.sum(per_action.c.sought),
                       func.sum(gap)).group_by(per_action.c.key))}


def action_of(action_id: int) -> Action | None:
    return db.session.scalar(select(Action).options(joinedload(Action.organisation))
                             .where(Action.id == action_id))


def commitments_of(contract_id: int, user) -> list[Commitment]:
    """The contract's accepted commitments, and those the person may see besides: all of
    them for its city's officials (``user`` True), the ones they proposed otherwise."""
    shown = Commitment.status == CommitmentStatus.ACCEPTED
    if user is True:
        shown = Commitment.id.is_not(None)
    elif user.is_authenticated:
        shown = shown | (Commitment.proposed_by_id == user.id)
    order = case((Commitment.status == CommitmentStatus.PROPOSED, 0),
                 (Commitment.status == CommitmentStatus.ACCEPTED, 1), else_=2)
    return list(db.session.scalars(
        select(Commitment).options(joinedload(Commitment.organisation))
        .where(Commitment.contract_id == contract_id, shown)
        .order_by(order, Commitment.due_on, Commitment.id)))


def commitment_of(commitment_id: int) -> Commitment | None:
    return db.session.scalar(select(Commitment).options(joinedload(Commitment.organisation))
                             .where(Commitment.id == commitment_id))
