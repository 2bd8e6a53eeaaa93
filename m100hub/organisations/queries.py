from __future__ import annotations

from functools import cache

from sqlalchemy import ScalarSelect, Select, String, bindparam, case, cast, exists, func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from .models import Membership, MembershipRole, Organisation, OrgKind, Status


def with_person_and_organisation() -> tuple:
    """Loader options: a membership with its person and organisation (and its city)."""
    return (
        joinedload(Membership.user),
        joinedload(Membership.organisation).joinedload(Organisation.city),
    )


def memberships_of(user_id: int, verified_only: bool = False) -> list[Membership]:
    stmt = select(Membership).where(Membership.user_id == user_id).options(
        joinedload(Membership.organisation))
    if verified_only:
        stmt = stmt.where(Membership.status == Status.VERIFIED)
    return list(db.session.scalars(stmt.order_by(Membership.created_dt)))


def membership(user_id: int, organisation_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).options(*with_person_and_organisation()).where(
            Membership.user_id == user_id, Membership.organisation_id == organisation_id
        )
    )


def by_slug(slug: str) -> Organisation | None:
    return db.session.scalar(
        select(Organisation).options(joinedload(Organisation.city)).where(Organisation.slug == slug)
    )


def verified_list(page: int, per_page: int, search: str = ""):
    stmt = (
        select(Organisation)
        .options(joinedload(Organisation.city))
        .where(Organisation.status == Status.VERIFIED)
    )
    if search:
        stmt = stmt.where(func.lower(Organisation.name).contains(search.lower(), autoescape=True))
    return db.paginate(stmt.order_by(Organisation.name), page=page, per_page=per_page,
                       error_out=False)


def organisations_of_city(city_id: int, limit: int = 50) -> list[Organisation]:
    stmt = select(Organisation).where(
        Organisation.city_id == city_id, Organisation.status == Status.VERIFIED
    )
    return list(db.session.scalars(stmt.order_by(Organisation.name).limit(limit)))


def verified_members(organisation_id: int) -> list[Membership]:
    stmt = select(Membership).options(joinedload(Membership.user)).where(
        Membership.organisation_id == organisation_id, Membership.status == Status.VERIFIED
    )
    managers_first = case((Membership.role == MembershipRole.MANAGER, 0), else_=1)
    return list(db.session.scalars(stmt.order_by(managers_first, Membership.created_dt)))


def pending_memberships(page: int, per_page: int, organisation_id: int | None = None):
    """The verification queue: everyone's pending memberships, or one organisation's."""
    stmt = (
        select(Membership)
        .options(*with_person_and_organisation())
        .where(Membership.status == Status.PENDING)
    )
    if organisation_id is not None:
        stmt = stmt.where(Membership.organisation_id == organisation_id)
    return db.paginate(stmt.order_by(Membership.created_dt, Membership.id), page=page,
                       per_page=per_page, error_out=False)


def is_verified_manager(user_id: int, organisation_id: int) -> bool:
    stmt = select(
        exists().where(
            Membership.user_id == user_id,
            Membership.organisation_id == organisation_id,
            Membership.role == MembershipRole.MANAGER,
            Membership.status == Status.VERIFIED,
        )
    )
    return bool(db.session.scalar(stmt))


def official_city_ids(user_id: int) -> set[int]:
    """Cities whose municipality has this person as a verified member (one query)."""
    return set(db.session.scalars(_official_city_ids_statement(), {"user_id": user_id}))


def _official_of(user_id) -> tuple:
    """The conditions official_city_ids() puts on a membership and its organisation."""
    return (
        Membership.user_id == user_id,
        Membership.status == Status.VERIFIED,
        Organisation.status == Status.VERIFIED,
        Organisation.kind == OrgKind.MUNICIPALITY,
        Organisation.city_id.is_not(None),
    )


@cache
def _official_city_ids_statement() -> Select:
    """official_city_ids()'s statement, built once: a consultation's page asks it of every
    signed-in reader (may they run it?), and building a SELECT and its cache key costs about
    as much CPU as running it."""
    return (
        select(Organisation.city_id)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(*_official_of(bindparam("user_id")))
    )


def official_city_ids_column(user_id) -> ScalarSelect:
    """official_city_ids() of ``user_id`` (a value or a bound parameter) as a column of
    another statement: the ids joined by commas, "" for none (read_city_ids reads them), so
    that a page reading its item for a person learns in the same query which cities they are
    an official of (permissions.known_official_cities)."""
    return (
        select(func.coalesce(func.aggregate_strings(cast(Organisation.city_id, String), ","), ""))
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(*_official_of(user_id))
        .scalar_subquery()
    )


def read_city_ids(joined: str) -> set[int]:
    """The ids of an official_city_ids_column()."""
    return {int(city_id) for city_id in joined.split(",") if city_id}


def manager_ids(organisation_id: int) -> list[int]:
    stmt = select(Membership.user_id).where(
        Membership.organisation_id == organisation_id,
        Membership.role == MembershipRole.MANAGER,
        Membership.status == Status.VERIFIED,
    )
    return list(db.session.scalars(stmt))
