from __future__ import annotations

from flask import current_app, render_template

from ..util import page_arg
from . import bp, queries
from .verbs import describe


@bp.route("/activity")
def index():
    page = queries.recent(page_arg(), current_app.config["PER_PAGE"])
    entries = [
        (entry, describe(entry.verb, {"target": entry.target_label, **(entry.details or {})}))
        for entry in page.items
    ]
    return render_template("activity/index.html", page=page, entries=entries)
