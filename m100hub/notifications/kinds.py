"""Registry of notification kinds (how each is worded in the reader's language and linked)
and of audiences (whom a kind may concern by the hundred: a thread's followers…).

Features register both at import time; the centre, the fan-out and the digests only read this.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select


@dataclass(frozen=True)
class Kind:
    #: payload → sentence in the current locale
    message: Callable[[dict], str]
    #: payload → link (a path on this site)
    url: Callable[[dict], str]


KINDS: dict[str, Kind] = {}


def register_kind(name: str, message: Callable[[dict], str], url: Callable[[dict], str]) -> None:
    KINDS[name] = Kind(message=message, url=url)


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
