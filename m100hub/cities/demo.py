"""Demo cities beyond the three EU-mission ones (seeded by the first migration).

Illustrative only: these cities and their statuses are examples, not the official M100 list.
"""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..features import DemoData
from ..text import render_markdown
from ..util import slugify
from .models import City, MissionStatus

DEMO_CITIES = [
    ("Alba Iulia", "Alba", 63536, MissionStatus.M100_MIRROR),
    ("Brașov", "Brașov", 237589, MissionStatus.M100_MIRROR),
    ("Iași", "Iași", 271692, MissionStatus.M100_MIRROR),
    ("Timișoara", "Timiș", 250849, MissionStatus.ASPIRING),
]


def seed(demo: DemoData) -> None:
    for name, county, population, status in DEMO_CITIES:
        slug = slugify(name)
        if db.session.scalar(select(City.id).where(City.slug == slug)) is None:
            summary = f"{name} — oraș demonstrativ în M100 Hub."
            db.session.add(City(name=name, slug=slug, county=county, population=population,
                                mission_status=status, summary=summary,
                                summary_html=render_markdown(summary)))
    db.session.flush()
    demo.cities.update({c.slug: c for c in db.session.scalars(select(City))})
