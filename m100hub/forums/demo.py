"""Demo data of the forums: every city's category (the sector and general ones come with the
migrations)."""

from __future__ import annotations

from ..features import DemoData
from .services import ensure_city_category


def seed(demo: DemoData) -> None:
    for city in demo.cities.values():
        ensure_city_category(city)
