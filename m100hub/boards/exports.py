"""A board as CSV and as Markdown: its visible cards column by column. No author on an
anonymous board, no counts while the votes are hidden."""

from __future__ import annotations

from flask import Response
from flask_babel import gettext as _

from ..util import csv_response, slugify
from . import bp, queries
from .models import Board, Card
from .permissions import can_see_author
from .views import board_or_404


def _rows(board: Board) -> list[tuple[str, Card]]:
    titles = {column.id: column.title for column in queries.columns(board.id)}
    order = list(titles)
    cards = [card for card in queries.cards(board.id) if card.hidden_dt is None]
    cards.sort(key=lambda card: order.index(card.column_id))
    return [(titles[card.column_id], card) for card in cards]


def _author(board: Board, card: Card) -> str:
    if not can_see_author(board) or card.author is None:
        return ""
    return card.author.display_name


def _votes(board: Board, card: Card) -> int | str:
    return "" if board.votes_hidden else card.vote_count


@bp.route("/boards/<id:board_id>/export.csv")
def export_csv(board_id):
    board, _standing = board_or_404(board_id)
    header = [_("Column"), _("Card"), _("Author"), _("Colour"), _("Dots"), _("Added"),
              _("Became")]
    rows = [(column, card.text, _author(board, card), card.colour.label,
             _votes(board, card), card.created_dt.isoformat(), card.outcome)
            for column, card in _rows(board)]
    return csv_response(header, rows, f"{slugify(board.title) or 'board'}.csv")


@bp.route("/boards/<id:board_id>/export.md")
def export_markdown(board_id):
    board, _standing = board_or_404(board_id)
    lines = [f"# {board.title}", ""]
    current = None
    for column, card in _rows(board):
        if column != current:
            lines += ["", f"## {column}", ""]
            current = column
        details = [part for part in (_author(board, card),
                                     _("%(n)s dots", n=card.vote_count)
                                     if not board.votes_hidden else "") if part]
        text = " ".join(card.text.split())
        lines.append(f"- {text}" + (f" ({', '.join(details)})" if details else ""))
    return Response("\n".join(lines).strip() + "\n", mimetype="text/markdown",
                    headers={"Content-Disposition": f'attachment; filename='
                             f'"{slugify(board.title) or "board"}.md"'})
