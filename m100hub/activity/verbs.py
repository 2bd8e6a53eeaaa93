"""Registry of activity-log verbs and how each is worded in the reader's language."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _

#: verb → (entry → sentence); features register their verbs at import time
VERBS: dict[str, Callable[[dict], str]] = {}


def register_verb(verb: str, message: Callable[[dict], str]) -> None:
    VERBS[verb] = message


def describe(verb: str, facts: dict) -> str:
    """A sentence for the log; an unknown verb or a row missing a fact degrades to a generic
    line rather than breaking the public page."""
    message = VERBS.get(verb)
    if message is not None:
        try:
            return message(facts)
        except (KeyError, TypeError, ValueError):
            pass
    return _("did something (%(verb)s) to %(target)s", verb=verb, target=facts.get("target"))
