"""Registry of notification kinds: how each is worded (in the reader's language) and linked.

Features register their kinds at import time; the centre and the digests only read this.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _


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
