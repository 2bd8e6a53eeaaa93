"""The knowledge library: the list (filters, CSV, JSON), an item, its PDF, suggesting and
curating, and "we want to replicate this" on a good practice."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import undefer

from ..cities.models import City, ClimateSector
from ..cities.queries import all_cities
from ..contracts.queries import action_of
from ..database import commit_and_redirect
from ..extensions import db
from ..forms import render_form
from ..organisations.permissions import official_cities
from ..page_cache import anonymous_page
from ..permissions import confirmed_required, require
from ..security import accepts_files
from ..submissions import submitted_once
from ..util import choice_arg, page_arg, parse_id
from . import bp, common, permissions, queries, services
from .forms import ResourceForm, RetireForm
from .models import Language, Resource, ResourceFile, ResourceKind

EXPORT_HEADER = ["id", "kind", "title", "summary", "url", "file", "language", "sectors",
                 "tags", "publisher", "city", "updated"]


def _filters() -> queries.ResourceFilters:
    city_id, city_slug = common.city_arg()
    return queries.ResourceFilters(
        kind=choice_arg("kind", [k.value for k in ResourceKind]),
        sector=choice_arg("sector", [s.value for s in ClimateSector]),
        city_id=city_id, city_slug=city_slug,
        language=choice_arg("language", [lang.value for lang in Language]),
        status=common.status_arg())


def _args(f: queries.ResourceFilters) -> dict:
    return {"kind": f.kind or None, "sector": f.sector or None, "language": f.language or None,
            "city": f.city_slug or None,
            "status": f.status if f.status != "published" else None}


@bp.route("/resources")
@anonymous_page
def index():
    f = _filters()
    page = queries.resource_page(f, page_arg())
    return render_template(
        "resources/index.html", page=page, filters=f, args=_args(f), cities=all_cities(),
        sectors=queries.sectors_of_resources(item.id for item in page.items),
        kinds=ResourceKind, languages=Language, all_sectors=ClimateSector,
        can_suggest=permissions.can_suggest(current_user),
        can_curate=permissions.can_curate(current_user))


def _rows(f: queries.ResourceFilters) -> Iterator[list]:
    for batch in queries.batches(queries.resources_statement(f)):
        sectors = queries.sectors_of_resources(item.id for item in batch)
        for r in batch:
            yield [r.id, r.kind.value, r.title, r.summary, r.url or None,
                   url_for(".document", resource_id=r.id, _external=True) if r.file_id else None,
                   r.language.value, [s.value for s in sectors.get(r.id, [])], r.tags,
                   r.organisation.name if r.organisation else None,
                   r.practice_city.name if r.practice_city else None, r.updated_dt.isoformat()]


@bp.route("/resources.<any(csv, json):fmt>")
@anonymous_page
def export(fmt):
    return common.export(EXPORT_HEADER, _rows(_filters()), "resources", fmt)


def _resource_or_404(resource_id: int) -> Resource:
    return common.visible_or_404(queries.resource(resource_id))


@bp.route("/resources/<id:resource_id>")
@anonymous_page
def resource(resource_id):
    return render_resource(_resource_or_404(resource_id))


def render_resource(item: Resource, retire_form=None):
    replicating = permissions.replicating_cities(current_user, item)
    city_names = dict(db.session.execute(select(City.id, City.name).where(
        City.id.in_(replicating))).all()) if replicating else {}
    context = {
        "item": item, "cities": queries.cities_of_resource(item.id),
        "sectors": queries.sectors_of_resources([item.id]).get(item.id, []),
        "replications": queries.replications(item.id), "replicating": city_names,
        "can_curate": permissions.can_curate(current_user),
        "retire_form": retire_form or RetireForm(formdata=None),
        "action_link": _action_link(item)}
    return render_template("resources/resource.html", **context), 422 if retire_form else 200


def _action_link(item: Resource) -> tuple[str, str] | None:
    """(title, address) of the good practice's contract action, when it has one."""
    if not item.action_id or item.practice_city is None:
        return None
    action = action_of(item.action_id)
    if action is None:
        return None
    return action.title, url_for("contracts.action", slug=item.practice_city.slug,
                                 action_id=action.id)


@bp.route("/resources/<id:resource_id>/document.pdf")
def document(resource_id):
    """The uploaded PDF, always as a download with a safe name: never shown inline on the
    hub's own origin."""
    item = _resource_or_404(resource_id)
    stored = db.session.scalar(select(ResourceFile).options(undefer(ResourceFile.data))
                               .where(ResourceFile.id == item.file_id)) if item.file_id else None
    if stored is None:
        abort(404)
    response = Response(stored.data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{stored.filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


def _resource_form(item: Resource | None) -> ResourceForm:
    form = ResourceForm(obj=item)
    common.publisher_choices(form, item.organisation if item else None)
    cities = all_cities()
    form.city_ids.choices = [(c.id, c.name) for c in cities]
    form.practice_city_id.choices = [(0, _("— none —")), *((c.id, c.name) for c in cities)]
    actions = queries.action_choices()
    form.action_id.choices = [(0, _("— none —")), *((a, label) for a, label, _c in actions)]
    form.action_cities = {a: city for a, _label, city in actions}
    if item is not None and not form.is_submitted():
        form.sectors.data = [s.value for s in queries.sectors_of_resources([item.id]).get(
            item.id, [])]
        form.city_ids.data = [c.id for c in queries.cities_of_resource(item.id)]
        form.organisation_id.data = item.organisation_id or 0
        form.practice_city_id.data = item.practice_city_id or 0
        form.action_id.data = item.action_id or 0
    return form


@bp.route("/resources/new", methods=["GET", "POST"])
@confirmed_required
@accepts_files("document")
@submitted_once
def suggest():
    require(permissions.can_suggest(current_user))
    form = _resource_form(None)
    if form.validate_on_submit():
        item = services.suggest_resource(current_user, form.data_for_service(), form.pdf)
        return common.suggested(item, url_for(".resource", resource_id=item.id))
    return render_form("resources/edit.html", form, item=None)


@bp.route("/resources/<id:resource_id>/edit", methods=["GET", "POST"])
@confirmed_required
@accepts_files("document")
def edit(resource_id):
    require(permissions.can_curate(current_user))
    item = _resource_or_404(resource_id)
    form = _resource_form(item)
    form.has_file = bool(item.file_id)
    if form.validate_on_submit():
        services.edit_resource(current_user, item, form.data_for_service(), form.pdf)
        return commit_and_redirect(_("The item is saved."),
                                   url_for(".resource", resource_id=item.id))
    return render_form("resources/edit.html", form, item=item)


common.add_curation_routes(
    bp, "/resources/<id:resource_id>", _resource_or_404, render=render_resource,
    back=lambda item: url_for(".resource", resource_id=item.id))


@bp.route("/resources/<id:resource_id>/replicate", methods=["POST"])
@confirmed_required
def replicate(resource_id):
    item = _resource_or_404(resource_id)
    if item.kind != ResourceKind.GOOD_PRACTICE:
        abort(404)
    allowed = permissions.replicating_cities(current_user, item)
    require(bool(allowed))
    city_id = parse_id(request.form.get("city_id"))
    if city_id is None and len(allowed) == 1:
        city_id = next(iter(allowed))
    if city_id not in allowed or city_id not in official_cities(current_user):
        abort(400)
    city = db.session.get_one(City, city_id)
    services.want_to_replicate(current_user, item, city)
    return commit_and_redirect(
        _("%(city)s wants to replicate this practice: its authors are told.", city=city.name),
        url_for(".resource", resource_id=item.id, _anchor="replications"))
