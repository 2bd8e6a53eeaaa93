"""Reads for boards: a person's standing, a whole board in a few queries, changes since a
version."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, exists, func, literal, or_, select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..events.models import Event, EventOrganiser, Registration, RegistrationStatus
from ..extensions import db
from .changes import held_lock
from .models import Board, BoardChange, BoardColumn, BoardFacilitator, Card, Dot
from .permissions import VISITOR, Standing


def board(board_id: int) -> Board | None:
    return db.session.scalar(select(Board).options(joinedload(Board.event))
                             .where(Board.id == board_id))


def _standing_columns(user_id: int, board_id, event_id) -> tuple[Any, Any]:
    """Whether the person facilitates the board, and holds a confirmed place at its
    workshop: two EXISTS columns (``board_id``, ``event_id``: values, or the columns of a
    board the query reads)."""
    organiser = or_(
        exists().where(Event.id == event_id, Event.created_by_id == user_id),
        exists().where(EventOrganiser.event_id == event_id, EventOrganiser.user_id == user_id),
        exists().where(BoardFacilitator.board_id == board_id,
                       BoardFacilitator.user_id == user_id))
    registered = exists().where(Registration.event_id == event_id,
                                Registration.user_id == user_id,
                                Registration.status == RegistrationStatus.CONFIRMED)
    return organiser.label("facilitator"), registered.label("registrant")


def _standing(user, facilitator: bool, registrant: bool) -> Standing:
    return Standing(confirmed=bool(user.is_confirmed), registrant=bool(registrant),
                    facilitator=bool(user.is_admin or facilitator), user_id=user.id)


def standing(user, board: Board) -> Standing:
    """The person's part in the board's workshop, in one query."""
    if not user.is_authenticated:
        return VISITOR
    facilitator, registrant = db.session.execute(
        select(*_standing_columns(user.id, board.id, board.event_id))).one()
    return _standing(user, facilitator, registrant)


def board_for_change(board_id: int, user) -> tuple[Board, Standing] | None:
    """The board (its event loaded) with its row locked for this transaction, and the
    person's standing on it: one query for what every change checks first. The lock is
    noted (changes.held_lock), so the change's service does not take it again."""
    columns = (_standing_columns(user.id, Board.id, Board.event_id)
               if user.is_authenticated else ())
    row = db.session.execute(
        select(Board, *columns).options(joinedload(Board.event)).where(Board.id == board_id)
        .with_for_update(of=Board).execution_options(populate_existing=True)).first()
    if row is None:
        return None
    found = row[0]
    held_lock(found)
    return found, (_standing(user, row[1], row[2]) if columns else VISITOR)


def boards_of(event_id: int) -> list[Board]:
    return list(db.session.scalars(_boards_of_statement(), {"event_id": event_id}))


@cache
def _boards_of_statement() -> Select:
    """boards_of()'s statement, built once: a workshop's page asks it on every request."""
    return select(Board).where(Board.event_id == bindparam("event_id")).order_by(Board.id)


def columns(board_id: int) -> list[BoardColumn]:
    rows = db.session.scalars(select(BoardColumn).where(BoardColumn.board_id == board_id))
    return sorted(rows, key=lambda column: (column.position, column.id))


def cards(board_id: int) -> list[Card]:
    """Every card that is not deleted, authors loaded, in position order (byte order of the
    keys, the same on every database: sorted here)."""
    rows = db.session.scalars(select(Card).options(joinedload(Card.author)).where(
        Card.board_id == board_id, Card.deleted_dt.is_(None)))
    return sorted(rows, key=lambda card: (card.position, card.id))


def dots_of(board_id: int, user_id: int | None) -> dict[int, int]:
    """card id → the person's dots on this board."""
    if user_id is None:
        return {}
    return dict(db.session.execute(select(Dot.card_id, Dot.dots).where(
        Dot.board_id == board_id, Dot.user_id == user_id)).all())


def dots_used(board_id: int, user_id: int) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(Dot.dots), literal(0))).where(
        Dot.board_id == board_id, Dot.user_id == user_id)) or 0


def changes_since(board_id: int, version: int, limit: int) -> list[BoardChange]:
    return list(db.session.scalars(select(BoardChange).where(
        BoardChange.board_id == board_id, BoardChange.version > version)
        .order_by(BoardChange.version).limit(limit)))


def facilitators(board_id: int) -> list[User]:
    return list(db.session.scalars(select(User).join(
        BoardFacilitator, BoardFacilitator.user_id == User.id)
        .where(BoardFacilitator.board_id == board_id).order_by(User.display_name)))
