"""Who may do what on a workshop board. Views, socket handlers and templates ask here.

A person's ``Standing`` on a board (queries.standing: one query) says whether they
facilitate it (the workshop's organisers, the people they invited by handle, admins) and
whether they hold a confirmed registration for the workshop."""

from __future__ import annotations

from dataclasses import dataclass

from ..events.models import EventKind
from .models import Board, BoardAccess, Card


@dataclass(frozen=True)
class Standing:
    #: signed in with a confirmed address
    confirmed: bool = False
    facilitator: bool = False
    registrant: bool = False
    user_id: int | None = None


VISITOR = Standing()


def can_create(user, event, organisers: set[int]) -> bool:
    """A board for a workshop: its organisers (``organisers``: their ids) and admins."""
    return bool(user.is_authenticated and user.is_confirmed and event.kind == EventKind.WORKSHOP
                and (user.is_admin or user.id in organisers))


def can_see(board: Board, standing: Standing) -> bool:
    """Public boards: everyone (visitors read-only); the others: facilitators and the
    workshop's confirmed registrants."""
    return (board.access == BoardAccess.PUBLIC or standing.facilitator
            or (standing.confirmed and standing.registrant))


def can_take_part(board: Board, standing: Standing) -> bool:
    """Add, edit and move cards and vote: signed in and confirmed, allowed to see the board,
    the board unlocked (facilitators work on a locked board too), and the workshop not over
    (then the board is its read-only archive; the board's event must be loaded)."""
    if not standing.confirmed or not can_see(board, standing) or is_archived(board):
        return False
    return standing.facilitator or not board.locked


def is_archived(board: Board) -> bool:
    return board.event.is_past


def can_facilitate(board: Board, standing: Standing) -> bool:
    return standing.confirmed and standing.facilitator and not is_archived(board)


def can_change_card(board: Board, card: Card, standing: Standing) -> bool:
    """Edit or delete: the card's author (while they may take part) and the facilitators."""
    if can_facilitate(board, standing):
        return True
    return can_take_part(board, standing) and card.author_id == standing.user_id


def can_see_author(board: Board) -> bool:
    """Anonymous boards name no author to anyone, facilitators and exports included."""
    return not board.anonymous


def can_promote(board: Board, card: Card, standing: Standing) -> bool:
    """Turn a card into a thread or a proposal (then those features' own rules apply): its
    author or a facilitator, also after the workshop, once per card."""
    if card.outcome or not standing.confirmed or not can_see(board, standing):
        return False
    return standing.facilitator or card.author_id == standing.user_id
