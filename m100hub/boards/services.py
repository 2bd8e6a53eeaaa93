"""Writes to a board and its columns, and the facilitator's controls. Flush, never commit;
``Conflict`` for what is not possible now. Card writes are in cards.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from fractional_indexing import generate_key_between
from sqlalchemy import delete, select, update

from ..cities.models import ClimateSector
from ..database import utcnow
from ..errors import Conflict
from ..extensions import db
from .changes import BadInput, Unknown, column_data, lock_board, record, settings_data
from .models import (
    COLUMN_TITLE_LENGTH,
    Board,
    BoardAccess,
    BoardColumn,
    BoardFacilitator,
    Card,
    Dot,
)

#: column templates: name → (label, column titles)
TEMPLATES: dict[str, tuple[Any, list[Any]]] = {
    "challenges": (_l("Challenges / Ideas / Actions"),
                   [_l("Challenges"), _l("Ideas"), _l("Actions")]),
    "retro": (_l("What works / What doesn't / What we try"),
              [_l("What works"), _l("What doesn't work"), _l("What we try")]),
    "sectors": (_l("One column per climate sector"),
                [label for _value, label in ClimateSector.choices()]),
    "empty": (_l("Empty board"), []),
}
#: the longest countdown
TIMER_MAX_SECONDS = 4 * 3600
#: settings a facilitator changes: name → type
SETTINGS = {"locked": bool, "anonymous": bool, "votes_hidden": bool, "multiple_dots": bool,
            "vote_budget": int, "title": str}


def create_board(event, user, title: str, access: BoardAccess, template: str,
                 vote_budget: int = 5, multiple_dots: bool = False) -> Board:
    if template not in TEMPLATES:
        raise BadInput("template")
    board = Board(event_id=event.id, title=title.strip(), access=access, created_by_id=user.id,
                  vote_budget=vote_budget, multiple_dots=multiple_dots, version=0)
    db.session.add(board)
    db.session.flush()
    position = None
    for label in TEMPLATES[template][1]:
        position = generate_key_between(position, None)
        db.session.add(BoardColumn(board_id=board.id, title=str(label), position=position))
    db.session.flush()
    return board


def column_on(board: Board, column_id: Any) -> BoardColumn:
    column = db.session.get(BoardColumn, column_id) if isinstance(column_id, int) else None
    if column is None or column.board_id != board.id:
        raise Unknown("column")
    return column


def _title(text: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        raise BadInput("title")
    if len(text.strip()) > COLUMN_TITLE_LENGTH:
        raise BadInput("too long")
    return text.strip()


def position_after(positions: list[str], after: str | None) -> str:
    """A key right after ``after`` (None: first) among sorted ``positions`` — before the
    next distinct key, so two items that raced to one key still get a new one between."""
    following = next((p for p in positions if after is None or p > after), None)
    return generate_key_between(after, following)


def add_column(board_id: int, title: Any) -> dict:
    board = lock_board(board_id)
    last = db.session.scalar(select(BoardColumn.position).where(
        BoardColumn.board_id == board.id).order_by(BoardColumn.position.desc()).limit(1))
    column = BoardColumn(board_id=board.id, title=_title(title),
                         position=generate_key_between(last, None))
    db.session.add(column)
    db.session.flush()
    return record(board, "column.added", {"column": column_data(column)})


def rename_column(board_id: int, column_id: Any, title: Any) -> dict:
    board = lock_board(board_id)
    column = column_on(board, column_id)
    column.title = _title(title)
    return record(board, "column.renamed", {"column": column_data(column)})


def move_column(board_id: int, column_id: Any, after_id: Any) -> dict:
    """Place the column right after ``after_id`` (None: first)."""
    board = lock_board(board_id)
    column = column_on(board, column_id)
    after = None if after_id is None else column_on(board, after_id)
    if after is not None and after.id == column.id:
        raise BadInput("after itself")
    others = sorted(p for p in db.session.scalars(select(BoardColumn.position).where(
        BoardColumn.board_id == board.id, BoardColumn.id != column.id)))
    column.position = position_after(others, after.position if after else None)
    return record(board, "column.moved", {"column": column_data(column)})


def delete_column(board_id: int, column_id: Any) -> dict:
    """The column and its cards go (their dots are given back)."""
    board = lock_board(board_id)
    column = column_on(board, column_id)
    db.session.execute(delete(Dot).where(Dot.card_id.in_(
        select(Card.id).where(Card.column_id == column.id))))
    db.session.delete(column)
    db.session.flush()
    return record(board, "column.deleted", {"column": {"id": column.id}})


def change_settings(board_id: int, changes: dict[str, Any]) -> dict:
    board = lock_board(board_id)
    if not changes or set(changes) - set(SETTINGS):
        raise BadInput("settings")
    for name, value in changes.items():
        if type(value) is not SETTINGS[name]:
            raise BadInput(name)
    if "vote_budget" in changes and not 0 <= changes["vote_budget"] <= 100:
        raise BadInput("vote_budget")
    if "title" in changes:
        changes = {**changes, "title": _board_title(changes["title"])}
    for name, value in changes.items():
        setattr(board, name, value)
    data: dict[str, Any] = {"settings": settings_data(board)}
    if "votes_hidden" in changes and not board.votes_hidden:  # revealed: the counts now
        data["cards"] = _vote_counts(board.id)
    return record(board, "board.settings", data)


def _board_title(title: Any) -> str:
    if not isinstance(title, str) or not title.strip() or len(title.strip()) > 200:
        raise BadInput("title")
    return title.strip()


def _vote_counts(board_id: int) -> list[dict]:
    return [{"id": ident, "votes": votes} for ident, votes in db.session.execute(
        select(Card.id, Card.vote_count).where(Card.board_id == board_id,
                                               Card.deleted_dt.is_(None)))]


def set_timer(board_id: int, seconds: Any) -> dict:
    """Start a countdown of ``seconds`` (0 stops it)."""
    if type(seconds) is not int or not 0 <= seconds <= TIMER_MAX_SECONDS:
        raise BadInput("seconds")
    board = lock_board(board_id)
    board.timer_ends_dt = utcnow() + timedelta(seconds=seconds) if seconds else None
    return record(board, "board.settings", {"settings": settings_data(board)})


def reset_votes(board_id: int) -> dict:
    board = lock_board(board_id)
    db.session.execute(delete(Dot).where(Dot.board_id == board.id))
    db.session.execute(update(Card).where(Card.board_id == board.id).values(vote_count=0))
    return record(board, "votes.reset", {})


def invite_facilitator(board: Board, user) -> None:
    if db.session.get(BoardFacilitator, (board.id, user.id)) is not None:
        raise Conflict("already a facilitator")
    db.session.add(BoardFacilitator(board_id=board.id, user_id=user.id))
    db.session.flush()


def remove_facilitator(board: Board, user_id: int) -> None:
    db.session.execute(delete(BoardFacilitator).where(
        BoardFacilitator.board_id == board.id, BoardFacilitator.user_id == user_id))
    db.session.flush()
