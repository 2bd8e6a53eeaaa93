"""Workshop board test data through m100hub.boards.services (flush, never commit): a workshop
with its organiser, a participant with a confirmed place, and a board on it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from m100hub.boards import cards, services
from m100hub.boards.models import Board, BoardAccess, Card
from m100hub.boards.queries import columns
from m100hub.events.models import Event
from m100hub.extensions import db
from tests.support import event_factories as ef
from tests.support import factories


@dataclass
class Workshop:
    event: Event
    board_id: int
    columns: list[int]
    organiser: object
    participant: object
    outsider: object

    @property
    def board(self) -> Board:
        return db.session.get_one(Board, self.board_id)


def workshop(access: str = "registrants", template: str = "challenges", budget: int = 3,
             multiple: bool = False) -> Workshop:
    organiser = factories.person("citizen")
    event = ef.event(organiser=organiser)
    participant = factories.person("citizen")
    ef.register(participant, event)
    with current_app.test_request_context():  # the template's column titles: in Romanian
        board = services.create_board(event, organiser, "Atelier energie",
                                      BoardAccess(access), template, budget, multiple)
    return Workshop(event, board.id, [column.id for column in columns(board.id)], organiser,
                    participant, factories.person("citizen"))


_keys = iter(range(10**9))


def card(shop: Workshop, author=None, column: int | None = None, text: str = "Panouri solare",
         colour: str = "yellow") -> Card:
    message = cards.add_card(shop.board_id, author or shop.participant,
                             column or shop.columns[0], text, colour, f"k{next(_keys)}")
    return db.session.get_one(Card, message["data"]["card"]["id"])
