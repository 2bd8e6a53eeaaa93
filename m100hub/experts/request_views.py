"""Requests for expertise: the list, posting one (a city's officials), answering (experts),
marking who helped and closing (the city's officials)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask import request as http
from flask_babel import gettext as _
from flask_login import current_user

from ..cities.models import ClimateSector
from ..cities.queries import all_cities, by_slug
from ..database import commit_and_redirect
from ..forms import render_form
from ..page_cache import anonymous_page
from ..permissions import confirmed_required, found_or_404, get_or_404, require
from ..submissions import done, submitted_once
from ..util import choice_arg, page_arg
from . import bp, permissions, queries, services
from .forms import AnswerForm, RequestForm
from .models import ExpertiseRequest

STATUSES = ("open", "closed")


@bp.route("/experts/requests")
@anonymous_page
def requests():
    status = choice_arg("status", STATUSES, "open")
    sector = choice_arg("sector", [s.value for s in ClimateSector])
    city = by_slug(http.args.get("city", "")) if http.args.get("city") else None
    page = queries.requests(page_arg(), status, city.id if city else None, sector)
    return render_template(
        "experts/requests.html", page=page, status=status, sector=sector,
        sectors=list(ClimateSector), city=city, cities=all_cities(),
        can_post=permissions.can_post_request(current_user))


@bp.route("/experts/requests/new", methods=["GET", "POST"])
@confirmed_required
@submitted_once
def new_request():
    cities = permissions.request_cities(current_user)
    require(bool(cities))
    form = RequestForm()
    form.city_id.choices = [(0, _("— choose —")), *(
        (c.id, c.name) for c in queries.cities_named(cities))]
    if len(cities) == 1 and not form.is_submitted():
        form.city_id.data = next(iter(cities))
    if form.validate_on_submit():
        city = next(c for c in queries.cities_named([form.city_id.data]))
        item = services.post_request(current_user, city, {
            name: form[name].data for name in ("title", "body", "sectors", "needed_by")})
        return done(url_for(".request_page", request_id=item.id),
                    _("Your request is posted: experts can answer it now."))
    return render_form("experts/new_request.html", form)


def _request_or_404(request_id: int) -> ExpertiseRequest:
    """The request with its city and its author, as its page shows them."""
    return found_or_404(queries.request(request_id))


def render_request(item: ExpertiseRequest, form: AnswerForm | None = None):
    profile = (queries.profile_of(current_user.id) if current_user.is_authenticated
               else None)
    answers = queries.answers(item.id)
    answered = current_user.is_authenticated and any(
        a.user_id == current_user.id for a, _profile in answers)
    can_answer = permissions.can_answer(current_user, item, profile) and not answered
    return render_form(
        "experts/request.html", form if form is not None else AnswerForm(formdata=None),
        item=item, answers=answers, can_answer=can_answer, answered=answered, profile=profile,
        can_manage=permissions.can_manage_request(current_user, item),
        sector_labels={s.value: s.label for s in ClimateSector})


@bp.route("/experts/requests/<id:request_id>")
@anonymous_page
def request_page(request_id):
    return render_request(_request_or_404(request_id))


@bp.route("/experts/requests/<id:request_id>/answers", methods=["POST"])
@confirmed_required
@submitted_once
def answer(request_id):
    item = _request_or_404(request_id)
    require(permissions.can_answer(current_user, item, queries.profile_of(current_user.id)))
    form = AnswerForm()
    if not form.validate_on_submit():
        return render_request(item, form)
    services.answer(current_user, item.id, form.body.data)
    return done(url_for(".request_page", request_id=item.id, _anchor="answers"),
                _("Your answer is sent to the city."))


@bp.route("/experts/requests/<id:request_id>/answers/<id:answer_id>/helped",
          methods=["POST"])
@confirmed_required
def helped(request_id, answer_id):
    item = get_or_404(ExpertiseRequest, request_id)
    require(permissions.can_manage_request(current_user, item))
    found = queries.answer(answer_id)
    if found is None or found.request_id != item.id:
        abort(404)
    services.mark_helped(current_user, found, item)
    return commit_and_redirect(_("Thank you: the expert is told that they helped."),
                               url_for(".request_page", request_id=item.id, _anchor="answers"))


@bp.route("/experts/requests/<id:request_id>/close", methods=["POST"])
@confirmed_required
def close(request_id):
    item = get_or_404(ExpertiseRequest, request_id)
    require(permissions.can_manage_request(current_user, item))
    if item.closed_dt is not None:
        flash(_("The request is closed already."), "info")
        return redirect(url_for(".request_page", request_id=item.id), 303)
    services.close_request(current_user, item)
    return commit_and_redirect(_("The request is closed: it takes no more answers."),
                               url_for(".request_page", request_id=item.id))
