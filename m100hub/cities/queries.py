from __future__ import annotations

from sqlalchemy import case, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from .models import City, MissionStatus


def _mission_rank():
    return case({status.value: rank for rank, status in enumerate(MissionStatus)},
                value=City.mission_status)


def all_cities() -> list[City]:
    return list(db.session.scalars(select(City).options(joinedload(City.image))
                                   .order_by(_mission_rank(), City.name)))


def by_slug(slug: str) -> City | None:
    return db.session.scalar(select(City).options(joinedload(City.image))
                             .where(City.slug == slug))


def city_choices(none_label: str | None = None) -> list[tuple[int, str]]:
    rows = db.session.execute(select(City.id, City.name).order_by(City.name)).all()
    choices = [(row.id, row.name) for row in rows]
    return ([(0, none_label)] if none_label is not None else []) + choices


def id_of(slug: str):
    """The city's id as a scalar subquery, for filtering other tables by a city's slug."""
    return select(City.id).where(City.slug == slug).scalar_subquery()
