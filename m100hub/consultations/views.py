"""Reading a consultation, voting and following. Proposals and comments:
participation_views.py; running one: manage_views.py; results: results_views.py."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..cities.models import ClimateSector
from ..cities.queries import all_cities
from ..database import commit
from ..organisations.permissions import official_cities
from ..page_cache import anonymous_page
from ..permissions import confirmed_required
from ..security import limit, person_or_address
from ..util import choice_arg, page_arg
from . import bp, permissions, queries, services, voting
from .counting import decode
from .forms import CommentForm
from .models import Consultation, Phase


def consultation_or_404(consultation_id: int) -> Consultation:
    """The consultation (a draft only for those who manage it: 404 for anyone else)."""
    consultation = queries.consultation(consultation_id)
    if consultation is None or not permissions.can_see(current_user, consultation):
        abort(404)
    return consultation


def _vote_limit():
    return limit("RATE_LIMIT_VOTE", key_func=person_or_address, scope="consultation-voting")


@bp.route("/consultations")
@anonymous_page
def index():
    phase = choice_arg("phase", queries.PHASE_FILTERS)
    sector = choice_arg("sector", {s.value for s in ClimateSector})
    cities = all_cities()
    city = next((c for c in cities if c.slug == request.args.get("city")), None)
    manageable = (current_user.is_authenticated and current_user.is_admin,
                  official_cities(current_user))
    page = queries.listing(page_arg(), phase, city.id if city else None, sector, manageable)
    return render_template(
        "consultations/index.html", page=page, phase=phase, sector=sector, city=city,
        cities=cities, sectors=list(ClimateSector), phases=queries.PHASE_FILTERS,
        can_create=permissions.can_create(current_user))


@bp.route("/consultations/<id:consultation_id>")
@anonymous_page
def show(consultation_id):
    consultation = consultation_or_404(consultation_id)
    return _render_show(consultation)


def _render_show(consultation: Consultation, comment_form: CommentForm | None = None,
                 errors: dict | None = None):
    me = current_user._get_current_object()
    viewer = me.id if me.is_authenticated else None
    # the reader's own choices and comment votes come with the questions and the comments
    questions = queries.questions(consultation.id, viewer)
    mine = {q.id: q.viewer_choice for q in questions if q.viewer_choice} if viewer else {}
    top = queries.proposals(consultation.id, 1, per_page=5)
    order = choice_arg("order", queries.COMMENT_ORDERS, "best")
    can = _abilities(consultation)
    if can["comment"] and comment_form is None:
        # only for those who may comment: a form puts a token in the session, and a visitor
        # without a session is served the cached page
        comment_form = CommentForm(formdata=None)
    comments = queries.comments(consultation.id, None, order, page_arg(), viewer)
    return render_template(
        "consultations/show.html", consultation=consultation, questions=questions, mine=mine,
        errors=errors or {}, proposals=top, order=order, comments=comments,
        my_comment_votes=queries.viewer_votes(comments, viewer, consultation.id)
        if viewer else {},
        comment_form=comment_form,
        following=viewer is not None and queries.follows(viewer, consultation.id),
        can=can, Phase=Phase)


def _abilities(consultation: Consultation) -> dict:
    user = current_user
    return {
        "manage": permissions.can_manage(user, consultation),
        "vote": permissions.can_vote(user, consultation),
        "propose": permissions.can_propose(user, consultation),
        "comment": permissions.can_comment(user, consultation),
        "results": permissions.can_see_results(user, consultation),
    }


@bp.route("/consultations/<id:consultation_id>/questions/<id:question_id>/vote",
          methods=["POST"])
@confirmed_required
@_vote_limit()
def vote(consultation_id, question_id):
    consultation = consultation_or_404(consultation_id)
    question = queries.question(consultation.id, question_id)
    if question is None:
        abort(404)
    try:
        outcome = voting.cast(current_user, consultation, question,
                              voting.choices_from_form(question, request.form))
        commit()
    except voting.BadBallot:
        errors = {question.id: _("That answer does not fit the question: check your choices.")}
        return _render_show(consultation, errors=errors), 400
    flash(_("Your vote is recorded.") if outcome == "new" else
          _("Your vote is changed.") if outcome == "changed" else
          _("Your vote was already this."), "success")
    return redirect(url_for(".show", consultation_id=consultation.id,
                            _anchor=f"question-{question.id}"), 303)


@bp.route("/consultations/<id:consultation_id>/follow", methods=["POST"])
@bp.route("/consultations/<id:consultation_id>/unfollow", methods=["POST"],
          endpoint="unfollow")
@login_required
def follow(consultation_id):
    consultation = consultation_or_404(consultation_id)
    services.set_following(current_user, consultation, request.endpoint == "consultations.follow")
    commit()
    return redirect(url_for(".show", consultation_id=consultation.id), 303)


def _decode_choices(question, key: str | None) -> list[int]:
    return decode(question.kind.value, key) if key else []


def _option_title(question, option_id: int) -> str:
    return next((o.title for o in question.options if o.id == option_id), "?")


def _sector_label(value: str) -> str:
    try:
        return ClimateSector(value).label
    except ValueError:
        return value


@bp.context_processor
def template_helpers() -> dict:
    return {"decode_choices": _decode_choices, "option_title": _option_title,
            "sector_label": _sector_label}
