"""Registry of notification kinds (how each is worded in the reader's language and linked)
and of audiences (whom a kind may concern by the hundred: a thread's followers…).

Features register both at import time; the centre, the fan-out and the digests only read this.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select


class Delivery(enum.StrEnum):
    """How a person is told of a kind of notification (their preference, or the kind's
    default): not at all, in the app only, or also by e-mail — at once (notifications about
    one thing within a few minutes in one message), in the daily or in the weekly digest."""

    OFF = "off"
    APP = "app"
    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"


#: the ways that send e-mail
BY_EMAIL = (Delivery.IMMEDIATE, Delivery.DAILY, Delivery.WEEKLY)


@dataclass(frozen=True)
class Kind:
    #: payload → sentence in the current locale
    message: Callable[[dict], str]
    #: payload → link (a path on this site)
    url: Callable[[dict], str]
    #: what the preferences page calls it (a lazy string)
    label: Any = None
    #: how people are told unless they chose otherwise
    email: Delivery = Delivery.DAILY


KINDS: dict[str, Kind] = {}


def register_kind(name: str, message: Callable[[dict], str], url: Callable[[dict], str],
                  label: Any = None, email: Delivery = Delivery.DAILY) -> None:
    """``label`` names the kind on the preferences page; ``email`` is its default delivery
    (changes to an event one attends: at once; most: the daily digest)."""
    KINDS[name] = Kind(message=message, url=url, label=label, email=email)


def describe(kind: str, payload: dict) -> tuple[str, str]:
    """(text, url) of a notification; unknown kinds degrade to a generic line, never an error."""
    entry = KINDS.get(kind)
    if entry is None:
        return _("You have a new notification."), "/notifications"
    try:
        return entry.message(payload), entry.url(payload)
    except (KeyError, TypeError, ValueError):
        return _("You have a new notification."), "/notifications"


#: audience name → (its argument → SELECT of the people's ids, one column)
AUDIENCES: dict[str, Callable[[int], Select]] = {}


def register_audience(name: str, people: Callable[[int], Select]) -> None:
    """``people(ident)`` selects the ids of everyone in the audience (a thread's followers:
    ``select(Subscription.user_id).where(Subscription.thread_id == ident)``); the fan-out
    reads it in batches, in id order, when it runs."""
    AUDIENCES[name] = people


@dataclass(frozen=True)
class Audience:
    """Recipients named by a registered query rather than listed: ``notify(Audience(
    "forum_thread_followers", thread.id), …)`` writes one event row in the request, and the
    fan-out task writes everyone's notification afterwards."""

    name: str
    ident: int

    def __post_init__(self) -> None:
        if self.name not in AUDIENCES:
            raise ValueError(f"unknown audience {self.name!r}")
