"""Who may do what with events. Views ask here; templates get the answers."""

from __future__ import annotations

from ..organisations.permissions import official_cities
from ..organisations.queries import memberships_of
from .models import Event


def _confirmed(user) -> bool:
    return bool(user.is_authenticated and user.is_confirmed)


def can_organise(user) -> bool:
    """Admins, officials, and verified members of verified organisations."""
    if not _confirmed(user):
        return False
    return user.is_admin or bool(official_cities(user)) or any(
        m.organisation.is_verified for m in memberships_of(user.id, verified_only=True))


def can_manage(user, event: Event, organisers: set[int]) -> bool:
    """The organiser, the co-organisers (``organisers``: their ids) and admins."""
    return bool(user.is_authenticated and (user.is_admin or user.id in organisers))


def can_register(user, event: Event) -> bool:
    return _confirmed(user) and event.registration_open


def sees_online_link(registration, managing: bool) -> bool:
    """The meeting link: for confirmed registrants and the organisers only."""
    return managing or (registration is not None and registration.status.value == "confirmed")
