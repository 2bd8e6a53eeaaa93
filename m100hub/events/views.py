"""Finding events, registering, tickets and calendars. Organisers' pages: manage_views.py."""

from __future__ import annotations

import calendar as month_grid
import io
import re
import secrets
from datetime import UTC, date, datetime

import segno
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..cities.models import ClimateSector
from ..cities.queries import all_cities
from ..database import commit
from ..extensions import db
from ..forms import display_zone
from ..page_cache import anonymous_page
from ..permissions import confirmed_required, found_or_404
from ..security import limit, person_or_address
from ..submissions import done, submitted_once
from ..util import absolute_url, choice_arg, page_arg
from . import bp, permissions, queries, registration, services
from .calendar import event_ics, feed_ics
from .forms import CancelRegistrationForm
from .models import CalendarFeed, Event, EventKind, RegistrationStatus


def event_or_404(event_id: int) -> Event:
    return found_or_404(queries.event(event_id))


def _filters() -> dict:
    cities = all_cities()
    city = next((c for c in cities if c.slug == request.args.get("city")), None)
    return {"cities": cities, "city": city,
            "sector": choice_arg("sector", {s.value for s in ClimateSector}),
            "kind": choice_arg("kind", {k.value for k in EventKind}),
            "sectors": list(ClimateSector), "kinds": list(EventKind)}


@bp.route("/events")
@anonymous_page
def index():
    filters = _filters()
    when = "past" if request.args.get("when") == "past" else "upcoming"
    page = queries.listing(page_arg(), when, filters["city"].id if filters["city"] else None,
                           filters["sector"], filters["kind"])
    return render_template("events/index.html", page=page, when=when,
                           can_organise=permissions.can_organise(current_user), **filters)


@bp.route("/events/calendar")
def month():
    filters = _filters()
    today = datetime.now(display_zone()).date()
    try:
        first = date.fromisoformat(request.args.get("month", "") + "-01")
    except ValueError:
        first = today.replace(day=1)
    if not 2000 <= first.year <= 2100:
        first = today.replace(day=1)
    next_first = (first.replace(day=28) + (date.resolution * 4)).replace(day=1)
    zone = display_zone()
    start = datetime(first.year, first.month, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(next_first.year, next_first.month, 1, tzinfo=zone).astimezone(UTC)
    events = queries.between(start, end, filters["city"].id if filters["city"] else None,
                             filters["sector"], filters["kind"])
    days: dict[date, list[Event]] = {}
    for event in events:
        days.setdefault(event.starts_dt.astimezone(zone).date(), []).append(event)
    previous = (first - date.resolution).replace(day=1)
    return render_template(
        "events/calendar.html", first=first, today=today, days=days,
        weeks=month_grid.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month),
        previous=previous.strftime("%Y-%m"), following=next_first.strftime("%Y-%m"), **filters)


@bp.route("/events/mine")
@login_required
def mine():
    feed = queries.feed(current_user.id)
    return render_template("events/mine.html", registrations=queries.mine(current_user.id),
                           feed_url=absolute_url("events.feed", token=feed.token) if feed
                           else None)


@bp.route("/events/<id:event_id>")
@anonymous_page
def show(event_id):
    page = queries.event_page(event_id, current_user.id if current_user.is_authenticated
                              else None)
    if page is None:
        abort(404)
    event, mine = page.event, page.registration
    co_organisers = queries.co_organisers(event.id) if page.has_co_organisers else []
    managing = permissions.can_manage(current_user, event,
                                      services.organiser_ids(event, co_organisers))
    return render_template(
        "events/show.html", event=event, registration=mine, managing=managing,
        position=registration.waiting_position(mine) if mine else None,
        co_organisers=co_organisers, found_sections=page.found_sections,
        show_link=permissions.sees_online_link(mine, managing),
        can_register=permissions.can_register(current_user, event) and mine is None)


@bp.route("/events/<id:event_id>/event.ics")
def ics(event_id):
    event = event_or_404(event_id)
    mine = (queries.registration_of(current_user.id, event.id)
            if current_user.is_authenticated else None)
    managing = permissions.can_manage(current_user, event, services.organiser_ids(event))
    body = event_ics(event, with_link=permissions.sees_online_link(mine, managing))
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="event-{event.id}.ics"'})


