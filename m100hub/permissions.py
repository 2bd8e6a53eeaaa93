"""Shared permission helpers. Each feature keeps its own ``can_*`` rules in its
``permissions.py``; views call them and abort here — templates never decide."""

from __future__ import annotations

from functools import wraps
from typing import TypeVar

from flask import abort, current_app, request
from flask_login import current_user, login_required

from .extensions import db

T = TypeVar("T")


def get_or_404(model, ident, *options):
    """The row, with the relationships ``options`` load (relationships are never lazy)."""
    if ident is None:
        abort(404)
    # populate_existing: the options apply even to a row this session already holds
    return found_or_404(
        db.session.get(model, ident, options=options, populate_existing=bool(options)))


def found_or_404(found: T | None) -> T:
    """What a lookup found (a row, a city by its slug…), or 404 when it found nothing."""
    if found is None:
        abort(404)
    return found


def require(allowed: bool) -> None:
    """403 unless ``allowed`` (the result of a ``can_*`` rule)."""
    if not allowed:
        abort(403)


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_admin)


def can_moderate(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_admin or user.is_moderator))


def signed_in_and(rule):
    """A view decorator: sign-in first (a redirect), then ``rule(current_user)`` (else 403)."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            require(rule(current_user))
            return view(*args, **kwargs)

        return wrapper

    return decorate


admin_required = signed_in_and(is_admin)
moderator_required = signed_in_and(can_moderate)


def confirmed_required(view):
    """Signed in with a confirmed e-mail address."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_confirmed:
            abort(403, description="unconfirmed")
        return view(*args, **kwargs)

    return wrapper


def open_to_unconfirmed(view):
    """Mark a writing view that a person may use before confirming their address: signing
    in and out, confirming, a new link, the password, the language. Every other write is
    refused to them (``confirmed_writes_only``)."""
    view.open_to_unconfirmed = True
    return view


WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def confirmed_writes_only():
    """Before every request, in one place: a signed-in person whose address is not confirmed
    writes nothing (follows, calendar feeds, a profile claiming a handle…) — 403, with the
    page that asks them to confirm."""
    if request.method not in WRITING_METHODS or not current_user.is_authenticated:
        return None
    if current_user.is_confirmed:
        return None
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or getattr(view, "open_to_unconfirmed", False):
        return None
    abort(403, description="unconfirmed")
