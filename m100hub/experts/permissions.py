"""Who may do what with experts and requests for expertise. Views ask here; templates get
the answers."""

from __future__ import annotations

from ..organisations.permissions import is_official_of, official_cities


def _confirmed(user) -> bool:
    return bool(user.is_authenticated and user.is_confirmed)


def can_offer(user) -> bool:
    """Any confirmed person may offer expertise (and edit or hide their own profile)."""
    return _confirmed(user)


def can_see(user, profile) -> bool:
    """A listed profile is public; a hidden one only its owner and admins see."""
    return profile.listed or (user.is_authenticated and (
        user.id == profile.user_id or user.is_admin))


def can_contact(user, profile) -> bool:
    return _confirmed(user) and profile.listed and user.id != profile.user_id


def can_read_message(user, message) -> bool:
    return user.is_authenticated and user.id in (message.sender_id, message.recipient_id)


def request_cities(user) -> set[int]:
    """The cities the person may post requests for: those they are an official of."""
    return official_cities(user) if _confirmed(user) else set()


def can_post_request(user) -> bool:
    return bool(request_cities(user))


def can_manage_request(user, request) -> bool:
    """Close it, mark who helped: the city's officials and admins."""
    return _confirmed(user) and bool(user.is_admin or is_official_of(user, request.city_id))


def can_answer(user, request, profile) -> bool:
    """An expert with a listed profile, while the request is open."""
    return (_confirmed(user) and request.is_open and profile is not None and profile.listed
            and profile.user_id == user.id)
