"""Turning a card into a forum thread or a consultation proposal, through those features'
services and permissions. The card keeps a link to what it became (``Card.outcome``) and
what it became links back to the card, so "workshop → action" can be traced both ways."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..consultations import permissions as consultation_rules
from ..consultations import queries as consultation_queries
from ..consultations.participation import submit_proposal
from ..errors import Conflict
from ..extensions import db
from ..forums import permissions as forum_rules
from ..forums import queries as forum_queries
from ..forums.services import create_thread
from ..permissions import confirmed_required, found_or_404, require
from ..submissions import done, submitted_once
from ..util import absolute_url, parse_id
from . import bp, permissions
from .changes import card_data, lock_board, record
from .forms import PromoteForm
from .models import Board, Card
from .views import board_or_404


def _card_or_404(card_id: int) -> tuple[Board, Card]:
    card = db.session.get(Card, card_id)
    if card is None or card.deleted_dt is not None or card.hidden_dt is not None:
        abort(404)
    board, standing = board_or_404(card.board_id)
    require(permissions.can_promote(board, card, standing))
    return board, card


def _form(card: Card) -> PromoteForm:
    form = PromoteForm()
    form.category.choices = [(str(c.id), c.name) for c in forum_queries.categories()
                             if forum_rules.can_start_thread(current_user, c)]
    form.consultation.choices = [
        (str(c.id), c.title) for c in consultation_queries.listing(1, phase="open").items
        if consultation_rules.can_propose(current_user, c)]
    if request.method == "GET":
        form.title.data = " ".join(card.text.split())[:120]
    return form


def _body(board: Board, card: Card) -> str:
    link = absolute_url("boards.card", card_id=card.id)
    source = _("From the workshop board “%(title)s”:", title=board.title)
    return f"{card.text}\n\n{source} {link}"


@bp.route("/boards/cards/<id:card_id>/promote", methods=["GET", "POST"])
@confirmed_required
@submitted_once
def promote(card_id):
    board, card = _card_or_404(card_id)
    form = _form(card)
    if not form.validate_on_submit():
        return render_template("boards/promote.html", form=form, board=board, card=card), (
            422 if form.errors else 200)
    if form.target.data == "thread":
        category = next((c for c in forum_queries.categories()
                         if str(c.id) == form.category.data), None)
        if category is None:
            abort(404)
        thread, _post = create_thread(current_user, category, form.title.data,
                                      _body(board, card), city_id=board.event.city_id,
                                      event_id=board.event_id)
        outcome, url = f"thread:{thread.id}", url_for("forums.thread", thread_id=thread.id)
    else:
        consultation = consultation_queries.consultation(parse_id(form.consultation.data) or 0)
        if consultation is None or not consultation_rules.can_propose(current_user,
                                                                      consultation):
            raise Conflict("not open")
        proposal = submit_proposal(current_user, consultation, form.title.data,
                                   _body(board, card))
        outcome = f"proposal:{proposal.id}"
        url = url_for("consultations.proposal", proposal_id=proposal.id)
    set_outcome(board.id, card.id, outcome)
    return done(url, _("Done: the card links here, and this links back to the card."))


def set_outcome(board_id: int, card_id: int, outcome: str) -> dict:
    board = lock_board(board_id)
    card = db.session.get_one(Card, card_id)
    card.outcome = outcome
    return record(board, "card.outcome", {"card": card_data(card)})


def outcome_url(outcome: str) -> str | None:
    """The address of what a card became."""
    kind, _sep, ident = outcome.partition(":")
    if kind == "thread":
        return url_for("forums.thread", thread_id=int(ident))
    if kind == "proposal":
        return url_for("consultations.proposal", proposal_id=int(ident))
    return None


@bp.route("/boards/cards/<id:card_id>/outcome")
def outcome(card_id):
    """What the card became (a forum thread, a proposal)."""
    card = found_or_404(db.session.get(Card, card_id))
    board_or_404(card.board_id)
    target = found_or_404(outcome_url(card.outcome))
    return redirect(target)
