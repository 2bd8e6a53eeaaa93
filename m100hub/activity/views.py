from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _

from ..util import page_arg
from . import bp, queries
from .verbs import describe


@bp.route("/activity")
def index():
    page = queries.recent(page_arg(), current_app.config["PER_PAGE"])
    entries = [(entry, describe(entry.verb, {"target": _target(entry), **(entry.details or {})}))
               for entry in page.items]
    return render_template("activity/index.html", page=page, entries=entries)


def _target(entry) -> str:
    """The target's name at the time; a person who deleted their account is not named."""
    if entry.target_type == "users" and entry.target_id is None:
        return _("a deleted account")
    return entry.target_label
