"""What cities add to the home page: the mission's cities, and their number."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..features import Figure, Section
from .models import City, MissionStatus
from .queries import all_cities


def _cities(_viewer) -> dict:
    cities = all_cities()
    return {"mission_cities": [c for c in cities if c.mission_status == MissionStatus.EU_MISSION],
            "other_cities": [c for c in cities if c.mission_status != MissionStatus.EU_MISSION]}


SECTIONS = [Section("home", "cities/_home_cities.html", _cities, order=60)]

FIGURES = [Figure(_l("cities"), lambda: select(func.count(City.id)).scalar_subquery(), order=30)]
