"""Who may do what with organisations and memberships. One place; templates ask here."""

from __future__ import annotations

from flask import g

from .models import Membership, Organisation, OrgKind, Status
from .queries import is_verified_manager, official_city_ids


def official_cities(user) -> set[int]:
    """Ids of the cities the person is an official of: one query per request (cached)."""
    if user is None or not user.is_authenticated:
        return set()
    cache = g.setdefault("official_city_ids", {})
    if user.id not in cache:
        cache[user.id] = official_city_ids(user.id)
    return cache[user.id]


def known_official_cities(user_id: int, city_ids: set[int]) -> None:
    """Tell official_cities() what a page read for this person with its own statement
    (queries.official_city_ids_column), so that it asks nothing more in this request."""
    g.setdefault("official_city_ids", {})[user_id] = city_ids


def own_cities(user) -> set[int]:
    """The person's cities: their home city and those they are an official of."""
    home = {user.home_city_id} if user.home_city_id else set()
    return home | official_cities(user)


def is_official_of(user, city) -> bool:
    """A verified member of a verified municipality organisation of ``city``."""
    if city is None:
        return False
    return (city if isinstance(city, int) else city.id) in official_cities(user)


def can_join(user, organisation: Organisation) -> bool:
    return user.is_authenticated and user.is_confirmed and organisation.is_verified


def decides_for(user, membership: Membership) -> bool:
    """Whether the person is one who decides this request, whatever its state (so that a
    decided request is a conflict for them, and none of anybody else's business)."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    if membership.user_id == user.id or not membership.organisation.is_verified:
        return False
    return is_verified_manager(user.id, membership.organisation_id)


def can_ask_to_join(user, organisation: Organisation, mine: Membership | None) -> bool:
    """The join button: allowed, and not already a member or waiting (a declined person may
    ask again)."""
    return can_join(user, organisation) and (mine is None or mine.status == Status.REJECTED)


def can_manage_members(user, organisation: Organisation) -> bool:
    """Admins and the organisation's verified managers see requests and remove members."""
    return user.is_authenticated and (
        user.is_admin or is_verified_manager(user.id, organisation.id)
    )


def can_end(user, membership: Membership) -> bool:
    """A person may leave (or withdraw a request); those who manage members may remove."""
    if not user.is_authenticated or membership.status == Status.REJECTED:
        return False
    return membership.user_id == user.id or user.is_admin or is_verified_manager(
        user.id, membership.organisation_id)


def needs_city(kind: str) -> bool:
    return kind == OrgKind.MUNICIPALITY.value
