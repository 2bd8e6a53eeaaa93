"""What boards add to a workshop's page: its boards (live, or the read-only archive after
the workshop), and for its organisers a way to start one. Who organises it comes from the
co-organisers the event page loaded (``Section.page``), not from another query."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from ..events.models import EventKind
from ..events.services import organiser_ids
from ..features import Section
from . import permissions, queries
from .models import Board


def _event(event, co_organisers=None, found: bool | None = None) -> dict | None:
    """``found``: whether the event has boards, when the page asked (``_has_boards``)."""
    if event.kind != EventKind.WORKSHOP:
        return None
    can_create = permissions.can_create(current_user, event,
                                        organiser_ids(event, co_organisers))
    boards = queries.boards_of(event.id) if found is not False else []
    if not boards and not can_create:
        return None
    return {"event": event, "boards": boards, "can_create": can_create}


def _has_boards(event_id):
    return select(Board.id).where(Board.event_id == event_id).exists()


SECTIONS = [Section("event", "boards/_event_section.html", _event, order=20,
                    page=("co_organisers",), probe=_has_boards)]
