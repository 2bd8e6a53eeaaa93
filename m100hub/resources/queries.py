"""Reading the library: the lists with their filters (one query for the page and its count,
one for the listed items' sectors), an item with what it links to, what a person follows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select, and_, case, or_, select
from sqlalchemy.orm import InstrumentedAttribute, joinedload

from ..cities.models import City
from ..contracts.models import Action, Contract
from ..database import utcnow
from ..extensions import db
from ..pagination import CountedPage, paginate
from .models import (
    CallApplicant,
    CallSector,
    CallStatus,
    Curation,
    FundingCall,
    FundingFollow,
    Replication,
    Resource,
    ResourceCity,
    ResourceSector,
)

PER_PAGE = 30
#: rows read per batch by the CSV and JSON exports
EXPORT_BATCH = 500


def today_local() -> date:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return utcnow().astimezone(zone).date()


def call_status(call: FundingCall, now: datetime | None = None,
                today: date | None = None) -> CallStatus:
    now = now or utcnow()
    if call.deadline_dt <= now:
        return CallStatus.CLOSED
    if call.opens_on is not None and call.opens_on > (today or today_local()):
        return CallStatus.UPCOMING
    return CallStatus.OPEN


def status_clause(status: str):
    now, today = utcnow(), today_local()
    if status == CallStatus.CLOSED:
        return FundingCall.deadline_dt <= now
    not_closed = FundingCall.deadline_dt > now
    if status == CallStatus.UPCOMING:
        return and_(not_closed, FundingCall.opens_on > today)
    return and_(not_closed, or_(FundingCall.opens_on.is_(None), FundingCall.opens_on <= today))


@dataclass(frozen=True)
class ResourceFilters:
    kind: str = ""
    sector: str = ""
    city_id: int | None = None
    city_slug: str = ""
    language: str = ""
    status: str = Curation.PUBLISHED.value


def filtered_resources(stmt: Select[Any], f: ResourceFilters) -> Select[Any]:
    """``stmt``, a SELECT of items, narrowed by the filters (but for the curation state): the
    library's list and exports, the hub's search and the open-data API."""
    if f.kind:
        stmt = stmt.where(Resource.kind == f.kind)
    if f.language:
        stmt = stmt.where(Resource.language == f.language)
    if f.sector:
        stmt = stmt.where(Resource.sector_rows.any(sector=f.sector))
    if f.city_id:
        stmt = stmt.where(Resource.city_rows.any(city_id=f.city_id))
    return stmt


def resources_statement(f: ResourceFilters):
    stmt = (select(Resource).options(joinedload(Resource.organisation),
                                     joinedload(Resource.practice_city),
                                     joinedload(Resource.file))
            .where(Resource.status == f.status))
    return filtered_resources(stmt, f).order_by(Resource.id.desc())


def resource_page(f: ResourceFilters, page: int) -> CountedPage:
    return paginate(resources_statement(f), page, PER_PAGE)


def _linked_values(owner: InstrumentedAttribute[int], column: InstrumentedAttribute[Any],
                   ids: Iterable[int]) -> dict[int, list]:
    """Owner id → its values of a link table (an item's sectors, a call's applicant types),
    sorted, for the owners among ``ids``: one query."""
    found: dict[int, list] = {}
    for ident, value in db.session.execute(select(owner, column).where(
            owner.in_(list(ids))).order_by(column)):
        found.setdefault(ident, []).append(value)
    return found


def sectors_of_resources(ids: Iterable[int]) -> dict[int, list]:
    return _linked_values(ResourceSector.resource_id, ResourceSector.sector, ids)


def cities_of_resource(resource_id: int) -> list[City]:
    return list(db.session.scalars(select(City).join(
        ResourceCity, ResourceCity.city_id == City.id).where(
        ResourceCity.resource_id == resource_id).order_by(City.name)))


def resource(resource_id: int) -> Resource | None:
    return db.session.scalar(select(Resource).options(
        joinedload(Resource.organisation), joinedload(Resource.practice_city),
        joinedload(Resource.file)).where(Resource.id == resource_id))


def replications(resource_id: int) -> list[Replication]:
    return list(db.session.scalars(select(Replication).options(joinedload(Replication.city))
                                   .where(Replication.resource_id == resource_id)
                                   .order_by(Replication.created_dt)))


@dataclass(frozen=True)
class CallFilters:
    sector: str = ""
    applicant: str = ""
    when: str = ""  #: a CallStatus value, or "" for all
    status: str = Curation.PUBLISHED.value


def filtered_calls(stmt: Select[Any], f: CallFilters) -> Select[Any]:
    """``stmt``, a SELECT of funding calls, narrowed by the filters (but for the curation
    state): the funding pages' list and exports, the hub's search and the open-data API."""
    if f.sector:
        stmt = stmt.where(FundingCall.sector_rows.any(sector=f.sector))
    if f.applicant:
        stmt = stmt.where(FundingCall.applicant_rows.any(applicant=f.applicant))
    if f.when:
        stmt = stmt.where(status_clause(f.when))
    return stmt


def calls_statement(f: CallFilters):
    stmt = filtered_calls(select(FundingCall).options(joinedload(FundingCall.organisation))
                          .where(FundingCall.status == f.status), f)
    closed_last = case((FundingCall.deadline_dt <= utcnow(), 1), else_=0)
    return stmt.order_by(closed_last, FundingCall.deadline_dt, FundingCall.id)


def call_page(f: CallFilters, page: int) -> CountedPage:
    return paginate(calls_statement(f), page, PER_PAGE)


def call_links(ids: Iterable[int]) -> tuple[dict[int, list], dict[int, list]]:
    """(call id → sectors, call id → applicant types) of the listed calls: two queries."""
    ids = list(ids)
    return (_linked_values(CallSector.call_id, CallSector.sector, ids),
            _linked_values(CallApplicant.call_id, CallApplicant.applicant, ids))


def funding_call(call_id: int) -> FundingCall | None:
    return db.session.scalar(select(FundingCall).options(joinedload(FundingCall.organisation))
                             .where(FundingCall.id == call_id))


def published_call_choices(limit: int = 300) -> list[tuple[int, str]]:
    """(id, label) of the published calls not closed, soonest deadline first."""
    rows = db.session.execute(select(FundingCall.id, FundingCall.title, FundingCall.programme)
                              .where(FundingCall.status == Curation.PUBLISHED,
                                     FundingCall.deadline_dt > utcnow())
                              .order_by(FundingCall.deadline_dt).limit(limit))
    return [(ident, f"{title} ({programme})") for ident, title, programme in rows]


def call_titles(ids: Iterable[int | None]) -> dict[int, str]:
    """Titles of the calls among ``ids`` (no query when there are none)."""
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    return dict(db.session.execute(select(FundingCall.id, FundingCall.title).where(
        FundingCall.id.in_(wanted))).all())


def topics_of(user) -> set[str]:
    if not (user and user.is_authenticated):
        return set()
    return set(db.session.scalars(select(FundingFollow.topic)
                                  .where(FundingFollow.user_id == user.id)))


def batches(stmt) -> Iterator[list]:
    """Every item of ``stmt``, in lists of EXPORT_BATCH (the exports read what each batch
    links to in one query more)."""
    result = db.session.scalars(stmt.execution_options(yield_per=EXPORT_BATCH))
    try:
        for partition in result.partitions():
            yield list(partition)
    finally:  # a download stopped halfway: the cursor closes with the generator
        result.close()


def action_choices(limit: int = 1000) -> list[tuple[int, str, int]]:
    """(action id, "City — action", city id) of every contract's actions (a good practice's
    action is one of its own city's)."""
    rows = db.session.execute(
        select(Action.id, Action.title, City.name, City.id)
        .join(Contract, Contract.id == Action.contract_id).join(City, City.id == Contract.city_id)
        .order_by(City.name, Action.title).limit(limit))
    return [(ident, f"{city} — {title}", city_id) for ident, title, city, city_id in rows]
