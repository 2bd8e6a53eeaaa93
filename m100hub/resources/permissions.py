"""Who may do what in the resources library. Views ask here; templates get the answers."""

from __future__ import annotations

from ..organisations.permissions import official_cities
from ..organisations.queries import memberships_of


def _confirmed(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_confirmed)


def publisher_organisations(user) -> list:
    """The verified organisations the person is a verified member of (whom they suggest for)."""
    if not _confirmed(user):
        return []
    return [m.organisation for m in memberships_of(user.id, verified_only=True)
            if m.organisation.is_verified]


def can_suggest(user) -> bool:
    """Verified members of verified organisations, and the secretariat."""
    return _confirmed(user) and bool(user.is_admin or publisher_organisations(user))


def can_curate(user) -> bool:
    """Approve, edit and retire: the national secretariat (admins)."""
    return _confirmed(user) and bool(user.is_admin)


def can_see(user, item) -> bool:
    """Published items to everyone; a suggestion to its author and the curators."""
    if item.is_published:
        return True
    if can_curate(user):
        return True
    return _confirmed(user) and item.suggested_by_id == user.id and item.status.value == "pending"


def replicating_cities(user, practice) -> set[int]:
    """The cities (other than the practice's own) the person may say want to replicate it:
    those they are an official of."""
    if not _confirmed(user) or not practice.is_published:
        return set()
    return official_cities(user) - {practice.practice_city_id}


def can_follow(user) -> bool:
    return _confirmed(user)
