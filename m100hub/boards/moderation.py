"""Board cards as a reportable kind: m100hub.moderation keeps the reports and the queue; a
hidden card is hidden on the board live (cards.set_hidden records a change)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..activity.services import log
from ..extensions import db
from ..moderation import Reportable
from . import (
    kinds,  # noqa: F401 (the verbs logged here)
    permissions,
    queries,
)
from .cards import set_hidden
from .models import Board, Card


def _find(card_id: int) -> Card | None:
    card = db.session.get(Card, card_id)
    if card is None or card.deleted_dt is not None:
        return None
    board = queries.board(card.board_id)
    if board is None or not permissions.can_see(board, queries.standing(current_user, board)):
        return None
    return card


def _can_report(user, card: Card) -> bool:
    return bool(user.is_authenticated and user.is_confirmed and card.author_id != user.id)


def _title(card: Card) -> str:
    return db.session.get_one(Board, card.board_id).title


def _log(moderator, action: str, card: Card, reason: str) -> None:
    board = db.session.get_one(Board, card.board_id)
    verb = {"hidden": "board_card_hidden", "shown": "board_card_shown",
            "reports_dismissed": "board_card_reports_dismissed"}[action]
    log(moderator, verb, board, reason=reason, label=board.title, card_id=card.id)


def card_url(card: Card) -> str:
    return url_for("boards.show", board_id=card.board_id, _anchor=f"card-{card.id}")


def _hide(card: Card, hidden: bool, by=None, reason: str = "") -> None:
    set_hidden(card, hidden, by, reason)


REPORTABLE: Reportable = Reportable(
    kind="board_card", model=Card, label=_l("Cards on workshop boards"),
    empty=_l("No card is waiting."), find=_find, can_report=_can_report,
    set_hidden=_hide, log=_log, url=card_url,
    awaiting=Card.awaiting_moderator,
    template="boards/_report_item.html",
    report_title=lambda card: _("Report a card"),
    report_help=_l("Tell the moderators what is wrong. After several reports a card is "
                   "hidden until a moderator decides."),
    messages={"thanks": _l("Thank you: the moderators will look at this card."),
              "hidden": _l("The card is hidden."),
              "shown": _l("The card is visible again."),
              "reason_needed": _l("Give a public reason when you hide a card."),
              "hide_warning": _l("Everyone on the board will read “This card was hidden by a "
                                 "moderator.” in its place; its author and those who "
                                 "reported it are told, with the reason."),
              "author_told": _l("A moderator hid your card on the board “%(title)s”. Public "
                                "reason: %(reason)s"),
              "reporter_hidden": _l("The card you reported on the board “%(title)s” was "
                                    "hidden. Public reason: %(reason)s"),
              "reporter_kept": _l("The card you reported on the board “%(title)s” was kept "
                                  "visible by the moderators.")},
    title=_title,
    link=lambda ident: url_for("boards.card", card_id=ident),
)
