"""Signed, expiring tokens for e-mail confirmation and password reset (itsdangerous)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..extensions import db
from .models import User

CONFIRM_SALT = "m100-confirm-email"
RESET_SALT = "m100-reset-password"


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _fingerprint(user) -> str:
    # A reset token dies once the password changes: it carries a piece of the current hash.
    return user.password_hash[-12:]


def confirm_token(user) -> str:
    return _serializer(CONFIRM_SALT).dumps({"uid": user.id, "email": user.email})


def reset_token(user) -> str:
    return _serializer(RESET_SALT).dumps({"uid": user.id, "fp": _fingerprint(user)})


class InvalidToken(Exception):
    def __init__(self, expired: bool):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _load(salt: str, token: str, max_age: int) -> dict:
    """The token's data, with ``"age"``: its age in seconds."""
    try:
        data, made = _serializer(salt).loads(token, max_age=max_age, return_timestamp=True)
    except SignatureExpired as exc:
        raise InvalidToken(expired=True) from exc
    except BadSignature as exc:
        raise InvalidToken(expired=False) from exc
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        raise InvalidToken(expired=False)
    return {**data, "age": (datetime.now(UTC) - made).total_seconds()}


def _person(salt: str, token: str, max_age: int,
            still_valid: Callable[[User, dict], bool]) -> tuple[User, float]:
    """The account the token was made for, while ``still_valid``, and the token's age in
    seconds; else InvalidToken (not expired: the account is gone or has changed since)."""
    data = _load(salt, token, max_age)
    user = db.session.get(User, data["uid"])
    if user is None or not still_valid(user, data):
        raise InvalidToken(expired=False)
    return user, data["age"]


def person_to_confirm(token: str) -> tuple[User, bool]:
    """The account a confirmation link was made for, while it has the address it was sent to,
    and whether the link is recent enough to sign its person in (CONFIRM_SIGN_IN_MAX_AGE)."""
    user, age = _person(CONFIRM_SALT, token, current_app.config["EMAIL_TOKEN_MAX_AGE"],
                        lambda user, data: data.get("email") == user.email)
    return user, age <= current_app.config["CONFIRM_SIGN_IN_MAX_AGE"]


def person_to_reset(token: str) -> User:
    """The account a reset link was made for, while its password is the one it had then."""
    return _person(RESET_SALT, token, current_app.config["RESET_TOKEN_MAX_AGE"],
                   lambda user, data: data.get("fp") == _fingerprint(user))[0]
