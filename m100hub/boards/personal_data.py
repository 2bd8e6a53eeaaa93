"""A person's part of the workshop boards in their data download, and what deleting the
account does to it: their cards stay on the boards (the workshop's shared work) without an
author, their dots and facilitator seats go."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from ..extensions import db
from ..features import PersonalData, Records, iso
from .cards import take_back_dots
from .models import Board, BoardFacilitator, Card, Dot


def export(person) -> list[Records]:
    cards = db.session.execute(select(Card, Board.title).join(Board, Board.id == Card.board_id)
                               .where(Card.author_id == person.id).order_by(Card.id))
    dots = db.session.scalars(select(Dot).where(Dot.user_id == person.id).order_by(Dot.card_id))
    return [
        Records("board_cards", _l("Cards you wrote on workshop boards"),
                [{"board": title, "text": card.text, "created": iso(card.created_dt),
                  "deleted": iso(card.deleted_dt)} for card, title in cards]),
        Records("board_dots", _l("Your dots on workshop board cards"),
                [{"card_id": dot.card_id, "dots": dot.dots} for dot in dots]),
    ]


def erase(person) -> None:
    """Cards keep their place on the board without an author; dots are taken back."""
    take_back_dots(person.id)
    db.session.execute(delete(BoardFacilitator).where(BoardFacilitator.user_id == person.id))
    for column in (Card.author_id, Card.text_by_id, Card.colour_by_id):
        db.session.execute(update(Card).where(column == person.id).values({column: None}))
    db.session.execute(update(Board).where(Board.created_by_id == person.id)
                       .values(created_by_id=None))
    db.session.flush()


PERSONAL_DATA = PersonalData(export, erase, models=(Card, Dot, BoardFacilitator, Board))
