"""Reading a consultation, voting and following. Proposals and comments:
participation_views.py; running one: manage_views.py; results: results_views.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup

from ..cities.models import ClimateSector
from ..cities.queries import all_cities
from ..database import commit, utcnow
from ..follows import FollowRoutes, add_follow_routes
from ..fragments import Fragments, blank_form
from ..organisations.permissions import known_official_cities, official_cities
from ..page_cache import anonymous_page
from ..permissions import confirmed_required, found_or_404
from ..security import limit, person_or_address
from ..util import choice_arg, page_arg
from . import bp, permissions, queries, timeline, voting
from .counting import decode
from .forms import CommentForm
from .models import FOLLOWS, Consultation, Phase, Question, QuestionKind, fixed_option_label


def consultation_or_404(consultation_id: int, viewer_id: int | None = None) -> Consultation:
    """The consultation (a draft only for those who manage it: 404 for anyone else); with
    ``viewer_id``, whether they follow it and which cities they are an official of too."""
    if viewer_id is None:
        return _seen_or_404(queries.consultation(consultation_id))
    return _seen_or_404(*queries.consultation_read_by(consultation_id, viewer_id), viewer_id)


def _seen_or_404(consultation: Consultation | None, official_of: set[int] | None = None,
                 viewer_id: int | None = None) -> Consultation:
    """The consultation if the reader may see it (``official_of``: the cities the reader
    ``viewer_id`` is an official of, read beside it), else 404."""
    if consultation is not None and viewer_id is not None:
        known_official_cities(viewer_id, official_of or set())
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
    viewer = current_user.id if current_user.is_authenticated else None
    page = queries.consultation_page(consultation_id, viewer)
    return _render_show(_seen_or_404(page.consultation, page.official_of, viewer), page=page)


def _render_show(consultation: Consultation, comment_form: CommentForm | None = None,
                 errors: dict | None = None, attempted: dict | None = None,
                 page: queries.ConsultationPage | None = None):
    """The consultation's page (``page``: what the statement that read it read beside it,
    the top proposals and the answers of the sections' probes; else they are asked now)."""
    me = current_user._get_current_object()
    viewer = me.id if me.is_authenticated else None
    # the reader's own choices and comment votes come with the questions and the comments
    questions = queries.questions(consultation.id, viewer)
    mine = {q.id: q.viewer_choice for q in questions if q.viewer_choice} if viewer else {}
    top = page.top_proposals if page else queries.top_proposals(consultation.id)
    order = choice_arg("order", queries.COMMENT_ORDERS, "best")
    can = _abilities(consultation)
    comments = queries.comments(consultation.id, None, order, page_arg(), viewer)
    following = (consultation.viewer_follows if consultation.viewer_follows is not None
                 else FOLLOWS.is_following(me, consultation.id))
    return render_template(
        "consultations/show.html", consultation=consultation, questions=questions,
        ballot_html=_ballot_html(consultation.id, questions, mine, errors, attempted,
                                 can["vote"]),
        proposals=top, order=order,
        comments=comments,
        my_comment_votes=queries.viewer_votes(comments, viewer, consultation.id)
        if viewer else {},
        comment_box=comment_box(url_for(".add_comment", consultation_id=consultation.id),
                                order, comment_form) if can["comment"] else None,
        about_html=ABOUT.render_one(_about_view(consultation, can, viewer is not None,
                                                following)),
        can=can, Phase=Phase, found_sections=page.found_sections if page else None)


class AboutView(NamedTuple):
    """What a consultation's page says of it under its title
    (``consultations/_about.html``): its fields, its phase and whether voting has opened and
    closed now (all the timeline asks of the moment: timeline.steps_as_of), the reader's
    rights and whether they follow it."""

    id: int
    city_name: str | None
    city_slug: str | None
    sectors: tuple[str, ...]
    summary: str
    body_html: str
    participant_count: int
    created_dt: datetime
    announced_dt: datetime | None
    opens_dt: datetime
    closes_dt: datetime
    published_dt: datetime | None
    results_due_on: date | None
    closed_early_reason: str | None
    response_html: str
    phase: Phase
    opened: bool
    closed: bool
    can_manage: bool
    can_see_results: bool
    signed_in: bool
    following: bool


#: The top of consultations' pages, rendered once per process for each view: the timeline's
#: texts and dates, the facts, the notices and the text cost ~0.6 ms per page.
ABOUT = Fragments("consultations/_about.html", "about", kept=1024)


