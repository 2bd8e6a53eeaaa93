from __future__ import annotations

from sqlalchemy import select

from ..activity.services import log
from ..extensions import db
from ..text import render_markdown
from ..util import slugify
from .models import City, MissionStatus


class SlugTaken(Exception):
    pass


def _unique_slug(name: str, city_id: int | None = None) -> str:
    slug = slugify(name)
    existing = db.session.scalar(select(City.id).where(City.slug == slug))
    if existing is not None and existing != city_id:
        raise SlugTaken(slug)
    return slug


def save_city(actor, city: City | None, *, name, county, population, mission_status, summary):
    """Create (``city`` None) or update a city; logs the change publicly."""
    creating = city is None
    slug = _unique_slug(name, None if city is None else city.id)
    if city is None:
        city = City()
        db.session.add(city)
    city.name = name
    city.slug = slug
    city.county = county or ""
    city.population = population
    city.mission_status = MissionStatus(mission_status)
    city.summary = summary or ""
    city.summary_html = render_markdown(city.summary)
    db.session.flush()
    log(actor, "city_created" if creating else "city_updated", city)
    return city
