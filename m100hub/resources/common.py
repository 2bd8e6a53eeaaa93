"""What the library's and the funding pages share: loading an item the reader may see,
the publisher choices of a form, the answer to a suggestion, the routes that approve and
retire, the exports' responses."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..cities.queries import by_slug
from ..database import commit_and_redirect
from ..extensions import db
from ..forms import with_current
from ..organisations.models import Organisation, Status
from ..permissions import confirmed_required, require
from ..submissions import done
from ..util import choice_arg, csv_response
from . import permissions, services
from .forms import RetireForm
from .models import Curation


def visible_or_404(item):
    """The item, when the reader may see it (a suggestion: its author and the curators)."""
    if item is None or not permissions.can_see(current_user, item):
        abort(404)
    return item


def status_arg() -> str:
    """The curation state a list shows: published, or (curators only) pending or retired."""
    if permissions.can_curate(current_user):
        return choice_arg("status", [s.value for s in Curation], Curation.PUBLISHED.value)
    return Curation.PUBLISHED.value


def city_arg() -> tuple[int | None, str]:
    """The ``city`` filter (a slug) → (its id, the slug), or (None, "")."""
    slug = request.args.get("city", "")
    city = by_slug(slug) if slug and len(slug) <= 160 else None
    return (city.id, city.slug) if city is not None else (None, "")


def publisher_choices(form, current: Organisation | None) -> None:
    """The organisations the person may publish for; curators may choose any verified one."""


    if permissions.can_curate(current_user):
        organisations = list(db.session.scalars(select(Organisation).where(
            Organisation.status == Status.VERIFIED).order_by(Organisation.name).limit(500)))
        choices = [(0, _("— none —"))]
    else:
        organisations = permissions.publisher_organisations(current_user)
        choices = []
    form.organisation_id.choices = [*choices, *with_current(
        [(o.id, o.name) for o in organisations], current)]


def suggested(item, url: str):
    """A suggestion made: its page, saying whether it is published already (a curator's or
    a trusted publisher's) or waits for the secretariat."""
    return done(url, _("It is published.") if item.is_published else
                _("Thank you: the secretariat will review your suggestion."))


def add_curation_routes(bp: Blueprint, rule: str, find: Callable[..., Any],
                        back: Callable[[Any], str], render: Callable[..., Any], *,
                        endpoints: tuple[str, str] = ("approve", "retire")) -> None:
    """``POST {rule}/approve`` and ``POST {rule}/retire`` on ``bp``, under ``endpoints``
    (approve, retire), for the curators: ``find(**url values)`` the item (404 when the reader
    may not see it), ``back(item)`` its page, ``render(item, retire_form=form)`` its page
    again with a refused retire form."""
    approve_endpoint, retire_endpoint = endpoints

    def approve(**values):
        item = find(**values)
        require(permissions.can_curate(current_user))
        if item.status != Curation.PUBLISHED:
            services.approve(current_user, item)
        return commit_and_redirect(_("It is published."), back(item))

    def retire(**values):
        item = find(**values)
        require(permissions.can_curate(current_user))
        form = RetireForm()
        if not form.validate_on_submit():
            return render(item, retire_form=form)
        services.retire(current_user, item, form.reason.data)
        return commit_and_redirect(_("It is retired: no longer listed."), back(item))

    approve.__name__, retire.__name__ = endpoints
    bp.add_url_rule(f"{rule}/approve", approve_endpoint, confirmed_required(approve),
                    methods=["POST"])
    bp.add_url_rule(f"{rule}/retire", retire_endpoint, confirmed_required(retire),
                    methods=["POST"])


def export(header: list[str], rows: Iterable[list], name: str, fmt: str):
    """Rows (in ``header``'s order) as CSV or as JSON records; list cells (the sectors) are
    joined with ";" in the CSV. The CSV streams (``util.csv_response``, as the attendee
    export): ``rows`` reads the database in batches while the body goes out, in the same
    memory whatever the number of rows; the server closes it, and so the generator and its
    database cursor, when the client goes away."""
    if fmt == "json":
        return jsonify({name: [dict(zip(header, row, strict=True)) for row in rows]})
    return csv_response(header, ([";".join(v) if isinstance(v, list) else v for v in row]
                                 for row in rows), f"m100-{name}.csv")
