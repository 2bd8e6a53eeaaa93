"""Writes to cards and dots. Flush, never commit; every change takes the board's lock and
the next version (changes.record). Concurrent edits of one card: last write wins per field,
and the change names the person whose write it replaced, so their page can tell them."""

from __future__ import annotations

from typing import Any

from fractional_indexing import generate_key_between
from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..database import utcnow
from ..errors import Conflict
from ..extensions import db
from .changes import BadInput, Unknown, card_data, lock_board, record
from .models import (
    CARD_LENGTH,
    GROUP_TITLE_LENGTH,
    Board,
    BoardColumn,
    Card,
    CardColour,
    Dot,
)
from .queries import dots_used
from .services import column_on, position_after

#: the longest client key (the client's operation id of an "add")
CLIENT_KEY_LENGTH = 64


def text_of(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadInput("text")
    if len(value.strip()) > CARD_LENGTH:
        raise BadInput("too long")
    return value.strip()


def colour_of(value: Any) -> CardColour:
    try:
        return CardColour(value)
    except ValueError:
        raise BadInput("colour") from None


def card_on(board: Board, card_id: Any, *, alive: bool = True) -> Card:
    """The card (its author loaded with it: every change sends the card's author)."""
    card = (db.session.get(Card, card_id, options=[joinedload(Card.author)])
            if type(card_id) is int else None)
    if card is None or card.board_id != board.id or (alive and card.deleted_dt is not None):
        raise Unknown("card")
    return card


def _column_of(board: Board, column_id: Any) -> int:
    return column_on(board, column_id).id


def _column_keys(board: Board, column_id: Any, moving: int) -> dict[int, str]:
    """card id → position of the column's cards but ``moving``, read with the check that
    the column is the board's (one query); Unknown when it is not."""
    rows = db.session.execute(select(BoardColumn.id, Card.id, Card.position).outerjoin(
        Card, and_(Card.column_id == BoardColumn.id, Card.deleted_dt.is_(None),
                   Card.id != moving)).where(
        BoardColumn.id == column_id, BoardColumn.board_id == board.id)).all() \
        if isinstance(column_id, int) else []
    if not rows:
        raise Unknown("column")
    return {card_id: position for _column, card_id, position in rows if card_id is not None}


def add_card(board_id: int, user, column_id: Any, text: Any, colour: Any,
             client_key: Any) -> dict:
    """A card at the end of the column. A second "add" with the same ``client_key`` (a client
    retrying after a reconnect) changes nothing and answers the first one's card."""
    if not isinstance(client_key, str) or not 0 < len(client_key) <= CLIENT_KEY_LENGTH:
        raise BadInput("key")
    board = lock_board(board_id)
    column = _column_of(board, column_id)
    text, colour = text_of(text), colour_of(colour or "yellow")
    existing = db.session.scalar(select(Card).where(Card.board_id == board.id,
                                                    Card.client_key == client_key))
    if existing is not None:
        return {"version": board.version, "kind": "card.added", "data": {
            "card": card_data(existing)}, "repeated": True}
    last = db.session.scalar(select(func.max(Card.position)).where(
        Card.column_id == column, Card.deleted_dt.is_(None)))
    card = Card(board_id=board.id, column_id=column, author_id=user.id, text=text,
                colour=colour, client_key=client_key, position=position_after([], last),
                text_version=board.version + 1, colour_version=board.version + 1,
                text_by_id=user.id, colour_by_id=user.id, vote_count=0, report_count=0)
    card.author = user
    db.session.add(card)
    db.session.flush()
    return record(board, "card.added", {"card": card_data(card)})


def edit_card(board_id: int, user, card_id: Any, changes: dict[str, Any], seen: Any) -> dict:
    """Change the text and/or colour. ``seen`` is the board version the editor's page had:
    a field someone else changed after it is overwritten all the same (last write wins),
    and the change names whose write was replaced (``replaced``: field → person id)."""
    if not changes or set(changes) - {"text", "colour"} or type(seen) is not int:
        raise BadInput("fields")
    values = {"text": text_of(changes["text"])} if "text" in changes else {}
    if "colour" in changes:
        values["colour"] = colour_of(changes["colour"])
    board = lock_board(board_id)
    card = card_on(board, card_id)
    version = board.version + 1
    replaced = {}
    for field, value in values.items():
        by = getattr(card, f"{field}_by_id")
        if getattr(card, f"{field}_version") > seen and by != user.id:
            replaced[field] = by
        setattr(card, field, value)
        setattr(card, f"{field}_version", version)
        setattr(card, f"{field}_by_id", user.id)
    return record(board, "card.edited", {"card": _loaded(card), "replaced": replaced})


def _loaded(card: Card) -> dict:
    if "author" not in card.__dict__ and card.author_id is not None:
        card.author = db.session.get(User, card.author_id)
    return card_data(card)


def move_card(board_id: int, card_id: Any, column_id: Any, after_id: Any) -> dict:
    """Into ``column_id``, right after the card ``after_id`` (None: first)."""
    board = lock_board(board_id)
    card = card_on(board, card_id)
    keys = _column_keys(board, column_id, moving=card.id)
    positions = sorted(keys.values())
    if after_id is None:  # first: before the first key
        card.position = generate_key_between(None, positions[0] if positions else None)
    elif type(after_id) is int and after_id in keys:
        card.position = position_after(positions, keys[after_id])
    else:  # the card itself, or not in that column: unknown when not on the board at all
        card_on(board, after_id)
        raise BadInput("after")
    card.column_id = column_id
    card.group_id = None  # a card moved on its own leaves its group
    return record(board, "card.moved", {"card": _loaded(card)})


def delete_card(board_id: int, card_id: Any) -> dict:
    """Deleted (kept for moderation's records); its dots are given back."""
    board = lock_board(board_id)
    card = card_on(board, card_id)
    card.deleted_dt = utcnow()
    db.session.execute(delete(Dot).where(Dot.card_id == card.id))
    return record(board, "card.deleted", {"card": {"id": card.id}})


def _members(card: Card) -> list[Card]:
    return list(db.session.scalars(select(Card).where(
        Card.group_id == card.id, Card.deleted_dt.is_(None))))


def group_card(board_id: int, card_id: Any, under_id: Any) -> dict:
    """Put the card in the group another card heads (None: take it out of its group). The
    group lives in its head's column; one level: a head is in no group, a member heads
    none."""
    board = lock_board(board_id)
    card = card_on(board, card_id)
    under = None if under_id is None else card_on(board, under_id)
    if under is not None and (under.id == card.id or under.group_id is not None
                              or _members(card)):
        raise BadInput("group")
    if under is None and card.group_id is not None:  # out, into its group's column
        head = db.session.get(Card, card.group_id)
        card.column_id = head.column_id if head is not None else card.column_id
    card.group_id = under.id if under is not None else None
    if under is not None:
        card.column_id, card.group_title = under.column_id, ""
    return record(board, "card.grouped", {"card": _loaded(card)})


def name_group(board_id: int, card_id: Any, title: Any) -> dict:
    """Name (or rename; "" unnames) the group the card heads."""
    if not isinstance(title, str) or len(title.strip()) > GROUP_TITLE_LENGTH:
        raise BadInput("title")
    board = lock_board(board_id)
    card = card_on(board, card_id)
    if card.group_id is not None:  # a member: the head names the group
        raise BadInput("group")
    card.group_title = title.strip()
    return record(board, "group.named", {"card": _loaded(card)})


def dissolve_group(board_id: int, card_id: Any) -> dict:
    """Every card of the group the card heads leaves it; the group's name goes."""
    board = lock_board(board_id)
    card = card_on(board, card_id)
    members = _members(card)
    if not members and not card.group_title:
        raise Conflict("no group")
    for member in members:
        member.group_id, member.column_id = None, card.column_id
    card.group_title = ""
    return record(board, "group.dissolved", {"card": _loaded(card),
                                             "members": sorted(m.id for m in members)})


def vote(board_id: int, user, card_id: Any, delta: Any) -> dict:
    """Give (+1) or take back (-1) a dot, within the person's budget on this board."""
    if delta not in (1, -1) or type(delta) is not int:
        raise BadInput("delta")
    board = lock_board(board_id)
    card = card_on(board, card_id)
    dot = db.session.get(Dot, (card.id, user.id))
    if delta == 1:
        if dots_used(board.id, user.id) >= board.vote_budget:
            raise Conflict("over budget")
        if dot is not None and not board.multiple_dots:
            raise Conflict("one dot per card")
        if dot is None:
            dot = Dot(card_id=card.id, board_id=board.id, user_id=user.id, dots=0)
            db.session.add(dot)
        dot.dots += 1
    else:
        if dot is None:
            raise Conflict("no dot to take back")
        dot.dots -= 1
        if dot.dots == 0:
            db.session.delete(dot)
    card.vote_count += delta
    db.session.flush()
    return record(board, "card.voted", {"card_id": card.id, "votes": card.vote_count})


def merge_cards(board_id: int, card_id: Any, into_id: Any) -> dict:
    """The card's text joins the other's, its dots move there (one per person unless several
    are allowed, the rest given back), and the card goes."""
    board = lock_board(board_id)
    card, into = card_on(board, card_id), card_on(board, into_id)
    if card.id == into.id:
        raise BadInput("into itself")
    text = f"{into.text}\n{card.text}"
    if len(text) > CARD_LENGTH:
        raise Conflict("too long together")
    into.text = text
    into.text_version = board.version + 1
    for dot in db.session.scalars(select(Dot).where(Dot.card_id == card.id)).all():
        kept = db.session.get(Dot, (into.id, dot.user_id))
        if kept is None:
            db.session.add(Dot(card_id=into.id, board_id=board.id, user_id=dot.user_id,
                               dots=dot.dots))
        elif board.multiple_dots:
            kept.dots += dot.dots
        db.session.delete(dot)
    card.deleted_dt = utcnow()
    db.session.flush()
    into.vote_count = db.session.scalar(select(func.coalesce(func.sum(Dot.dots), 0)).where(
        Dot.card_id == into.id)) or 0
    return record(board, "card.merged", {"card": _loaded(into), "merged": card.id})


def set_hidden(card: Card, hidden: bool, by=None, reason: str = "") -> dict:
    """Hide (a facilitator's or a moderator's decision; reports hide it too) or show again:
    everyone on the board sees the change."""
    board = lock_board(card.board_id)
    card.hidden_dt = utcnow() if hidden else None
    card.hidden_reason = reason.strip()[:500] if hidden else ""
    return record(board, "card.hidden" if hidden else "card.shown", {"card": _loaded(card)})


def take_back_dots(user_id: int) -> None:
    """Every dot of a person (their account goes): the cards' counts drop with them."""
    for dot in db.session.scalars(select(Dot).where(Dot.user_id == user_id)).all():
        board = lock_board(dot.board_id)
        card = db.session.get_one(Card, dot.card_id)
        card.vote_count -= dot.dots
        db.session.delete(dot)
        db.session.flush()
        record(board, "card.voted", {"card_id": card.id, "votes": card.vote_count})
