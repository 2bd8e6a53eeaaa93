from __future__ import annotations

from flask import abort, render_template

from ..page_cache import anonymous_page
from . import bp
from .models import MissionStatus
from .queries import all_cities, by_slug


@bp.route("/cities")
@anonymous_page
def index():
    cities = all_cities()
    groups = [
        (status, [c for c in cities if c.mission_status == status]) for status in MissionStatus
    ]
    return render_template("cities/index.html", groups=[g for g in groups if g[1]],
                           cities=cities)


@bp.route("/cities/<slug:slug>")
@anonymous_page
def show(slug):
    city = by_slug(slug)
    if city is None:
        abort(404)
    return render_template("cities/show.html", city=city)
