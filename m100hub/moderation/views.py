"""Reporting an item, the moderators' queue, and their decisions — for every kind of item a
feature declares reportable."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..database import commit
from ..permissions import found_or_404, moderator_required, require
from ..security import limit, person_or_address
from ..submissions import done, submitted_once
from ..util import page_arg
from . import bp, queries, services
from .forms import OptionalReasonForm, ReasonForm
from .reportables import Reportable, reportables


def _reportable(kind: str) -> Reportable:
    return found_or_404(reportables().get(kind))


def _item(reportable: Reportable, target_id: int):
    return found_or_404(reportable.find(target_id))


@bp.route("/moderation")
@moderator_required
def queue():
    sections = []
    for reportable in reportables().values():
        page = queries.waiting(reportable, page_arg(f"{reportable.kind}_page"))
        sections.append((reportable, page,
                         queries.open_reports(reportable.kind, [i.id for i in page.items])))
    return render_template("moderation/queue.html", sections=sections, form=ReasonForm())


@bp.route("/moderation/<kind>/<id:target_id>/report", methods=["GET", "POST"])
@login_required
@submitted_once
@limit("RATE_LIMIT_REPORT", key_func=person_or_address, scope="reporting")
def report(kind, target_id):
    reportable = _reportable(kind)
    item = _item(reportable, target_id)
    require(reportable.can_report(current_user, item))
    form = ReasonForm()
    if form.validate_on_submit():
        services.report(current_user, item, form.reason.data)
        return done(reportable.url(item), str(reportable.messages["thanks"]))
    return render_template("moderation/report.html", form=form, item=item,
                           reportable=reportable)


@bp.route("/moderation/<kind>/<id:target_id>/hide", methods=["POST"])
@bp.route("/moderation/<kind>/<id:target_id>/keep", methods=["POST"], endpoint="keep")
@moderator_required
def hide(kind, target_id):
    """Hide with a public reason, or keep visible (settling the reports either way)."""
    reportable = _reportable(kind)
    item = _item(reportable, target_id)
    hiding = request.endpoint == "moderation.hide"
    form = ReasonForm() if hiding else OptionalReasonForm()
    if not form.validate_on_submit():
        flash(str(reportable.messages["reason_needed"]) if hiding
              else _("The reason is too long."), "error")
        return redirect(url_for(".queue"), 303)
    if hiding:
        services.hide(current_user, item, form.reason.data)
    else:
        services.keep_visible(current_user, item, form.reason.data or "")
    commit()
    flash(str(reportable.messages["hidden" if hiding else "shown"]), "success")
    return redirect(reportable.url(item), 303)
