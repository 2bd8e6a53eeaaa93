"""Who may do what with a city's contract. Views ask here; templates get the answers."""

from __future__ import annotations

from ..organisations.models import OrgKind
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


def may_commit_in(organisation, city) -> bool:
    """Whether the organisation may commit in ``city``'s contract: a town hall speaks for its
    own city only (its officials cannot pledge it in another city's contract); companies,
    NGOs, universities and institutions commit in any city's."""
    if organisation.kind == OrgKind.MUNICIPALITY:
        return organisation.city_id == city.id
    return True


def committing_organisations(user, city) -> list:
    """The verified organisations the person is a verified member of that may commit in
    ``city``'s contract: those they may propose a commitment for there (one query)."""
    if not (user.is_authenticated and user.is_confirmed):
        return []
    return [m.organisation for m in memberships_of(user.id, verified_only=True)
            if m.organisation.is_verified and may_commit_in(m.organisation, city)]


def can_propose_commitment(user, city) -> bool:
    return bool(committing_organisations(user, city))


def can_decide_commitment(user, city) -> bool:
    """The city's officials and admins accept or decline what organisations propose."""
    return can_edit(user, city)
