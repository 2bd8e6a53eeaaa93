from __future__ import annotations

from ..extensions import db
from .models import ActivityEntry
from .verbs import VERBS


def log(actor, verb: str, target=None, reason: str = "", label: str | None = None, **details):
    """Record a public action of an official, moderator or admin. Flushes, never commits."""
    if verb not in VERBS:
        raise ValueError(f"unknown activity verb {verb!r}")
    entry = ActivityEntry(
        actor_id=actor.id if actor is not None else None,
        verb=verb,
        target_type=target.__tablename__ if target is not None else None,
        target_id=target.id if target is not None else None,
        target_label=(label if label is not None else getattr(target, "name", ""))[:200],
        reason=(reason or "")[:500],
        details=details,
    )
    db.session.add(entry)
    db.session.flush()
    return entry
