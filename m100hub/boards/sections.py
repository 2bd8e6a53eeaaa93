"""What boards add to a workshop's page: its boards (live, or the read-only archive after
the workshop), and for its organisers a way to start one."""

from __future__ import annotations

from flask_login import current_user

from ..events.models import EventKind
from ..features import Section
from . import permissions, queries


def _event(event) -> dict | None:
    if event.kind != EventKind.WORKSHOP:
        return None
    can_create = permissions.can_create(current_user, event, queries.organiser_ids(event))
    boards = queries.boards_of(event.id)
    if not boards and not can_create:
        return None
    return {"event": event, "boards": boards, "can_create": can_create}


SECTIONS = [Section("event", "boards/_event_section.html", _event, order=20)]
