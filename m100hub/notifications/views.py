from __future__ import annotations

from datetime import date, timedelta

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..database import commit, commit_and_redirect
from ..permissions import found_or_404
from ..util import page_arg
from . import bp, preferences, queries
from .kinds import KINDS, Delivery, describe
from .services import mark_read

#: the choices of the preferences page, in order
DELIVERY_LABELS = {
    Delivery.OFF: _l("Off"),
    Delivery.APP: _l("In the app only"),
    Delivery.IMMEDIATE: _l("E-mail at once"),
    Delivery.DAILY: _l("Daily digest"),
    Delivery.WEEKLY: _l("Weekly digest"),
}


@bp.route("/notifications")
@login_required
def index():
    page = queries.for_person(current_user.id, page_arg(), current_app.config["PER_PAGE"])
    items = [(n, *describe(n.kind, n.payload)) for n in page.items]
    return render_template("notifications/index.html", page=page, items=items)


@bp.route("/notifications/<id:notification_id>/open", methods=["POST"])
@login_required
def open_one(notification_id):
    notification = found_or_404(queries.get_own(current_user.id, notification_id))
    mark_read(current_user.id, notification.id)
    commit()
    return redirect(describe(notification.kind, notification.payload)[1], 303)


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all():
    mark_read(current_user.id)
    commit()
    return redirect(url_for(".index"), 303)


def _schedule_from(form) -> tuple[int, int] | None:
    """(hour, weekday) from the form's digest_hour and digest_weekday; the saved ones for a
    field not sent; None when a value is not an hour 0–23 or a day 0–6."""
    hour, weekday = preferences.schedule(current_user.id)
    try:
        hour = int(form.get("digest_hour", hour))
        weekday = int(form.get("digest_weekday", weekday))
    except ValueError:
        return None
    return (hour, weekday) if 0 <= hour <= 23 and 0 <= weekday <= 6 else None


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences_page():
    """Per kind: off, in the app only, e-mail at once, daily or weekly digest; and the hour
    of the digests and the day of the weekly one."""
    errors = []
    if request.method == "POST":
        choices = {}
        for kind in KINDS:
            value = request.form.get(kind)
            if value is None:
                continue
            if value not in Delivery._value2member_map_:
                errors.append(_("Choose one of the listed ways for each kind of notification."))
                break
            choices[kind] = Delivery(value)
        when = _schedule_from(request.form)
        if when is None:
            errors.append(_("Choose an hour of the day and a day of the week from the lists."))
        if not errors and when is not None:
            preferences.choose(current_user.id, choices)
            preferences.choose_schedule(current_user.id, *when)
            return commit_and_redirect(_("Your notification preferences are saved."),
                                       url_for(".preferences_page"))
    chosen = preferences.of_person(current_user.id)
    hour, weekday = preferences.schedule(current_user.id)
    kinds = sorted(((name, str(kind.label or name)) for name, kind in KINDS.items()),
                   key=lambda item: item[1])
    return render_template(
        "notifications/preferences.html", kinds=kinds, chosen=chosen, choices=DELIVERY_LABELS,
        hour=hour, weekday=weekday, weekdays=_weekdays(), zone=current_app.config[
            "DIGEST_TIMEZONE"], errors=errors), 400 if errors else 200


def _weekdays() -> list[str]:
    """Monday … Sunday in the reader's language."""
    monday = date(2026, 1, 5)
    return [format_date(monday + timedelta(days=n), "EEEE") for n in range(7)]
