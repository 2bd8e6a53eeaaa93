"""Reading experts and requests: each page a fixed handful of queries."""

from __future__ import annotations

from sqlalchemy import String, cast, exists, or_, select
from sqlalchemy.orm import joinedload

from ..cities.models import City
from ..extensions import db
from ..folding import fold
from ..organisations.models import Membership, Organisation, OrgKind, Status
from ..pagination import paginate
from .models import (
    ExpertCity,
    ExpertiseAnswer,
    ExpertiseRequest,
    ExpertMessage,
    ExpertProfile,
)

PER_PAGE = 20


def json_has(column, value: str):
    """A short JSON list of words holds ``value``: a quoted match is exact and portable."""
    return cast(column, String).contains(f'"{value}"', autoescape=True)


def serves_city(city_id: int):
    """A clause: the expert can serve the city."""
    return or_(ExpertProfile.all_cities.is_(True), exists().where(
        ExpertCity.profile_id == ExpertProfile.id, ExpertCity.city_id == city_id))


def directory(page: int, sector: str = "", topic: str = "", language: str = "",
              city_id: int | None = None):
    """Listed profiles, latest updated first, filtered."""
    stmt = (select(ExpertProfile)
            .options(joinedload(ExpertProfile.user), joinedload(ExpertProfile.organisation))
            .where(ExpertProfile.listed.is_(True))
            .order_by(ExpertProfile.updated_dt.desc(), ExpertProfile.id.desc()))
    if sector:
        stmt = stmt.where(json_has(ExpertProfile.sectors, sector))
    if language:
        stmt = stmt.where(json_has(ExpertProfile.languages, language))
    if topic:
        stmt = stmt.where(ExpertProfile.topics_key.contains(f"|{fold(topic)}|", autoescape=True))
    if city_id:
        stmt = stmt.where(serves_city(city_id))
    return paginate(stmt, page, PER_PAGE)


def profile(profile_id: int) -> ExpertProfile | None:
    return db.session.scalar(
        select(ExpertProfile)
        .options(joinedload(ExpertProfile.user), joinedload(ExpertProfile.organisation))
        .where(ExpertProfile.id == profile_id))


def profile_of(user_id: int) -> ExpertProfile | None:
    return db.session.scalar(select(ExpertProfile).where(ExpertProfile.user_id == user_id))


def cities_served(profile_id: int) -> list[City]:
    return list(db.session.scalars(
        select(City).join(ExpertCity, ExpertCity.city_id == City.id)
        .where(ExpertCity.profile_id == profile_id).order_by(City.name)))


def city_ids_served(profile_id: int) -> list[int]:
    return list(db.session.scalars(
        select(ExpertCity.city_id).where(ExpertCity.profile_id == profile_id)))


def requests(page: int, status: str = "open", city_id: int | None = None, sector: str = ""):
    """Open requests soonest needed first, or closed ones latest first."""
    stmt = select(ExpertiseRequest).options(joinedload(ExpertiseRequest.city))
    if status == "closed":
        stmt = stmt.where(ExpertiseRequest.closed_dt.is_not(None)).order_by(
            ExpertiseRequest.closed_dt.desc(), ExpertiseRequest.id.desc())
    else:
        stmt = stmt.where(ExpertiseRequest.closed_dt.is_(None)).order_by(
            ExpertiseRequest.needed_by, ExpertiseRequest.id)
    if city_id:
        stmt = stmt.where(ExpertiseRequest.city_id == city_id)
    if sector:
        stmt = stmt.where(json_has(ExpertiseRequest.sectors, sector))
    return paginate(stmt, page, PER_PAGE)


def request(request_id: int) -> ExpertiseRequest | None:
    return db.session.scalar(
        select(ExpertiseRequest)
        .options(joinedload(ExpertiseRequest.city), joinedload(ExpertiseRequest.author))
        .where(ExpertiseRequest.id == request_id))


def answers(request_id: int) -> list[tuple[ExpertiseAnswer, int | None]]:
    """The request's answers, oldest first, each with its expert's listed profile id (None:
    hidden meanwhile)."""
    rows = db.session.execute(
        select(ExpertiseAnswer, ExpertProfile.id)
        .options(joinedload(ExpertiseAnswer.user))
        .outerjoin(ExpertProfile, (ExpertProfile.user_id == ExpertiseAnswer.user_id)
                   & ExpertProfile.listed.is_(True))
        .where(ExpertiseAnswer.request_id == request_id)
        .order_by(ExpertiseAnswer.id))
    return [(item, profile_id) for item, profile_id in rows]


def answer(answer_id: int) -> ExpertiseAnswer | None:
    return db.session.get(ExpertiseAnswer, answer_id)


def message(message_id: int) -> ExpertMessage | None:
    return db.session.scalar(
        select(ExpertMessage)
        .options(joinedload(ExpertMessage.sender), joinedload(ExpertMessage.recipient))
        .where(ExpertMessage.id == message_id))


def official_ids_of_city(city_id: int) -> list[int]:
    """Verified members of the city's verified municipality organisations."""
    return list(db.session.scalars(
        select(Membership.user_id).distinct()
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Organisation.city_id == city_id, Organisation.kind == OrgKind.MUNICIPALITY,
               Organisation.status == Status.VERIFIED, Membership.status == Status.VERIFIED)))


def verified_organisations(user_id: int) -> list[Organisation]:
    """Organisations the person is a verified member of (those they may offer for)."""
    return list(db.session.scalars(
        select(Organisation).join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user_id, Membership.status == Status.VERIFIED,
               Organisation.status == Status.VERIFIED).order_by(Organisation.name)))


def cities_named(ids) -> list[City]:
    return list(db.session.scalars(select(City).where(City.id.in_(ids)).order_by(City.name)))
