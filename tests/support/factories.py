"""Test data builders. They add and flush; the test (or login_as) commits."""

from __future__ import annotations

import itertools
from functools import lru_cache

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from m100hub.accounts.models import Sector, User
from m100hub.accounts.services import current_acceptance
from m100hub.cities.models import City
from m100hub.database import utcnow
from m100hub.extensions import db
from m100hub.organisations.models import (
    Membership,
    MembershipRole,
    Organisation,
    OrgKind,
    Status,
)

PASSWORD = "verde-si-curat-2035"
_sequence = itertools.count(1)


@lru_cache(maxsize=1)
def password_hash() -> str:
    return generate_password_hash(PASSWORD)


def city(slug: str = "suceava") -> City:
    return db.session.scalar(select(City).where(City.slug == slug))


def user(name=None, email=None, sector=Sector.CITIZEN, confirmed=True, **attrs) -> User:
    n = next(_sequence)
    person = User(
        display_name=name or f"Persoana {n}",
        handle=attrs.pop("handle", f"persoana{n}"),
        email=(email or f"person{n}@example.ro").lower(),
        password_hash=password_hash(),
        sector=Sector(sector),
        email_confirmed_dt=utcnow() if confirmed else None,
        **{**current_acceptance(), **attrs},  # they accepted the current terms
    )
    db.session.add(person)
    db.session.flush()
    return person


def organisation(name=None, kind=OrgKind.NGO, city_slug="suceava", status=Status.VERIFIED,
                 slug=None):
    n = next(_sequence)
    org = Organisation(
        name=name or f"Organizația {n}",
        slug=slug or f"organizatia-{n}",
        kind=OrgKind(kind),
        city_id=city(city_slug).id if city_slug else None,
        status=Status(status),
    )
    db.session.add(org)
    db.session.flush()
    return org


def membership(person, org, role=MembershipRole.MEMBER, status=Status.VERIFIED) -> Membership:
    item = Membership(
        user_id=person.id, organisation_id=org.id, role=MembershipRole(role), status=Status(status)
    )
    db.session.add(item)
    db.session.flush()
    return item


def official(city_slug: str = "suceava", **attrs) -> User:
    """A verified member of a verified municipality of the city."""
    person = user(sector=Sector.PUBLIC, **attrs)
    town_hall = organisation(
        f"Primăria {city_slug} {next(_sequence)}", OrgKind.MUNICIPALITY, city_slug
    )
    membership(person, town_hall, MembershipRole.MANAGER)
    return person


def person(role: str = "citizen", **attrs) -> User:
    if role == "admin":
        return user(sector=Sector.PUBLIC, is_admin=True, **attrs)
    if role == "moderator":
        return user(sector=Sector.CIVIL, is_moderator=True, **attrs)
    if role == "official":
        return official(**attrs)
    if role == "unconfirmed":
        return user(confirmed=False, **attrs)
    return user(**attrs)
