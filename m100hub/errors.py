"""Error pages in the visitor's language, and the sign-in redirect."""

from __future__ import annotations

from flask import Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from .extensions import db


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
    code = exc.code or 500
    detail = None
    if code == 403 and exc.description == "unconfirmed":
        detail = _("Please confirm your e-mail address first; we sent you a link.")
    return render_error(code, detail)


def _csrf_error(exc: CSRFError):
    return render_error(400, _("The form has expired. Please reload the page and try again."))


def _conflict(exc: Conflict):
    db.session.rollback()
    return render_error(409)


def _database_busy(exc: OperationalError):
    """The embedded SQLite database lets one writer at a time: a write that waited past its
    busy timeout is a 503 with Retry-After, never a 500. Any other database error stays one."""
    if "database is locked" not in str(exc.orig):
        raise exc  # any other: the ordinary 500, logged (and raised in the tests)
    db.session.rollback()
    page, code = render_error(503)
    return page, code, {"Retry-After": "2"}


def _server_error(exc):
    db.session.rollback()
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
