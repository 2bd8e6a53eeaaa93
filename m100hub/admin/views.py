from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from .. import mail
from ..accounts.models import User
from ..cities.models import City
from ..cities.queries import all_cities
from ..cities.services import SlugTaken, save_city
from ..database import commit
from ..extensions import db
from ..forms import render_form
from ..forums.services import ensure_city_category
from ..organisations.forms import DecisionForm
from ..organisations.queries import pending_memberships
from ..permissions import admin_required, get_or_404
from ..privacy.forms import EraseOnRequestForm
from ..privacy.services import LastAdmin
from ..privacy.services import delete_account as delete_account_of
from ..security import accepts_files
from ..submissions import done, submitted_once
from ..util import page_arg
from . import bp, queries, services
from .forms import CityForm, RoleForm


@bp.route("/")
@admin_required
def dashboard():
    return redirect(url_for(".verification"))


@bp.route("/verification")
@admin_required
def verification():
    page = pending_memberships(page_arg(), current_app.config["PER_PAGE"])
    return render_template("admin/verification.html", page=page, decision_form=DecisionForm())


@bp.route("/mail")
@admin_required
def mail_failures():
    """E-mail the hub gave up on (refused for good, or undeliverable for MAIL_GIVE_UP_HOURS),
    and the addresses that bounce (paged by ``bounces``)."""
    per_page = current_app.config["PER_PAGE"]
    return render_template("admin/mail.html", page=mail.failed(page_arg(), per_page),
                           waiting=mail.waiting(),
                           bounces=mail.bouncing(page_arg("bounces"), per_page))


@bp.route("/people")
@admin_required
def people():
    search = request.args.get("q", "").strip()[:100]
    page = queries.people(page_arg(), current_app.config["PER_PAGE"], search)
    return render_template("admin/people.html", page=page, search=search, role_form=RoleForm())


@bp.route("/people/<id:user_id>/roles", methods=["POST"])
@admin_required
def set_role(user_id):
    person = get_or_404(User, user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        changed = services.set_role(current_user, person, form.role.data, form.grant.data == "1")
        commit()
    except services.LastAdmin:
        db.session.rollback()
        flash(_("The platform needs at least one administrator."), "error")
        return redirect(url_for(".people", q=person.email), 303)
    if changed:
        flash(_("Roles of %(name)s updated.", name=person.display_name), "success")
    return redirect(url_for(".people", q=person.email), 303)


@bp.route("/people/<id:user_id>/delete", methods=["GET", "POST"])
@admin_required
def delete_account(user_id):
    """The secretariat deletes an account on its owner's request (made by e-mail or letter):
    the same deletion as the person's own, logged as the secretariat's."""
    person = get_or_404(User, user_id)
    form = EraseOnRequestForm()
    if form.validate_on_submit():
        if form.email.data.strip().lower() != person.email:
            form.email.errors.append(_("This is not the account's e-mail address."))
        elif person.id == current_user.id:
            form.email.errors.append(_("Delete your own account from your profile."))
        else:
            try:
                delete_account_of(person.id, actor=current_user)
                commit()
            except LastAdmin:
                db.session.rollback()
                form.email.errors.append(_("The platform needs at least one administrator."))
            else:
                flash(_("The account is deleted."), "success")
                return redirect(url_for(".people"), 303)
    return render_template("admin/delete_account.html", form=form, person=person)


@bp.route("/cities")
@admin_required
def cities():
    return render_template("admin/cities.html", cities=all_cities())


@bp.route("/cities/new", methods=["GET", "POST"])
@bp.route("/cities/<id:city_id>/edit", methods=["GET", "POST"])
@admin_required
@submitted_once
@accepts_files("image")
def edit_city(city_id=None):
    city = get_or_404(City, city_id) if city_id is not None else None
    form = CityForm(obj=city)
    if request.method == "GET" and city is not None:
        form.mission_status.data = city.mission_status.value
    if form.validate_on_submit():
        try:
            city = save_city(
                current_user, city, name=form.name.data, county=form.county.data,
                population=form.population.data, mission_status=form.mission_status.data,
                summary=form.summary.data,
            )
            city.image = form.apply_image(city.image)
            ensure_city_category(city)  # every city has its forum category
        except (SlugTaken, IntegrityError):
            db.session.rollback()
            form.name.errors.append(_("A city with this name exists already."))
        else:
            return done(url_for(".cities"), _("The city %(name)s is saved.", name=city.name))
    return render_form("admin/edit_city.html", form, city=city)
