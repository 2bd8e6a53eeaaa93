"""The board's clock and its log: every change locks the board, takes the next version,
writes a ``BoardChange`` and, once the transaction commits, is broadcast to the board's room
(through the Redis queue to every web process). What clients see of a change is redacted
by the board's state at that version (read under the lock, so the broadcast after the commit
reads nothing again): no author on an anonymous board, no counts while the votes are hidden.

A socket event locks the board in the query that also reads the person's standing
(queries.board_for_change); ``lock_board`` then hands that row back instead of locking it a
second time: one round trip less for every change."""

from __future__ import annotations

from typing import Any

from ..database import after_commit, locked
from ..errors import Conflict
from ..extensions import db, socketio
from .models import Board, BoardChange, BoardColumn, Card
from .permissions import can_see_author

#: the Socket.IO namespace of the boards
NAMESPACE = "/boards"
#: the event every change travels in (its ``kind`` says which)
CHANGE_EVENT = "change"


class BadInput(Exception):
    """What a client sent is malformed: a missing field, a wrong type, text too long."""


class Unknown(Exception):
    """What a client named is not on this board: an unknown card or column, or another
    board's."""


def room(board_id: int) -> str:
    return f"board:{board_id}"


#: session.info: the board rows locked in the session's current transaction
LOCKED = "m100_boards_locked"


def lock_board(board_id: int) -> Board:
    """The board's row, locked until the transaction ends: one writer per board at a time,
    so versions follow each other without gaps."""
    board = already_locked(board_id)
    if board is None:
        board = locked(Board, board_id)
        if board is None:
            raise Conflict("the board is gone")
        held_lock(board)
    return board


def held_lock(board: Board) -> None:
    """Note that ``board`` was just read with its row locked, in this transaction."""
    db.session.info[LOCKED] = (db.session().get_transaction(), board)


def already_locked(board_id: int) -> Board | None:
    transaction, board = db.session.info.get(LOCKED, (None, None))
    if transaction is None or transaction is not db.session().get_transaction() \
            or board.id != board_id:
        return None
    return board


def record(board: Board, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The next version (the board must be locked): logged, and broadcast after the commit.
    Returns the message as stored."""
    board.version += 1
    message = {"version": board.version, "kind": kind, "data": data}
    db.session.add(BoardChange(board_id=board.id, version=board.version, kind=kind, data=data))
    db.session.flush()
    board_id, sent = board.id, redact(board, message)
    after_commit(lambda: broadcast(board_id, message, sent))
    return message


def broadcast(board_id: int, message: dict[str, Any], sent: dict[str, Any]) -> None:
    """``sent``: the message redacted for everyone (``redact``)."""
    socketio.emit(CHANGE_EVENT, sent, to=room(board_id), namespace=NAMESPACE)
    # last write wins: the person whose edit was just replaced is told, and only they
    for field, person_id in message["data"].get("replaced", {}).items():
        if person_id is not None:
            socketio.emit("replaced", {"version": message["version"], "field": field,
                                       "card": message["data"]["card"]["id"]},
                          to=f"{room(board_id)}:user:{person_id}", namespace=NAMESPACE)


def redact(board: Board, message: dict[str, Any]) -> dict[str, Any]:
    """The message as everyone may see it now."""
    data = dict(message["data"])
    data.pop("replaced", None)  # told to its person alone (broadcast)
    if "card" in data:
        data["card"] = redact_card(board, data["card"])
    if "cards" in data:
        data["cards"] = [redact_card(board, card) for card in data["cards"]]
    if board.votes_hidden and "votes" in data:
        data["votes"] = None
    return {**message, "data": data}


def redact_card(board: Board, card: dict[str, Any]) -> dict[str, Any]:
    card = dict(card)
    if not can_see_author(board):
        card["author"] = card["author_id"] = None
    if board.votes_hidden:
        card["votes"] = None
    return card


def card_data(card: Card) -> dict[str, Any]:
    """A card as it is logged (unredacted: redact_card before sending)."""
    hidden = card.hidden_dt is not None
    author = card.__dict__.get("author")  # loaded, or named by the caller
    return {"id": card.id, "column": card.column_id, "position": card.position,
            "text": "" if hidden else card.text, "colour": card.colour.value,
            "hidden": hidden, "group": card.group_id, "group_title": card.group_title,
            "votes": card.vote_count,
            "author_id": card.author_id,
            "author": author.display_name if author is not None else None,
            "text_version": card.text_version, "colour_version": card.colour_version,
            "outcome": card.outcome}


def column_data(column: BoardColumn) -> dict[str, Any]:
    return {"id": column.id, "title": column.title, "position": column.position}


def settings_data(board: Board) -> dict[str, Any]:
    return {"title": board.title, "locked": board.locked, "anonymous": board.anonymous,
            "votes_hidden": board.votes_hidden, "vote_budget": board.vote_budget,
            "multiple_dots": board.multiple_dots,
            "timer_ends": board.timer_ends_dt.isoformat() if board.timer_ends_dt else None}
