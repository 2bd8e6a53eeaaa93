from __future__ import annotations

from flask import render_template

from ..page_cache import anonymous_page
from ..permissions import found_or_404
from . import bp
from .models import City, MissionStatus
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


def city_or_404(slug: str) -> City:
    """The city of an address's slug (404 when there is none)."""
    return found_or_404(by_slug(slug))


@bp.route("/cities/<slug:slug>")
@anonymous_page
def show(slug):
    return render_template("cities/show.html", city=city_or_404(slug))
