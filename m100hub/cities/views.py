from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user

from ..consultations.queries import of_city
from ..forums.queries import city_category
from ..organisations.permissions import is_official_of
from ..organisations.queries import organisations_of_city
from . import bp
from .models import MissionStatus
from .queries import all_cities, by_slug


@bp.route("/cities")
def index():
    cities = all_cities()
    groups = [
        (status, [c for c in cities if c.mission_status == status]) for status in MissionStatus
    ]
    return render_template("cities/index.html", groups=[g for g in groups if g[1]])


@bp.route("/cities/<slug:slug>")
def show(slug):
    city = by_slug(slug)
    if city is None:
        abort(404)
    return render_template(
        "cities/show.html", city=city, organisations=organisations_of_city(city.id),
        is_official=is_official_of(current_user, city),
        forum=city_category(city.id), consultations=of_city(city.id),
    )
