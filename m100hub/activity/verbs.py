"""Registry of activity-log verbs and how each is worded in the reader's language."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _

#: verb → (entry → sentence); features register their verbs at import time
VERBS: dict[str, Callable[[dict], str]] = {}


def register_verb(verb: str, message: Callable[[dict], str]) -> None:
    VERBS[verb] = message


def describe(verb: str, facts: dict) -> str:
    message = VERBS.get(verb)
    if message is None:
        return _("did something (%(verb)s) to %(target)s", verb=verb, target=facts.get("target"))
    return message(facts)
