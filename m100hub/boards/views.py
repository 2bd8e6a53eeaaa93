"""Board pages: a new board for a workshop, the board itself (rendered here first, readable
without JavaScript; static/js/boards.js then keeps it live), facilitators, a card's address."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..database import commit_and_redirect
from ..errors import Conflict
from ..events.models import Event
from ..events.queries import users_by_handles
from ..events.services import organiser_ids
from ..forms import render_form
from ..permissions import confirmed_required, found_or_404, get_or_404, require
from ..submissions import done, submitted_once
from . import bp, permissions, queries, services
from .changes import NAMESPACE
from .forms import BoardForm, FacilitatorForm
from .models import Board, BoardAccess, Card, CardColour

#: the card id in the card addresses the page hands to boards.js (built here by url_for, so
#: a hub served under a prefix works); the script puts each card's own id in its place
CARD_URL_ID = 987654321


def board_or_404(board_id: int) -> tuple[Board, permissions.Standing]:
    """The board and the person's standing on it (404 when they may not see it)."""
    board = found_or_404(queries.board(board_id))
    standing = queries.standing(current_user, board)
    if not permissions.can_see(board, standing):
        abort(404 if not current_user.is_authenticated else 403)
    return board, standing


@bp.route("/events/<id:event_id>/boards/new", methods=["GET", "POST"])
@confirmed_required
@submitted_once
def new(event_id):
    event = get_or_404(Event, event_id)
    require(permissions.can_create(current_user, event, organiser_ids(event)))
    form = BoardForm()
    if not form.validate_on_submit():
        return render_form("boards/new.html", form, event=event)
    board = services.create_board(event, current_user, form.title.data,
                                  BoardAccess(form.access.data), form.template.data,
                                  form.vote_budget.data, form.multiple_dots.data)
    return done(url_for(".show", board_id=board.id), _("The board is ready."))


@bp.route("/boards/<id:board_id>")
def show(board_id):
    board, standing = board_or_404(board_id)
    by_column, members = _arranged(queries.cards(board.id))
    return render_template(
        "boards/show.html", board=board, event=board.event, columns=queries.columns(board.id),
        by_column=by_column, members=members, standing=standing, colours=CardColour,
        taking_part=permissions.can_take_part(board, standing),
        facilitating=permissions.can_facilitate(board, standing),
        show_authors=permissions.can_see_author(board), namespace=NAMESPACE,
        facilitators=queries.facilitators(board.id)
        if permissions.can_facilitate(board, standing) else [],
        facilitator_form=FacilitatorForm(), templates=services.TEMPLATES,
        card_url_id=CARD_URL_ID)


def _arranged(cards: list[Card]) -> tuple[dict[int, list[Card]], dict[int, list[Card]]]:
    """The cards by column, and the cards of each group by the card that heads it (a
    grouped card is listed within its group, wherever its head is)."""
    alive = {card.id for card in cards}
    by_column: dict[int, list[Card]] = {}
    members: dict[int, list[Card]] = {}
    for card in cards:
        if card.group_id in alive:
            members.setdefault(card.group_id, []).append(card)
        else:
            by_column.setdefault(card.column_id, []).append(card)
    return by_column, members


@bp.route("/boards/cards/<id:card_id>")
def card(card_id):
    """A card's lasting address: its place on its board."""
    found = get_or_404(Card, card_id)
    return redirect(url_for(".show", board_id=found.board_id, _anchor=f"card-{found.id}"))


@bp.route("/boards/<id:board_id>/facilitators", methods=["POST"])
@confirmed_required
def invite(board_id):
    board, standing = board_or_404(board_id)
    require(permissions.can_facilitate(board, standing))
    form = FacilitatorForm()
    back = url_for(".show", board_id=board.id, _anchor="facilitators")
    handle = (form.handle.data or "").strip().lstrip("@").lower()
    person = users_by_handles([handle]).get(handle) if form.validate_on_submit() else None
    if person is None:
        if not form.errors:
            form.handle.errors = [_("Nobody has the handle @%(handle)s.", handle=handle)]
        return render_form("boards/facilitator_error.html", form, board=board, back=back,
                           handle=handle)
    try:
        services.invite_facilitator(board, person)
    except Conflict:
        return redirect(back, 303)
    return commit_and_redirect(_("%(name)s facilitates this board now.",
                                 name=person.display_name), back)


@bp.route("/boards/<id:board_id>/facilitators/<id:user_id>/remove", methods=["POST"])
@confirmed_required
def remove_facilitator(board_id, user_id):
    board, standing = board_or_404(board_id)
    require(permissions.can_facilitate(board, standing))
    services.remove_facilitator(board, user_id)
    return commit_and_redirect(_("Removed from the facilitators."),
                               url_for(".show", board_id=board.id, _anchor="facilitators"))