@bp.route("/events/<id:event_id>/register", methods=["POST"])
@confirmed_required
@submitted_once
@limit("RATE_LIMIT_REGISTER", key_func=person_or_address, scope="event-registration")
def register(event_id):
    event = event_or_404(event_id)
    item = registration.register(current_user, event.id)
    return done(url_for(".show", event_id=event.id),
                _("You are registered. Your ticket is below.")
                if item.status == RegistrationStatus.CONFIRMED
                else _("The event is full: you are on the waiting list. We will tell you when "
                       "a place comes free."))


@bp.route("/events/<id:event_id>/cancel-registration", methods=["GET", "POST"])
@login_required
def cancel_registration(event_id):
    """Giving up a place asks first (a page of its own, so it works without JavaScript): the
    ticket stops working and the place goes to the next in line, who cannot be undone. A
    POST without the confirmation page's field (an old page's one-click form) asks too."""
    event = event_or_404(event_id)
    mine = queries.registration_of(current_user.id, event.id)
    if mine is None:
        flash(_("You have no registration to cancel for this event."), "info")
        return redirect(url_for(".show", event_id=event.id), 303)
    if event.has_started:
        abort(409)  # a place is given up before the start only
    form = CancelRegistrationForm()
    if request.method == "POST" and not form.confirmed.data:
        return redirect(url_for(".cancel_registration", event_id=event.id), 303)
    if form.validate_on_submit():
        registration.cancel(current_user, event.id)
        commit()
        flash(_("Your registration is cancelled."), "success")
        return redirect(url_for(".show", event_id=event.id), 303)
    return render_template("events/cancel_registration.html", event=event, registration=mine,
                           position=registration.waiting_position(mine))


def _own_confirmed(event: Event):
    mine = queries.registration_of(current_user.id, event.id)
    if mine is None or mine.status != RegistrationStatus.CONFIRMED:
        abort(404)
    return mine


@bp.route("/events/<id:event_id>/ticket")
@login_required
def ticket(event_id):
    event = event_or_404(event_id)
    return render_template("events/ticket.html", event=event, registration=_own_confirmed(event))


@bp.route("/events/<id:event_id>/ticket.svg")
@login_required
def ticket_qr(event_id):
    """The QR code (made by segno) holds the organisers' check-in address with the code, so
    scanning it with a phone opens the check-in page ready to confirm."""
    event = event_or_404(event_id)
    mine = _own_confirmed(event)
    target = absolute_url("events.check_in", event_id=event.id, code=mine.code)
    return Response(ticket_svg(target), mimetype="image/svg+xml",
                    headers={"Cache-Control": "private"})


def ticket_svg(target: str) -> bytes:
    """A stand-alone SVG document: with its namespace (without it a browser draws an ``<img>``
    of it as a broken image), a size of its own and a viewBox (so that the page's ``<img>``
    scales it), and a light background around the code (a scanner needs the quiet zone)."""
    out = io.BytesIO()
    segno.make(target, error="m").save(out, kind="svg", scale=5, border=2, dark="#1a1a1a",
                                       light="#fff", xmldecl=False, omitsize=True)
    return re.sub(rb'viewBox="0 0 (\d+) (\d+)"', rb'width="\1" height="\2" \g<0>',
                  out.getvalue(), count=1)


@bp.route("/events/calendar-feed", methods=["POST"])
@login_required
def make_feed():
    """Create (or replace: the old address stops working) the personal calendar address."""
    feed = queries.feed(current_user.id)
    revoking = bool(request.form.get("revoke"))
    if revoking:
        if feed is not None:
            db.session.delete(feed)
    else:
        if feed is None:
            feed = CalendarFeed(user_id=current_user.id)
            db.session.add(feed)
        feed.token = secrets.token_urlsafe(32)
    commit()
    flash(_("Your calendar address is revoked.") if revoking
          else _("Your new calendar address is ready; any earlier one no longer works."),
          "success")
    return redirect(url_for(".mine"), 303)


@bp.route("/calendar/<token>.ics")
def feed(token):
    user_id = found_or_404(queries.feed_owner(token[:64]))
    return Response(feed_ics("M100 Hub", queries.feed_events(user_id)),
                    mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"})
