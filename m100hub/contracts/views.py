"""Reading contracts: a city's contract, an action, the national comparison (CSV, JSON)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask import Response, abort, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..cities.models import City, MissionStatus
from ..cities.views import city_or_404
from ..folding import terms
from ..follows import FollowRoutes, add_follow_routes
from ..page_cache import anonymous_page
from ..util import choice_arg, csv_cell, page_arg
from . import bp, financing, funding_calls, links, permissions, queries, trajectory
from .forms import LinkForm, UpdateForm
from .forms import funding_form as new_funding_form
from .models import (
    ACTION_FOLLOWS,
    FOLLOWS,
    Action,
    ActionStatus,
    CommitmentStatus,
    Contract,
    ContractSector,
)


def action_or_404(city: City, action_id: int) -> tuple[Contract, Action]:
    """The city's contract and one of its actions (another city's action: 404)."""
    contract = queries.contract_of(city.id)
    action = queries.action_of(action_id)
    if contract is None or action is None or action.contract_id != contract.id:
        abort(404)
    return contract, action


@bp.route("/cities/<slug:slug>/contract")
@anonymous_page
def contract(slug):
    city = city_or_404(slug)
    contract = queries.contract_of(city.id)
    can_edit = permissions.can_edit(current_user, city)
    context: dict = {"city": city, "contract": contract, "sectors": ContractSector,
                     "can_edit": can_edit,
                     "following": FOLLOWS.is_following(current_user, city.id)}
    if contract is not None:
        context["commitments"] = queries.commitments_of(contract.id, can_edit or current_user)
        context["can_commit"] = permissions.can_propose_commitment(current_user, city)
        # the plan grouped per sector, each with its counts, its money and its first
        # actions: the page's work does not grow with the number of actions
        plan = queries.plan_of(contract.id)
        by_sector = {p.sector: p.money for p in plan if p.planned}
        overall = financing.Totals()
        for totals in by_sector.values():
            overall.add(totals)
        inventories = queries.inventories_of(city.id)
        path = trajectory.build(contract.baseline_year, contract.target_year,
                                queries.totals_by_year(inventories))
        context.update(
            plan=plan, by_sector=by_sector, overall=overall,
            secured=queries.secured_of([a.id for p in plan for a in p.first]),
            inventories=inventories, path=path, chart=path.chart(),
            status_labels=_status_labels(),
            commitment_labels={s: s.label for s in CommitmentStatus})
    return render_template("contracts/contract.html", **context)


def _status_labels() -> dict:
    """Each status's label translated once, not once per action."""
    return {s: s.label for s in ActionStatus}


@bp.route("/cities/<slug:slug>/contract/sectors/<sector>")
@anonymous_page
def sector(slug, sector):
    """All of one sector's actions, paged, with the sector's counts and money."""
    city = city_or_404(slug)
    contract = queries.contract_of(city.id)
    if contract is None or sector not in {s.value for s in ContractSector}:
        abort(404)
    plan = queries.sector_plan(contract.id, ContractSector(sector))
    page = queries.sector_actions(contract.id, plan.sector, page_arg())
    if not page.items and page.page > 1:
        abort(404)
    return render_template(
        "contracts/sector.html", city=city, contract=contract, plan=plan, page=page,
        secured=queries.secured_of([a.id for a in page.items]),
        status_labels=_status_labels())


@bp.route("/cities/<slug:slug>/contract/actions/<id:action_id>")
@anonymous_page
def action(slug, action_id):
    city = city_or_404(slug)
    return render_action(city, *action_or_404(city, action_id))


def link_form(city: City, submitted: bool = True, words: list[str] | None = None) -> LinkForm:
    """The "you said, we did" form, offering the city's items of every linkable kind: the
    newest, or those matching the official's search ``words``; a submitted one offers the
    item sent too, when it is one of the city's (however old)."""
    form = LinkForm() if submitted else LinkForm(formdata=None)
    form.item.choices = links.kind_choices(
        city.id, words, current_user, posted=request.form.get("item", "") if submitted else "")
    return form


def render_action(city: City, contract: Contract, action: Action, update_form=None,
                  funding_form=None, refused_link_form=None):
    """The action page; those who edit it get its forms (a refused one with its errors: 422)."""
    can_edit = permissions.can_edit(current_user, city)
    refused = False
    find = ""
    if can_edit:
        refused = any(form is not None for form in (update_form, funding_form,
                                                     refused_link_form))
        update_form = update_form or UpdateForm(formdata=None)
        funding_form = funding_form or new_funding_form(formdata=None)
        # the official's search for an item to link (a GET: it works without JavaScript)
        find = request.args.get("find", "").strip()[:200]
        refused_link_form = refused_link_form or link_form(
            city, submitted=False, words=terms(find) or None)
    lines = queries.funding_of(action.id)
    source = funding_calls.source()
    call_titles = source.titles(line.funding_call_id for line in lines) if source else {}
    page = render_template(
        "contracts/action.html", city=city, action=action,
        contract=contract, updates=queries.updates_of(action.id),
        lines=lines, totals=financing.action_totals(action.cost, lines), can_edit=can_edit,
        update_form=update_form, funding_form=funding_form, link_form=refused_link_form,
        said=links.of_action(action.id), call_titles=call_titles,
        following=ACTION_FOLLOWS.is_following(current_user, action.id),
        find=find if terms(find) else "",
        call_endpoint=source.endpoint if source else None)
    return page, 422 if refused else 200


