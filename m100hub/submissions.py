"""One-time submission keys: a double click or a retried request never makes two rows.

Every create form carries a hidden ``submission_key`` made when the page is rendered
(``{{ submission_key() }}`` in the template). A create view is decorated ``@submitted_once``
and ends with ``return done(url, message)``:

- the decorator claims the key for the signed-in person before the view writes anything: an
  ``INSERT … ON CONFLICT DO NOTHING`` into ``submissions``, whose primary key is
  (person, key). The database decides: on PostgreSQL a second request with the same key waits
  at that INSERT until the first one's transaction ends, then inserts nothing; on SQLite
  writing requests are serialised (``BEGIN IMMEDIATE``) and the second finds the first's row.
  The request that claimed nothing answers what the first one answered: the same flash, a
  303 to the same place (never an error, never a second row);
- ``done`` writes where the submission went (and what it said) onto the claim, in the same
  transaction as the rows it created, then commits and redirects. A view that fails (invalid
  form, 404, conflict) rolls back, and its key with it: the form can be sent again.

Keys carry the time they were made; a key older than ``SUBMISSION_KEY_DAYS`` is refused as an
expired form (the periodic ``submissions.expire`` deletes older claims, so a key is either
answered from its row or refused, never taken twice). A POST without a key is served as
before: the hub's own pages always send one (a test checks every create form), CSRF refuses
requests from anywhere else, and refusing the pages open in browsers when this shipped would
only have lost people's typed text.
"""

from __future__ import annotations

import re
import secrets
import time
from datetime import datetime, timedelta
from functools import wraps

from celery import shared_task
from flask import Flask, current_app, flash, redirect, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import ForeignKey, String, Text, delete, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .database import (
    UTCDateTime,
    commit,
    commit_and_redirect,
    insert_on_conflict,
    rollback_quietly,
    rows_changed,
    utcnow,
)
from .errors import Conflict, render_error
from .extensions import Model, db

#: the form field's name
FIELD = "submission_key"
#: issued time (Unix seconds) and 128 random bits
KEY_PATTERN = re.compile(r"\A([0-9]{10})\.[0-9a-f]{32}\Z")
#: clocks of several web machines may differ by this much
CLOCK_SKEW = 300
#: the claim of this request, not yet given its outcome (kept on the session: a rollback
#: drops it with the row)
PENDING = "m100_submission"


class Submission(Model):
    """A form's key, taken once by a person, and where that submission went."""

    __tablename__ = "submissions"

    #: who sent the form: a key is only ever looked up with its person
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    #: the key the form carried
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: the view that took it (what was created)
    endpoint: Mapped[str] = mapped_column(String(100), nullable=False)
    #: where the first submission sent the browser, and the message it showed; every later
    #: submission with the key is answered so
    url: Mapped[str | None] = mapped_column(String(2000))
    message: Mapped[str | None] = mapped_column(Text)
    #: when the key was taken (UTC): claims older than the key's life are deleted
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False,
                                                 index=True)


def new_key() -> str:
    return f"{int(time.time())}.{secrets.token_hex(16)}"


def key_input() -> Markup:
    """The hidden field of a create form (template global ``submission_key()``): a new key on
    every rendering. Nothing for visitors without an account (and so nothing in a page the
    anonymous cache keeps)."""
    if not current_user.is_authenticated:
        return Markup("")
    return key_field(new_key())


def key_field(key: str) -> Markup:
    """The hidden field that carries ``key``."""
    return Markup(f'<input type="hidden" name="{FIELD}" value="{key}">')  # noqa: S704


def _lifetime() -> int:
    return int(current_app.config["SUBMISSION_KEY_DAYS"]) * 86400


def _posted_key() -> tuple[str | None, tuple | None]:
    """The request's key (None when it carries none), or the page refusing it: a malformed
    key is a bad request, an old one an expired form."""
    key = request.form.get(FIELD) or None
    if key is None:
        return None, None
    found = KEY_PATTERN.match(key)
    age = time.time() - int(found.group(1)) if found else None
    if age is None or age < -CLOCK_SKEW:
        return None, render_error(400)
    if age > _lifetime():
        return None, render_error(
            400, _("The form has expired. Please reload the page and try again."))
    return key, None


def submitted_once(view):
    """Decorate a view that creates: its key is claimed before it runs, and a key this person
    used already is answered with that submission's outcome (the view does not run)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if request.method != "POST" or not current_user.is_authenticated:
            return view(*args, **kwargs)
        key, refusal = _posted_key()
        if refusal is not None:
            return refusal
        if key is None:
            return view(*args, **kwargs)
        user_id = current_user.id
        if not _claim(user_id, key):
            return _replay(user_id, key)
        db.session.info[PENDING] = (user_id, key)
        try:
            return view(*args, **kwargs)
        finally:
            if db.session.info.get(PENDING) is not None:
                # nothing was created (a refused form, a preview, a 404 or a conflict): let
                # go of the key now, so that the form can be sent again and a request waiting
                # for it goes on at once (quietly: when the database is gone, the error being
                # answered is the one to show)
                rollback_quietly()

    return wrapper


def _claim(user_id: int, key: str) -> bool:
    """Take the key; False when it was taken (PostgreSQL: by a transaction that committed,
    after waiting for it to end)."""
    statement = insert_on_conflict(Submission).values(
        user_id=user_id, key=key, endpoint=(request.endpoint or "")[:100], created_dt=utcnow(),
    ).on_conflict_do_nothing().returning(Submission.key)
    return db.session.execute(statement).first() is not None


def _replay(user_id: int, key: str):
    """What the first submission with this key answered."""
    first = db.session.execute(
        select(Submission.url, Submission.message)
        .where(Submission.user_id == user_id, Submission.key == key)).first()
    if first is None or first.url is None:
        raise Conflict("submission without an outcome")
    if first.message:
        flash(first.message, "success")
    return redirect(first.url, 303)


def done(url: str, message: str | None = None):
    """A create view's work done: record where it leads with the request's key (in the same
    transaction), commit, then say ``message`` (if any) and redirect (303)."""
    claim = db.session.info.pop(PENDING, None)
    if claim is not None:
        user_id, key = claim
        db.session.execute(update(Submission)
                           .where(Submission.user_id == user_id, Submission.key == key)
                           .values(url=url, message=message))
    if message is None:
        commit()
        return redirect(url, 303)
    return commit_and_redirect(message, url)


@event.listens_for(Session, "before_commit")
def _claim_has_outcome(session) -> None:
    """A claimed key is committed only with its outcome (else a later submission with it
    could not be answered): a view under ``@submitted_once`` ends with ``done``."""
    if session.info.get(PENDING) is not None and not session.in_nested_transaction():
        raise RuntimeError("a view under @submitted_once must finish with submissions.done()")


@event.listens_for(Session, "after_soft_rollback")
def _drop_claim(session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(PENDING, None)


@shared_task(name="submissions.expire")
def expire() -> int:
    """Delete claims older than a key's life (and the clocks' skew): their keys are refused
    as expired anyway. Returns how many."""
    cutoff = utcnow() - timedelta(seconds=_lifetime() + CLOCK_SKEW)
    deleted = rows_changed(delete(Submission).where(Submission.created_dt < cutoff))
    commit()
    return deleted


def register(app: Flask) -> None:
    app.jinja_env.globals["submission_key"] = key_input
