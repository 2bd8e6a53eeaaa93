"""Shared permission helpers. Each feature keeps its own ``can_*`` rules in its
``permissions.py``; views call them and abort here — templates never decide."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from .extensions import db


def get_or_404(model, ident, *options):
    """The row, with the relationships ``options`` load (relationships are never lazy)."""
    if ident is None:
        abort(404)
    # populate_existing: the options apply even to a row this session already holds
    obj = db.session.get(model, ident, options=options, populate_existing=bool(options))
    if obj is None:
        abort(404)
    return obj


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