add_follow_routes(bp, "/cities/<slug:slug>/contract", FollowRoutes(
    FOLLOWS, find=city_or_404, back=lambda city: url_for(".contract", slug=city.slug),
    may=lambda user, _city: permissions.can_follow(user),
    said=lambda city, following: _("You follow the climate contract of %(city)s.",
                                   city=city.name) if following
    else _("You no longer follow the climate contract of %(city)s.", city=city.name)))


@dataclass(frozen=True)
class FollowedAction:
    """What the follow views need of an action: its id, its title and its city."""

    id: int
    title: str
    city: City


def followed_action(slug: str, action_id: int) -> FollowedAction:
    city = city_or_404(slug)
    _contract, action = action_or_404(city, action_id)
    return FollowedAction(action.id, action.title, city)


add_follow_routes(bp, "/cities/<slug:slug>/contract/actions/<id:action_id>", FollowRoutes(
    ACTION_FOLLOWS, find=followed_action,
    back=lambda followed: url_for(".action", slug=followed.city.slug, action_id=followed.id),
    may=lambda user, _followed: permissions.can_follow(user),
    said=lambda followed, following: _("You follow the action “%(title)s”.",
                                       title=followed.title) if following
    else _("You no longer follow the action “%(title)s”.", title=followed.title)),
    endpoints=("follow_action", "unfollow_action"))


def _national_rows() -> tuple[list[queries.CityRow], str, ContractSector | None]:
    """The national rows, of one mission status when the ``status`` filter asks, with the
    figures of one sector when the ``sector`` filter asks."""
    status = choice_arg("status", [s.value for s in MissionStatus])
    sector_value = choice_arg("sector", [s.value for s in ContractSector])
    sector = ContractSector(sector_value) if sector_value else None
    rows = queries.national_rows(sector)
    return [r for r in rows if not status or r.city.mission_status == status], status, sector


def sector_comparison(rows: list[queries.CityRow]) -> list[tuple]:
    """(row, latest inventory year, sector → tCO2e per inhabitant) of the cities with an
    inventory and a known population: the per-sector comparison."""
    latest = queries.latest_by_sector()
    compared = []
    for row in rows:
        if row.city.id in latest and row.city.population:
            year, tonnes = latest[row.city.id]
            compared.append((row, year, {sector: value / row.city.population
                                         for sector, value in tonnes.items()}))
    return compared


@bp.route("/contracts")
@anonymous_page
def national():
    rows, status, sector = _national_rows()
    chart = trajectory.national_chart([(r.city.name, r.path) for r in rows if r.path])
    compared = sector_comparison(rows)
    shown = [sector] if sector else list(ContractSector)
    return render_template(
        "contracts/national.html", rows=rows, Status=ActionStatus, statuses=MissionStatus,
        status=status, sectors=ContractSector, sector=sector, chart=chart, compared=compared,
        compared_sectors=[s for s in shown if any(s in per for _r, _y, per in compared)],
        bars=trajectory.bars([(r.city.name, sum(per.get(s, 0) for s in shown))
                              for r, _y, per in compared]),
        any_demo=any(r.contract and r.contract.is_demo for r in rows))


def _open_data(row: queries.CityRow) -> dict:
    path, money = row.path, row.money
    latest = path.latest if path else None
    return {
        "city": row.city.name, "slug": row.city.slug,
        "mission_status": row.city.mission_status.value,
        "population": row.city.population,
        "has_contract": row.contract is not None,
        "illustrative": bool(row.contract and row.contract.is_demo),
        "target_year": row.contract.target_year if row.contract else None,
        "baseline_year": row.contract.baseline_year if row.contract else None,
        "actions": {status.value: row.counts.get(status, 0) for status in ActionStatus},
        "cost_eur": money.cost, "secured_eur": money.secured, "sought_eur": money.sought,
        "gap_eur": money.gap,
        "baseline_tco2e": path.baseline_total if path else None,
        "latest_year": latest.year if latest else None,
        "latest_tco2e": latest.total if latest else None,
        "path_tco2e": round(latest.path) if latest and latest.path is not None else None,
        "tco2e_per_inhabitant": (round(row.per_inhabitant, 2)
                                 if row.per_inhabitant is not None else None),
    }


@bp.route("/contracts.json")
@anonymous_page
def national_json():
    rows, _status, sector = _national_rows()
    return jsonify({"sector": sector.value if sector else None,
                    "cities": [_open_data(row) for row in rows]})


@bp.route("/contracts.csv")
@anonymous_page
def national_csv():
    records = [_open_data(row) for row in _national_rows()[0]]
    out = io.StringIO()
    flat = [{**{k: v for k, v in r.items() if k != "actions"},
             **{f"actions_{k}": v for k, v in r["actions"].items()}} for r in records]
    if flat:
        writer = csv.writer(out)
        writer.writerow(list(flat[0]))
        writer.writerows([[csv_cell(v) for v in record.values()] for record in flat])
    return Response(out.getvalue(), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="m100-contracts.csv"'})
