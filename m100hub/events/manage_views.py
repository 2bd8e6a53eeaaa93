"""Organisers' pages: create and edit, attendees and their CSV, message, cancel, materials,
check-in."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from ..cities.queries import city_choices
from ..database import commit, commit_and_redirect
from ..errors import Conflict
from ..forms import render_form, with_current
from ..permissions import confirmed_required, require
from ..security import accepts_files
from ..submissions import done, submitted_once
from ..util import csv_response, page_arg
from . import bp, permissions, queries, services
from .forms import CheckInForm, EventForm, MaterialsForm, MessageForm, ReasonForm
from .models import Event
from .views import event_or_404

DATA_FIELDS = {"kind": "kind", "title": "title", "description": "description",
               "city_id": "city_id", "sectors": "sectors", "starts_dt": "starts_at",
               "ends_dt": "ends_at", "attendance": "attendance", "address": "address",
               "online_url": "online_url", "capacity": "capacity",
               "registration_opens_dt": "registration_opens_at",
               "registration_closes_dt": "registration_closes_at",
               "organisation_id": "organisation_id"}


def _managed_or_404(event_id: int) -> Event:
    event = event_or_404(event_id)
    require(permissions.can_manage(current_user, event, services.organiser_ids(event)))
    return event


def _form(event: Event | None) -> EventForm:
    form = EventForm(obj=event)
    if event is not None and request.method == "GET":
        for column, field in DATA_FIELDS.items():
            form[field].data = getattr(event, column)
        form.city_id.data = event.city_id or 0
        form.organisation_id.data = event.organisation_id or 0
        form.co_organisers.data = " ".join(f"@{u.handle}"
                                          for u in queries.co_organisers(event.id))
    form.city_id.choices = city_choices(_("— none —"))
    organisations = with_current(queries.organisation_choices(current_user.id),
                                 event.organisation if event is not None else None)
    form.organisation_id.choices = [(0, _("— none —")), *organisations]
    return form


def _data(form: EventForm) -> dict | None:
    """The form's values for services.save, or None when a co-organiser handle is unknown
    (the error is then on the form)."""
    people = queries.users_by_handles(form.handles())
    unknown = [h for h in form.handles() if h not in people]
    if unknown:
        form.co_organisers.errors = [_("Nobody has the handle %(h)s.", h=", ".join(unknown))]
        return None
    data = {column: form[field].data for column, field in DATA_FIELDS.items()}
    data["co_organisers"] = list(people.values())
    return data


@bp.route("/events/new", methods=["GET", "POST"])
@confirmed_required
@submitted_once
@accepts_files("image")
def new():
    require(permissions.can_organise(current_user))
    form = _form(None)
    if form.validate_on_submit() and (data := _data(form)) is not None:
        event = services.save(current_user, None, data)
        event.image = form.apply_image(None)
        return done(url_for(".show", event_id=event.id), _("The event is published."))
    return render_form("events/edit.html", form, event=None)


@bp.route("/events/<id:event_id>/edit", methods=["GET", "POST"])
@confirmed_required
@accepts_files("image")
def edit(event_id):
    event = _managed_or_404(event_id)
    services.require_editable(event)
    form = _form(event)
    if form.validate_on_submit() and (data := _data(form)) is not None:
        services.save(current_user, event, data)
        event.image = form.apply_image(event.image)
        return commit_and_redirect(_("The event is saved."),
                                   url_for(".show", event_id=event.id))
    return render_form("events/edit.html", form, event=event)


@bp.route("/events/<id:event_id>/attendees")
@confirmed_required
def attendees(event_id):
    event = _managed_or_404(event_id)
    page = queries.attendees(event.id, page_arg())
    return render_template(
        "events/attendees.html", event=event, page=page,
        organisations=queries.organisations_of([r.user_id for r in page.items]),
        message_form=MessageForm(formdata=None), cancel_form=ReasonForm(formdata=None),
        materials_form=MaterialsForm(formdata=None, obj=event))


CSV_HEADER = ("name", "organisation", "sector", "status", "registered_at", "checked_in_at")


@bp.route("/events/<id:event_id>/attendees.csv")
@confirmed_required
def attendees_csv(event_id):
    event = _managed_or_404(event_id)
    zone = get_timezone()

    def local(moment):  # the reader's time zone, as the pages show it
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""

    rows = ((name, organisations, sector.value, status.value, local(registered),
             local(checked_in))
            for name, organisations, sector, status, registered, checked_in
            in queries.attendee_export(event.id))
    return csv_response(CSV_HEADER, rows, f"event-{event.id}-attendees.csv")


def _back_to_attendees(event: Event, refusal: str):
    """A form of the attendees page refused: the page again, saying why."""
    flash(refusal, "error")
    return redirect(url_for(".attendees", event_id=event.id), 303)


@bp.route("/events/<id:event_id>/message", methods=["POST"])
@confirmed_required
@submitted_once
def message(event_id):
    event = _managed_or_404(event_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return _back_to_attendees(event, _("Write a message (at most 1,000 characters)."))
    told = services.message(current_user, event, form.message.data)
    return done(url_for(".attendees", event_id=event.id),
                _("Message sent to %(n)s people.", n=told))


@bp.route("/events/<id:event_id>/cancel", methods=["POST"])
@confirmed_required
@submitted_once
def cancel(event_id):
    event = _managed_or_404(event_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _back_to_attendees(
            event, _("Say why the event is cancelled: everyone registered is told."))
    services.cancel(current_user, event, form.reason.data)
    return done(url_for(".show", event_id=event.id),
                _("The event is cancelled and everyone registered has been told."))


@bp.route("/events/<id:event_id>/materials", methods=["POST"])
@confirmed_required
def materials(event_id):
    event = _managed_or_404(event_id)
    form = MaterialsForm()
    if not form.validate_on_submit():
        abort(400)
    services.save_materials(event, form.materials.data or "")
    return commit_and_redirect(_("The materials are saved."),
                               url_for(".show", event_id=event.id, _anchor="materials"))


@bp.route("/events/<id:event_id>/check-in", methods=["GET", "POST"])
@confirmed_required
def check_in(event_id):
    """Typed, or opened from a ticket's QR code (``?code=``): a GET shows whose ticket it is
    and a button; only the POST checks in."""
    event = _managed_or_404(event_id)
    form = CheckInForm(data={"code": request.args.get("code", "")[:12]}
                       if request.method == "GET" else None)
    checked = None
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        try:
            checked = services.check_in(event, form.code.data).user.display_name
            commit()
            form = CheckInForm(formdata=None)
        except LookupError:
            form.code.errors = [_("No confirmed ticket of this event has that code.")]
            status = 404
        except Conflict:
            form.code.errors = [_("This ticket was checked in already.")]
            status = 409
    elif request.method == "POST":
        status = 400
    return render_template("events/check_in.html", event=event, form=form, checked=checked,
                           pending=queries.ticket(event.id, form.code.data)
                           if request.method == "GET" and form.code.data else None), status