def _about_view(c: Consultation, can: dict, signed_in: bool, following: bool) -> AboutView:
    now = utcnow()
    city = c.city
    return AboutView(
        c.id, city.name if city else None, city.slug if city else None, tuple(c.sectors or ()),
        c.summary, c.body_html, c.participant_count, c.created_dt, c.announced_dt, c.opens_dt,
        c.closes_dt, c.published_dt, c.results_due_on, c.closed_early_reason, c.response_html,
        c.phase_at(now), c.opens_dt <= now, c.closes_dt <= now, can["manage"],
        can["results"], signed_in, bool(following))


def consultation_steps(view: AboutView) -> list:
    """The timeline of an AboutView (template global of the fragment)."""
    return timeline.steps_as_of(view, view.phase, view.opened, view.closed)


class OptionView(NamedTuple):
    """An option as the ballot shows it."""

    id: int
    label: str
    code: str | None

    @property
    def title(self) -> str:  # as Option.title: asked only when the ballot is rendered
        return fixed_option_label(self.code) if self.code else self.label


class QuestionView(NamedTuple):
    """A question as the ballot shows it."""

    id: int
    text: str
    kind: QuestionKind
    max_choices: int | None
    help_text: str
    options: tuple[OptionView, ...]


class BallotView(NamedTuple):
    """What the ballot shows (``consultations/_ballot.html``): the questions, the reader's
    choices ((question id, choice key) pairs), and after a refusal the errors and the
    answers attempted (pairs by question id too)."""

    consultation_id: int
    questions: tuple[QuestionView, ...]
    mine: tuple[tuple[int, str], ...]
    errors: tuple
    attempted: tuple
    can_vote: bool


#: The ballot, rendered once per process for each view: its options, rules and the
#: reader's recorded choices cost ~0.25 ms per page (two questions).
BALLOTS = Fragments("consultations/_ballot.html", "ballot", kept=2048)


def _ballot_html(consultation_id: int, questions: list[Question], mine: dict,
                 errors: dict | None, attempted: dict | None, can_vote: bool) -> Markup:
    view = BallotView(
        consultation_id,
        tuple(QuestionView(q.id, q.text, q.kind, q.max_choices, q.help_text,
                           tuple(OptionView(o.id, o.label, o.code) for o in q.options))
              for q in questions),
        tuple(sorted(mine.items())), tuple((errors or {}).items()),
        tuple((attempted or {}).items()), can_vote)
    return BALLOTS.render_one(view, remember=not (errors or attempted))  # refused: once


class CommentBoxView(NamedTuple):
    """What the box for a new comment shows (``consultations/_comment_box.html``)."""

    action: str
    order: str
    form: CommentForm  #: the blank one (one per process), or this request's


#: The blank comment box (most pages of those who may comment show it), rendered once per
#: process for each address and order: only for those who may comment (the form's token
#: puts a session in place, and a visitor without one is served the cached page). Making
#: and rendering a CommentForm cost ~0.3 ms per page.
COMMENT_BOXES = Fragments("consultations/_comment_box.html", "comment_box", kept=1024)


def comment_box(action: str, order: str, form: CommentForm | None = None) -> Markup:
    """The box for a new comment posted to ``action``: blank, or ``form`` as refused."""
    return COMMENT_BOXES.render_one(
        CommentBoxView(action, order, form or blank_form(CommentForm)), remember=form is None)


def _abilities(consultation: Consultation) -> dict:
    user = current_user
    return {
        "manage": permissions.can_manage(user, consultation),
        "vote": permissions.can_vote(user, consultation),
        "propose": permissions.can_propose(user, consultation),
        "comment": permissions.can_comment(user, consultation),
        "results": permissions.can_see_results(user, consultation),
    }


@bp.route("/consultations/<id:consultation_id>", methods=["POST"], endpoint="ballot")
@confirmed_required
@_vote_limit()
def ballot(consultation_id):
    """The whole ballot: every question in one form, posted to the consultation's own
    address (a refused ballot is shown there, so reloading it never meets a 405)."""
    consultation = consultation_or_404(consultation_id)
    questions = queries.questions(consultation.id, current_user.id)
    return _record(consultation, questions, {q.id: q for q in questions},
                   lambda q: voting.read_answer(q, request.form))


@bp.route("/consultations/<id:consultation_id>/questions/<id:question_id>/vote",
          methods=["POST"])
