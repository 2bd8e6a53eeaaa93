"""Editing a city's contract: its officials and the secretariat. Every write is logged."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..cities.models import City
from ..cities.views import city_or_404
from ..database import commit, commit_and_redirect
from ..forms import render_form, with_current
from ..organisations.queries import organisations_of_city
from ..permissions import confirmed_required, get_or_404, require
from ..submissions import done, submitted_once
from . import bp, permissions, queries, services
from .forms import ActionForm, ContractForm, InventoryForm, UpdateForm, funding_form
from .models import Action, ActionLink, Contract
from .views import action_or_404, link_form, render_action


def _editable_city(slug: str) -> City:
    city = city_or_404(slug)
    require(permissions.can_edit(current_user, city))
    return city


def _contract_or_redirect(city: City) -> Contract | None:
    contract = queries.contract_of(city.id)
    if contract is None:
        flash(_("Start the contract first: its ambition and years."), "info")
    return contract


def _editable_action(slug: str, action_id: int) -> tuple[City, Contract, Action]:
    """The city (the reader may edit its contract), its contract and one of its actions."""
    city = _editable_city(slug)
    return city, *action_or_404(city, action_id)


def _back(city: City, anchor: str = ""):
    return url_for(".contract", slug=city.slug, _anchor=anchor or None)


def _action_page(city: City, action: Action, anchor: str = "") -> str:
    return url_for(".action", slug=city.slug, action_id=action.id, _anchor=anchor or None)


@bp.route("/cities/<slug:slug>/contract/edit", methods=["GET", "POST"])
@confirmed_required
def edit_contract(slug):
    city = _editable_city(slug)
    contract = queries.contract_of(city.id)
    form = ContractForm(obj=contract)
    if contract is None and not form.is_submitted():
        form.target_year.data = services.default_target_year(city)
    if form.validate_on_submit():
        services.save_contract(current_user, city, contract, ambition=form.ambition.data,
                               target_year=form.target_year.data,
                               baseline_year=form.baseline_year.data)
        return commit_and_redirect(_("The contract is saved."), _back(city))
    return render_form("contracts/edit_contract.html", form, city=city, contract=contract)


def _action_form(city: City, action: Action | None) -> ActionForm:
    form = ActionForm(obj=action)
    choices = [(o.id, o.name) for o in organisations_of_city(city.id, limit=200)]
    form.organisation_id.choices = [(0, _("— none —")), *with_current(
        choices, action.organisation if action else None)]
    if action is not None and not form.is_submitted():
        form.organisation_id.data = action.organisation_id or 0
    return form


@bp.route("/cities/<slug:slug>/contract/actions/new", methods=["GET", "POST"])
@confirmed_required
def new_action(slug):
    city = _editable_city(slug)
    contract = _contract_or_redirect(city)
    if contract is None:
        return redirect(url_for(".edit_contract", slug=city.slug), 303)
    form = _action_form(city, None)
    if form.validate_on_submit():
        action, created = services.add_action(current_user, city, contract,
                                              form.data_for_service())
        message = (_("The action is in the plan.") if created else
                   _("An action with this title is already in the plan."))
        return commit_and_redirect(message, _action_page(city, action))
    return render_form("contracts/edit_action.html", form, city=city, action=None)


@bp.route("/cities/<slug:slug>/contract/actions/<id:action_id>/edit", methods=["GET", "POST"])
@confirmed_required
def edit_action(slug, action_id):
    city, contract, action = _editable_action(slug, action_id)
    form = _action_form(city, action)
    if form.validate_on_submit():
        try:
            services.edit_action(current_user, city, action, form.data_for_service())
        except services.TitleTaken:
            form.title.errors = [_("Another action of the plan has this title.")]
            return render_template("contracts/edit_action.html", form=form, city=city,
                                   action=action), 422
        return commit_and_redirect(_("The action is saved."), _action_page(city, action))
    return render_form("contracts/edit_action.html", form, city=city, action=action)


@bp.route("/cities/<slug:slug>/contract/actions/<id:action_id>/updates", methods=["POST"])
@confirmed_required
@submitted_once
def post_update(slug, action_id):
    city, contract, action = _editable_action(slug, action_id)
    form = UpdateForm()
    if not form.validate_on_submit():
        return render_action(city, contract, action, update_form=form)
    services.post_update(current_user, city, action, on_date=form.on_date.data,
                         body=form.body.data)
    return done(_action_page(city, action, "timeline"), _("The update is posted."))


@bp.route("/cities/<slug:slug>/contract/actions/<id:action_id>/funding", methods=["POST"])
@confirmed_required
def save_funding(slug, action_id):
    city, contract, action = _editable_action(slug, action_id)
    form = funding_form()
    if not form.validate_on_submit():
        return render_action(city, contract, action, funding_form=form)
    services.save_funding(current_user, action, source_kind=form.source_kind.data,
                          programme=form.programme.data, secured=form.secured.data or 0,
                          sought=form.sought.data or 0,
                          funding_call_id=form.funding_call_id.data or None)
    return commit_and_redirect(_("The funding is saved."), _action_page(city, action, "funding"))


@bp.route("/cities/<slug:slug>/contract/inventories", methods=["GET", "POST"])
@confirmed_required
def save_inventory(slug):
    city = _editable_city(slug)
    form = InventoryForm()
    if form.validate_on_submit():
        services.save_inventory(current_user, city, year=form.year.data,
                                sector=form.sector.data, tco2e=form.tco2e.data,
                                source=form.source.data)
        commit()
        flash(_("The emissions are saved."), "success")
        return redirect(_back(city, "emissions"), 303)
    return render_form("contracts/edit_inventory.html", form, city=city)


@bp.route("/cities/<slug:slug>/contract/actions/<id:action_id>/links", methods=["POST"])
@confirmed_required
@submitted_once
def link_item(slug, action_id):
    """"You said, we did": link a consultation, a proposal, a thread… of the city."""
    city, contract, action = _editable_action(slug, action_id)
    form = link_form(city)
    if form.validate_on_submit():
        kind, item_id = form.item_key()
        try:
            _link, created = services.link_item(current_user, city, action, kind=kind,
                                                item_id=item_id,
                                                explanation=form.explanation.data)
        except services.NotLinkable:
            form.item.errors = [_("Choose one of the city's consultations, proposals or "
                                  "discussions.")]
        else:
            return done(_action_page(city, action, "said"),
                        _("The link is made.") if created else _("This is linked already."))
    return render_action(city, contract, action, refused_link_form=form)


@bp.route("/cities/<slug:slug>/contract/actions/<id:action_id>/links/<id:link_id>/delete",
          methods=["POST"])
@confirmed_required
def unlink_item(slug, action_id, link_id):
    city, _contract, action = _editable_action(slug, action_id)
    link = get_or_404(ActionLink, link_id)
    if link.action_id != action.id:
        abort(404)
    services.unlink_item(current_user, city, action, link)
    return commit_and_redirect(_("The link is removed."), _action_page(city, action, "said"))
