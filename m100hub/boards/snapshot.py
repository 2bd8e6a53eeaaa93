"""A board as a client holds it: the whole board, or the changes after a version."""

from __future__ import annotations

from typing import Any

from .changes import card_data, column_data, redact, redact_card, settings_data
from .models import Board
from .permissions import Standing
from .queries import cards, changes_since, columns, dots_of

#: a client further behind than this gets the whole board instead of the changes
MAX_CHANGES = 200


def whole(board: Board, standing: Standing) -> dict[str, Any]:
    all_cards = cards(board.id)
    mine = dots_of(board.id, standing.user_id)
    return {
        "version": board.version,
        "settings": settings_data(board),
        "columns": [column_data(column) for column in columns(board.id)],
        "cards": [redact_card(board, card_data(card)) for card in all_cards],
        # which cards are the person's own (to edit them), even on an anonymous board
        "mine": [card.id for card in all_cards if card.author_id == standing.user_id
                 and standing.user_id is not None],
        "dots": {str(card_id): dots for card_id, dots in mine.items()},
        "dots_left": board.vote_budget - sum(mine.values()),
    }


def catch_up(board: Board, standing: Standing, since: int | None) -> dict[str, Any]:
    """The changes after ``since`` when there are few (the person's own dots with them), or
    the whole board."""
    if since is not None and 0 <= since <= board.version:
        missed = changes_since(board.id, since, MAX_CHANGES + 1)
        if len(missed) <= MAX_CHANGES and (not missed or missed[0].version == since + 1):
            mine = dots_of(board.id, standing.user_id)
            return {"version": board.version, "changes": [
                redact(board, {"version": c.version, "kind": c.kind, "data": c.data})
                for c in missed],
                "dots": {str(k): v for k, v in mine.items()},
                "dots_left": board.vote_budget - sum(mine.values())}
    return {"board": whole(board, standing), "version": board.version}
