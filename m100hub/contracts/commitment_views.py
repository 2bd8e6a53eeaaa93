"""Commitments signed by organisations: a verified member proposes what their organisation
commits to in a city's contract; the city's officials accept or decline it."""

from __future__ import annotations

from flask import abort, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..cities.views import city_or_404
from ..database import commit_and_redirect
from ..forms import render_form
from ..permissions import confirmed_required, found_or_404, require
from ..submissions import done, submitted_once
from . import bp, permissions, queries, services
from .forms import CommitmentForm, DecisionForm


def _back(city):
    return url_for(".contract", slug=city.slug, _anchor="commitments")


@bp.route("/cities/<slug:slug>/contract/commitments/new", methods=["GET", "POST"])
@confirmed_required
@submitted_once
def propose_commitment(slug):
    city = city_or_404(slug)
    organisations = permissions.committing_organisations(current_user, city)
    require(bool(organisations))
    contract = found_or_404(queries.contract_of(city.id))
    form = CommitmentForm()
    form.organisation_id.choices = [(o.id, o.name) for o in organisations]
    if form.validate_on_submit():
        organisation = next(o for o in organisations if o.id == form.organisation_id.data)
        _commitment, created = services.propose_commitment(
            current_user, city, contract, organisation, pledge=form.pledge.data,
            due_on=form.due_on.data)
        return done(_back(city), _("The commitment is proposed: the city's officials answer "
                                   "it.") if created else
                    _("Your organisation has proposed this already."))
    return render_form("contracts/propose_commitment.html", form, city=city)


@bp.route("/cities/<slug:slug>/contract/commitments/<id:commitment_id>/decide",
          methods=["GET", "POST"])
@confirmed_required
def decide_commitment(slug, commitment_id):
    city = city_or_404(slug)
    require(permissions.can_decide_commitment(current_user, city))
    contract = queries.contract_of(city.id)
    commitment = queries.commitment_of(commitment_id)
    if contract is None or commitment is None or commitment.contract_id != contract.id:
        abort(404)
    form = DecisionForm()
    if form.validate_on_submit():
        accept = form.decision.data == "accept"
        services.decide_commitment(current_user, city, commitment, accept=accept,
                                   reason=form.reason.data)
        return commit_and_redirect(_("The commitment is accepted.") if accept else
                                   _("The commitment is declined."), _back(city))
    return render_form("contracts/decide_commitment.html", form, city=city,
                       commitment=commitment)
