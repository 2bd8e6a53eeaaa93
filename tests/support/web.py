"""Helpers around Flask requests in tests: a fresh ``g`` per request, the session identifier
Flask-Login expects, and test-data builders that need a request context."""

from __future__ import annotations

from functools import wraps
from hashlib import sha512

from flask import current_app, g


def fresh_g(sender, **extra):
    """Each request gets an empty ``g``, as in production.

    A test keeps one app context open (for its database session), and Flask reuses an open
    app context for requests, so without this ``g`` (the signed-in user, the locale) would
    leak from one request of a test into the next.
    """
    for key in list(vars(g)):
        delattr(g, key)


def session_identifier(client) -> str:
    """What Flask-Login's strong session protection expects for this test client."""
    agent = client.environ_base.get("HTTP_USER_AGENT")
    addr = client.environ_base.get("REMOTE_ADDR", "127.0.0.1")
    base = f"{addr.encode()}|{agent.encode() if agent else None}"
    return sha512(base.encode("utf8")).hexdigest()


def in_request(build):
    """A test-data builder that runs in a request context (services build links with
    url_for, e.g. for @mentions and notifications)."""

    @wraps(build)
    def wrapper(*args, **kwargs):
        with current_app.test_request_context():
            return build(*args, **kwargs)

    return wrapper


def english(client) -> None:
    """The client reads the hub in English from now on."""
    client.set_cookie("lang", "en")


def redirects_to_login(response) -> bool:
    return response.status_code in (302, 303) and "/login" in response.headers["Location"]
