"""Who may do what with a city's contract. Views ask here; templates get the answers."""

from __future__ import annotations

from ..organisations.permissions import is_official_of


def can_edit(user, city) -> bool:
    """The city's officials and admins (confirmed): the contract, its actions, their updates
    and funding, the city's inventories."""
    if not (user.is_authenticated and user.is_confirmed):
        return False
    return bool(user.is_admin or is_official_of(user, city))


def can_follow(user) -> bool:
    return bool(user.is_authenticated and user.is_confirmed)
