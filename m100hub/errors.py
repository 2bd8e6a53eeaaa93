"""Error pages in the visitor's language, and the sign-in redirect."""

from __future__ import annotations

from flask import Flask, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from .database import rollback_quietly


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Please try again.")),
        403: (_("Not allowed"), _("You do not have permission to do this.")),
        404: (_("Page not found"), _("There is no page at this address.")),
        405: (_("Not allowed"), _("This action is not available here.")),
        409: (_("Conflict"), _("This was already done, or the state has changed meanwhile.")),
        413: (_("Too large"), _("What you sent is too large.")),
        429: (_("Too many attempts"), _("Please wait a little and try again.")),
        500: (_("Something went wrong"), _("We could not complete this. Please try again later.")),
        503: (_("Busy"), _("Many people are writing at this moment. Please try again in a few "
                           "seconds; nothing was saved.")),
    }


class Conflict(Exception):
    """Not now: already done, or not possible in the current state (wrong phase, full, locked,
    deleted meanwhile). Services raise it; one handler rolls back and answers 409."""


def render_error(code: int, detail: str | None = None):
    title, text = _messages().get(code, _messages()[500])
    return render_template("errors/error.html", code=code, title=title, text=detail or text), code


def _http_error(exc: HTTPException):
    # a part of the site that answers in JSON (the open-data API) words its own errors
    answer = current_app.extensions.get("m100_json_errors")
    if answer is not None and (response := answer(exc)) is not None:
        return response
    code = exc.code or 500
    detail = None
    if code == 403 and exc.description == "unconfirmed":
        detail = _("Please confirm your e-mail address first; we sent you a link.")
    return render_error(code, detail)


def _csrf_error(exc: CSRFError):
    return render_error(400, _("The form has expired. Please reload the page and try again."))


def _conflict(exc: Conflict):
    rollback_quietly()
    return render_error(409)


def _database_unavailable(exc: OperationalError) -> bool:
    """Whether the error says the database cannot be reached now (PostgreSQL stopped or
    restarting, the connection cut, SQLite's write lock held past the busy timeout), rather
    than that this request is wrong."""
    if exc.connection_invalidated or "database is locked" in str(exc.orig):
        return True
    state = getattr(exc.orig, "sqlstate", None)
    # psycopg: no SQLSTATE when no connection could be made; class 08 is a connection
    # exception, 57P0x an administrator's or a crash's shutdown
    return exc.orig is not None and type(exc.orig).__module__.startswith("psycopg") and (
        state is None or state.startswith(("08", "57P")))


def _database_busy(exc: OperationalError):
    """A database that cannot be reached or written now — SQLite's one writer busy past its
    timeout, PostgreSQL stopped or restarting — is a 503 with Retry-After, never a 500: the
    request may simply be sent again. Any other database error stays a 500."""
    if not _database_unavailable(exc):
        raise exc  # any other: the ordinary 500, logged (and raised in the tests)
    rollback_quietly()  # the connection may be gone: nothing to roll back
    # the page must not ask the database who is signed in, nor reload a signed-in person the
    # rollback expired: the error page is drawn as for a visitor
    g._login_user = AnonymousUserMixin()
    page, code = render_error(503, None if "database is locked" in str(exc.orig) else _(
        "The hub cannot reach its database at this moment. Please try again in a minute; "
        "nothing was saved."))
    return page, code, {"Retry-After": "2" if "database is locked" in str(exc.orig) else "10"}


def _server_error(exc):
    rollback_quietly()
    return render_error(500)


def unauthorized():
    flash(_("Please sign in to continue."), "info")
    if request.method != "GET":
        return redirect(url_for("accounts.login"), 303)
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def register(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Conflict, _conflict)
    app.register_error_handler(OperationalError, _database_busy)
    app.register_error_handler(500, _server_error)
