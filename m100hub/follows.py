"""Following a thing (a forum thread or category, a consultation, a city's climate contract):
one row per person and thing, written and removed the same way for every kind, and one pair of
views, ``POST …/follow`` and ``POST …/unfollow``, that every feature adds with
``add_follow_routes``.

A feature declares its kind of follow once, by the column of its followers table that names
the followed thing: ``CONSULTATION = Follows(Follower.consultation_id)``. Everything else
reads from that: the idempotent follow (``INSERT … ON CONFLICT DO NOTHING``: a double click,
or two requests at the same moment, leave one row) and unfollow, "does this person follow
it", and the people an ``Audience`` of followers selects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, request
from flask_login import current_user, login_required
from sqlalchemy import ColumnElement, Exists, Select, delete, select
from sqlalchemy.orm import InstrumentedAttribute, Mapped, mapped_column

from .database import UTCDateTime, insert_on_conflict, rows_changed, utcnow
from .extensions import db
from .people import OnePerPersonMixin
from .permissions import require
from .submissions import done, submitted_once

#: a followed thing: its id, or the column of a larger query that names it
Target = int | ColumnElement[Any] | InstrumentedAttribute[Any]


class FollowerMixin(OnePerPersonMixin):
    """A person following one thing: the thing's id (a column of the model's own, first in
    the primary key) and the person; since when."""

    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@dataclass(frozen=True)
class Follows:
    """One kind of follow: ``column`` is the followers table's column naming the followed
    thing (its table has ``user_id`` and a unique key over both)."""

    column: InstrumentedAttribute[Any]

    @property
    def model(self) -> Any:
        return self.column.class_

    def _of(self, user_id: int, target_id: int) -> tuple[ColumnElement[bool], ...]:
        return self.model.user_id == user_id, self.column == target_id

    def follow(self, user_id: int, target_id: int) -> bool:
        """Follow (idempotent); whether a new follow was written."""
        # RETURNING tells whether the row was new (psycopg reports no rowcount for this INSERT)
        return db.session.execute(insert_on_conflict(self.model).values(
            {self.column.key: target_id, "user_id": user_id, "created_dt": utcnow()},
        ).on_conflict_do_nothing().returning(self.model.user_id)).first() is not None

    def unfollow(self, user_id: int, target_id: int) -> bool:
        """Stop following (harmless when not following); whether a follow was removed."""
        return rows_changed(delete(self.model).where(*self._of(user_id, target_id))) == 1

    def set(self, user_id: int, target_id: int, following: bool) -> bool:
        """Follow or stop following; whether anything changed."""
        return (self.follow if following else self.unfollow)(user_id, target_id)

    def exists(self, user_id: int | ColumnElement[Any], target: Target) -> Exists:
        """The clause "the person follows ``target``" (an id, or a column of a larger query)."""
        return select(self.model.user_id).where(self.model.user_id == user_id,
                                                self.column == target).exists()

    def is_following(self, user: Any, target_id: int) -> bool:
        """Whether ``user`` (a person, or a visitor without an account) follows the thing."""
        if not getattr(user, "is_authenticated", False):
            return False
        return bool(db.session.scalar(select(self.exists(user.id, target_id))))

    def people(self, target_id: int) -> Select:
        """The ids of everyone following the thing (for a notification ``Audience``)."""
        return select(self.model.user_id).where(self.column == target_id)


@dataclass(frozen=True)
class FollowRoutes:
    """What a feature's follow views need: ``find(**url values)`` the followed thing (404
    when absent), ``back(thing)`` the page to return to, ``may(person, thing)`` who may follow
    (403 otherwise), ``said(thing, following)`` the message to show (none when absent)."""

    follows: Follows
    find: Callable[..., Any]
    back: Callable[[Any], str]
    may: Callable[[Any, Any], bool] | None = None
    said: Callable[[Any, bool], str] | None = None


def add_follow_routes(bp: Blueprint, rule: str, routes: FollowRoutes, *,
                      endpoints: tuple[str, str] = ("follow", "unfollow")) -> None:
    """``POST {rule}/follow`` and ``POST {rule}/unfollow`` on ``bp``, under ``endpoints``
    (follow, unfollow). A form sent to the follow address with ``follow=0`` unfollows too.
    Both are idempotent and carry the page's one-time key: a double submit is answered as
    the first one was."""
    follow_endpoint, unfollow_endpoint = endpoints

    def view(**values):
        thing = routes.find(**values)
        if routes.may is not None:
            require(routes.may(current_user, thing))
        following = (request.endpoint == f"{bp.name}.{follow_endpoint}"
                     and request.form.get("follow") != "0")
        routes.follows.set(current_user.id, thing.id, following)
        return done(routes.back(thing), routes.said(thing, following) if routes.said else None)

    view.__name__ = follow_endpoint
    guarded = login_required(submitted_once(view))
    bp.add_url_rule(f"{rule}/follow", follow_endpoint, guarded, methods=["POST"])
    bp.add_url_rule(f"{rule}/unfollow", unfollow_endpoint, guarded, methods=["POST"])
