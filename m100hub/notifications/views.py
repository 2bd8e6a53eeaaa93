from __future__ import annotations

from flask import abort, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..database import commit
from ..util import page_arg
from . import bp, queries
from .kinds import describe
from .services import mark_read


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
