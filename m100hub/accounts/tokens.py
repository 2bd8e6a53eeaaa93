"""Signed, expiring tokens for e-mail confirmation and password reset (itsdangerous)."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

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
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise InvalidToken(expired=True) from exc
    except BadSignature as exc:
        raise InvalidToken(expired=False) from exc
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        raise InvalidToken(expired=False)
    return data


def load_confirm(token: str) -> dict:
    return _load(CONFIRM_SALT, token, current_app.config["EMAIL_TOKEN_MAX_AGE"])


def load_reset(token: str) -> dict:
    return _load(RESET_SALT, token, current_app.config["RESET_TOKEN_MAX_AGE"])


def confirm_matches(user, data: dict) -> bool:
    """The token was made for the address the account has now."""
    return data.get("email") == user.email


def reset_matches(user, data: dict) -> bool:
    return data.get("fp") == _fingerprint(user)
