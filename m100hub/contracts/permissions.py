"""Who may do what with a city's contract. Views ask here; templates get the answers."""

from __future__ import annotations

from ..organisations.permissions import is_official_of
from ..organisations.queries import memberships_of


def can_edit(user, city) -> bool:
    """The city's officials and admins (confirmed): the contract, its actions, their updates
    and funding, the city's inventories."""
    if not (user.is_authenticated and user.is_confirmed):
        return False
    return bool(user.is_admin or is_official_of(user, city))


def can_follow(user) -> bool:
    return bool(user.is_authenticated and user.is_confirmed)


def committing_organisations(user) -> list:
    """The verified organisations the person is a verified member of: those they may commit
    in a city's contract (one query)."""
    if not (user.is_authenticated and user.is_confirmed):
        return []
    return [m.organisation for m in memberships_of(user.id, verified_only=True)
            if m.organisation.is_verified]


def can_propose_commitment(user) -> bool:
    return bool(committing_organisations(user))


def can_decide_commitment(user, city) -> bool:
    """The city's officials and admins accept or decline what organisations propose."""
    return can_edit(user, city)
