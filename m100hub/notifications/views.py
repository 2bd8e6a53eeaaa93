from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..database import commit, commit_and_redirect
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
    notification = queries.get_own(current_user.id, notification_id)
    if notification is None:
        abort(404)
    mark_read(current_user.id, notification.id)
    commit()
    return redirect(describe(notification.kind, notification.payload)[1], 303)


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all():
    mark_read(current_user.id)
    commit()
    return redirect(url_for(".index"), 303)


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences_page():
    """Per kind: off, in the app only, e-mail at once, daily or weekly digest."""
    if request.method == "POST":
        choices = {}
        for kind in KINDS:
            value = request.form.get(kind)
            if value is None:
                continue
            if value not in Delivery._value2member_map_:
                abort(400)
            choices[kind] = Delivery(value)
        preferences.choose(current_user.id, choices)
        return commit_and_redirect(_("Your notification preferences are saved."),
                                   url_for(".preferences_page"))
    chosen = preferences.of_person(current_user.id)
    kinds = sorted(((name, str(kind.label or name)) for name, kind in KINDS.items()),
                   key=lambda item: item[1])
    return render_template("notifications/preferences.html", kinds=kinds, chosen=chosen,
                           choices=DELIVERY_LABELS, config=current_app.config)