@confirmed_required
@_vote_limit()
def vote(consultation_id, question_id):
    """One question (its choices in ``option`` or ``rank-<id>``): the address of the former
    one-question forms, kept for scripts and bookmarked pages; the page posts ballot()."""
    consultation = consultation_or_404(consultation_id)
    questions = queries.questions(consultation.id)
    question = found_or_404(next((q for q in questions if q.id == question_id), None))
    return _record(consultation, questions, {question.id: question},
                   lambda q: voting.read_answer(q, request.form, "option"))


@bp.get("/consultations/<id:consultation_id>/questions/<id:question_id>/vote")
def vote_address(consultation_id, question_id):
    return redirect(url_for(".show", consultation_id=consultation_id,
                            _anchor=f"question-{question_id}"), 303)


def _record(consultation: Consultation, questions: list, asked: dict, read):
    """Read, check and cast the answers to the ``asked`` questions, all or nothing. Refused:
    the page again (422) with the voter's attempted choices and each rule that failed."""
    voting.require_open(consultation)  # outside the voting window: 409, whatever the form
    answers: dict[int, voting.Answer] = {}
    errors: dict[int, str] = {}
    for question in asked.values():
        try:
            answers[question.id] = answer = read(question)
            if answer.option_ids:
                voting.check(answer)
        except voting.BadBallot as bad:
            errors[question.id] = rule_message(question, str(bad))
    given = [answer for answer in answers.values() if answer.option_ids]
    if not given and not errors:
        errors[next(iter(asked))] = _("Choose your answer to at least one question.")
    if errors:
        return _render_show(consultation, errors=errors, attempted=answers), 422
    outcomes = voting.cast_ballot(current_user, consultation, given)
    commit()
    for line in summary(questions, answers, outcomes):
        flash(line, "success")
    # the summary is at the top of the page; the one-question address returns to its question
    anchor = f"question-{given[0].question.id}" if len(asked) == 1 else None
    return redirect(url_for(".show", consultation_id=consultation.id, _anchor=anchor), 303)


def rule_message(question, rule: str) -> str:
    """The rule a refused answer broke, said next to its question."""
    kind = question.kind.value
    if rule == "too many":
        k = voting.most_choices(question)
        if kind == "ranked":
            return ngettext("Rank at most %(num)d option.", "Rank at most %(num)d options.", k)
        if kind == "approval":
            return ngettext("Choose at most %(num)d option.", "Choose at most %(num)d options.",
                            k)
        return _("Choose one option only.")
    if rule == "repeated rank":
        return _("Give each rank (1, 2, 3…) to one option only.")
    return _("That answer does not fit the question: check your choices.")


def summary(questions: list, answers: dict, outcomes: dict[int, str]) -> list[str]:
    """What the ballot recorded, question by question, in the ballot's order."""
    lines = []
    for question in questions:
        answer = answers.get(question.id)
        if answer is None:
            continue
        outcome = outcomes.get(question.id)
        if outcome is None:
            lines.append(_("“%(question)s”: your earlier vote stays.", question=question.text)
                         if question.viewer_choice else
                         _("“%(question)s”: not answered.", question=question.text))
            continue
        choices = (" › " if question.kind.value == "ranked" else ", ").join(
            _option_title(question, option_id) for option_id in answer.option_ids)
        lines.append({
            "new": _("“%(question)s”: your vote is recorded: %(choices)s.",
                     question=question.text, choices=choices),
            "changed": _("“%(question)s”: your vote is changed: %(choices)s.",
                         question=question.text, choices=choices),
            "same": _("“%(question)s”: your vote stays: %(choices)s.",
                      question=question.text, choices=choices),
        }[outcome])
        if answer.renumbered:
            lines.append(_("Your ranks %(given)s were read in their order as %(read)s.",
                           given=", ".join(str(n) for n in sorted(answer.ranks.values())),
                           read=", ".join(str(n) for n in range(1, len(answer.ranks) + 1))))
    return lines


add_follow_routes(bp, "/consultations/<id:consultation_id>", FollowRoutes(
    FOLLOWS, find=consultation_or_404, back=lambda consultation: url_for(
        ".show", consultation_id=consultation.id)))


def _decode_choices(question, key: str | None) -> list[int]:
    return decode(question.kind.value, key) if key else []


def _option_title(question, option_id: int) -> str:
    return next((o.title for o in question.options if o.id == option_id), "?")


#: the ballot's helpers (template globals: its fragments see no request context)
TEMPLATE_GLOBALS: dict[str, Any] = {
    "decode_choices": _decode_choices, "option_title": _option_title,
    "consultation_steps": consultation_steps}
