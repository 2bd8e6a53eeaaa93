from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from ..cities.queries import city_choices
from ..database import commit
from ..errors import Conflict
from ..extensions import db
from ..permissions import confirmed_required, found_or_404, get_or_404, require
from ..security import safe_next
from ..submissions import done, submitted_once
from ..util import page_arg
from . import bp, permissions, queries, services
from .forms import DecisionForm, EndMembershipForm, OrganisationForm
from .models import Membership


@bp.route("/organisations")
def index():
    search = request.args.get("q", "").strip()[:100]
    page = queries.verified_list(page_arg(), 30, search)
    return render_template("organisations/index.html", page=page, search=search)


@bp.route("/organisations/new", methods=["GET", "POST"])
@confirmed_required
@submitted_once
def new():
    form = OrganisationForm()
    form.city_id.choices = city_choices(_("— none —"))
    if form.validate_on_submit():
        try:
            organisation = services.request_organisation(
                current_user, form.name.data, form.kind.data, form.city_id.data, form.website.data
            )
        except (Conflict, IntegrityError) as conflict:
            db.session.rollback()
            form.name.errors.append(_name_taken_message(str(conflict)))
        else:
            return done(url_for(".show", slug=organisation.slug),
                        _("Thank you. The secretariat will verify your request."))
    return render_template("organisations/new.html", form=form)


def _name_taken_message(reason: str) -> str:
    if reason == "reserved":
        return _("This name cannot be used; please choose another one.")
    if reason == "pending":
        return _("A request for an organisation with this name is awaiting verification.")
    return _("An organisation with this name exists already; ask to join it instead.")


@bp.route("/organisations/<slug:slug>")
def show(slug):
    organisation = found_or_404(queries.by_slug(slug))
    mine = (
        queries.membership(current_user.id, organisation.id)
        if current_user.is_authenticated else None
    )
    manages = permissions.can_manage_members(current_user, organisation)
    if not organisation.is_verified and not (mine or manages):
        abort(404)
    pending = queries.pending_memberships(1, 100, organisation.id).items if manages else None
    return render_template(
        "organisations/show.html", organisation=organisation, mine=mine,
        members=queries.verified_members(organisation.id), pending=pending, manages=manages,
        can_ask_to_join=permissions.can_ask_to_join(current_user, organisation, mine),
        decision_form=DecisionForm(),
    )


@bp.route("/organisations/<slug:slug>/join", methods=["POST"])
@confirmed_required
@submitted_once
def join(slug):
    organisation = found_or_404(queries.by_slug(slug))
    require(permissions.can_join(current_user, organisation))
    try:
        services.request_membership(current_user, organisation)
    except (Conflict, IntegrityError):
        db.session.rollback()
        flash(_("You are already a member of this organisation or have asked to join."), "error")
        return redirect(url_for(".show", slug=slug), 303)
    return done(url_for(".show", slug=slug),
                _("Your request has been sent; you will be notified of the decision."))


@bp.route("/memberships/<id:membership_id>/decide", methods=["POST"])
@login_required
def decide(membership_id):
    item = get_or_404(Membership, membership_id, *queries.with_person_and_organisation())
    require(permissions.decides_for(current_user, item))
    services.require_pending(item)
    form = DecisionForm()
    back = safe_next(request.form.get("next"), url_for("admin.verification"))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(back)
    name = item.user.display_name
    services.decide(current_user, item, form.decision.data == "approve",
                    form.reason.data or "")
    commit()
    flash(_("Decision saved; %(name)s has been notified.", name=name), "success")
    return redirect(back)


@bp.route("/memberships/<id:membership_id>/end", methods=["POST"])
@login_required
def end(membership_id):
    """Leave an organisation, withdraw a request, or (managers, admins) remove a member."""
    item = get_or_404(Membership, membership_id, *queries.with_person_and_organisation())
    require(permissions.can_end(current_user, item))
    slug, leaving = item.organisation.slug, item.user_id == current_user.id
    form = EndMembershipForm()
    if not form.validate_on_submit() or (not leaving and not form.reason.data):
        flash(_("Give a reason when you remove someone."), "error")
        return redirect(url_for(".show", slug=slug), 303)
    services.end_membership(current_user, item, form.reason.data or "")
    commit()
    flash(_("You have left the organisation.") if leaving else _("The member was removed."),
          "success")
    return redirect(url_for(".show", slug=slug), 303)
