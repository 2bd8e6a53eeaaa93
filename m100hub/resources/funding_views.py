"""Funding opportunities: the list (filters incl. open calls and applicant type, CSV, JSON),
a call, suggesting and curating, and following a call, a sector or an applicant type."""

from __future__ import annotations

from collections.abc import Iterator

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..cities.models import ClimateSector
from ..database import commit_and_redirect
from ..errors import render_error
from ..forms import render_form
from ..page_cache import anonymous_page
from ..permissions import confirmed_required, require
from ..security import safe_next
from ..submissions import submitted_once
from ..util import choice_arg, page_arg, parse_id
from . import bp, common, permissions, queries, services
from .forms import CallForm, RetireForm
from .models import Applicant, CallStatus, FundingCall

EXPORT_HEADER = ["id", "title", "programme", "funder", "call_identifier", "status",
                 "amount_min", "amount_max", "currency", "cofinancing_rate", "opens_on",
                 "deadline", "url", "sectors", "applicants", "example", "updated"]


def _filters() -> queries.CallFilters:
    return queries.CallFilters(
        sector=choice_arg("sector", [s.value for s in ClimateSector]),
        applicant=choice_arg("applicant", [a.value for a in Applicant]),
        when=choice_arg("when", [s.value for s in CallStatus]), status=common.status_arg())


def _args(f: queries.CallFilters) -> dict:
    return {"sector": f.sector or None, "applicant": f.applicant or None, "when": f.when or None,
            "status": f.status if f.status != "published" else None}


@bp.route("/funding")
@anonymous_page
def funding():
    f = _filters()
    page = queries.call_page(f, page_arg())
    sectors, applicants = queries.call_links(call.id for call in page.items)
    return render_template(
        "resources/funding.html", page=page, filters=f, args=_args(f), sectors=sectors,
        applicants=applicants, status_of=queries.call_status, all_sectors=ClimateSector,
        all_applicants=Applicant, call_statuses=CallStatus, topics=queries.topics_of(
            current_user), can_suggest=permissions.can_suggest(current_user),
        can_follow=permissions.can_follow(current_user),
        can_curate=permissions.can_curate(current_user))


def _rows(f: queries.CallFilters) -> Iterator[list]:
    for batch in queries.batches(queries.calls_statement(f)):
        sectors, applicants = queries.call_links(call.id for call in batch)
        for c in batch:
            yield [c.id, c.title, c.programme, c.funder, c.call_identifier,
                   queries.call_status(c).value, c.amount_min, c.amount_max, c.currency,
                   c.cofinancing_rate, c.opens_on.isoformat() if c.opens_on else None,
                   c.deadline_dt.isoformat(), c.url, [s.value for s in sectors.get(c.id, [])],
                   [a.value for a in applicants.get(c.id, [])], c.is_example,
                   c.updated_dt.isoformat()]


@bp.route("/funding.<any(csv, json):fmt>")
@anonymous_page
def funding_export(fmt):
    return common.export(EXPORT_HEADER, _rows(_filters()), "funding", fmt)


def _call_or_404(call_id: int) -> FundingCall:
    return common.visible_or_404(queries.funding_call(call_id))


@bp.route("/funding/<id:call_id>")
@anonymous_page
def funding_call(call_id):
    return render_call(_call_or_404(call_id))


def render_call(call: FundingCall, retire_form=None):
    sectors, applicants = queries.call_links([call.id])
    return render_template(
        "resources/call.html", call=call, status=queries.call_status(call),
        sectors=sectors.get(call.id, []), applicants=applicants.get(call.id, []),
        topics=queries.topics_of(current_user), can_follow=permissions.can_follow(current_user),
        can_curate=permissions.can_curate(current_user),
        retire_form=retire_form or RetireForm(formdata=None)), 422 if retire_form else 200


def _call_form(call: FundingCall | None) -> CallForm:
    form = CallForm(obj=call)
    form.creating = call is None
    common.publisher_choices(form, call.organisation if call else None)
    if call is not None and not form.is_submitted():
        sectors, applicants = queries.call_links([call.id])
        form.sectors.data = [s.value for s in sectors.get(call.id, [])]
        form.applicants.data = [a.value for a in applicants.get(call.id, [])]
        form.organisation_id.data = call.organisation_id or 0
    return form


@bp.route("/funding/new", methods=["GET", "POST"])
@confirmed_required
@submitted_once
def suggest_call():
    require(permissions.can_suggest(current_user))
    form = _call_form(None)
    if form.validate_on_submit():
        call = services.suggest_call(current_user, form.data_for_service())
        return common.suggested(call, url_for(".funding_call", call_id=call.id))
    return render_form("resources/edit_call.html", form, call=None)


@bp.route("/funding/<id:call_id>/edit", methods=["GET", "POST"])
@confirmed_required
def edit_call(call_id):
    require(permissions.can_curate(current_user))
    call = _call_or_404(call_id)
    form = _call_form(call)
    if form.validate_on_submit():
        services.edit_call(current_user, call, form.data_for_service())
        return commit_and_redirect(_("The call is saved."),
                                   url_for(".funding_call", call_id=call.id))
    return render_form("resources/edit_call.html", form, call=call)


common.add_curation_routes(
    bp, "/funding/<id:call_id>", _call_or_404, render=render_call,
    back=lambda call: url_for(".funding_call", call_id=call.id),
    endpoints=("approve_call", "retire_call"))


def _topic() -> tuple[str, str] | None:
    """(topic, its name) of the form: a published call, a sector or an applicant type."""
    kind, value = request.form.get("kind", ""), request.form.get("value", "")
    if kind == "sector" and value in {s.value for s in ClimateSector}:
        return f"sector:{value}", ClimateSector(value).label
    if kind == "applicant" and value in {a.value for a in Applicant}:
        return f"applicant:{value}", Applicant(value).label
    call = queries.funding_call(parse_id(value) or 0) if kind == "call" else None
    if call is not None and call.is_published:
        return f"call:{call.id}", call.title
    return None


@bp.route("/funding/follow", methods=["POST"])
@confirmed_required
def follow():
    require(permissions.can_follow(current_user))
    found = _topic()
    if found is None:
        return render_error(400, _("Choose a call, a sector or a type of applicant to follow."))
    topic, name = found
    following = request.form.get("follow") != "0"
    services.set_following(current_user, topic, following)
    message = (_("You follow “%(name)s”: you will hear of new calls and deadlines.", name=name)
               if following else _("You no longer follow “%(name)s”.", name=name))
    return commit_and_redirect(message, safe_next(request.form.get("next"),
                                                  url_for(".funding")))
