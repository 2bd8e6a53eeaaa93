"""What organisations add to a city's page and a person's profile."""

from __future__ import annotations

from flask_login import current_user

from ..features import Section
from .permissions import is_official_of
from .queries import memberships_of, organisations_of_city


def _official_notice(city) -> dict | None:
    return {} if is_official_of(current_user, city) else None


SECTIONS = [
    Section("city", "organisations/_city_official.html", _official_notice, order=5),
    Section("city", "organisations/_city_section.html",
            lambda city: {"city": city, "organisations": organisations_of_city(city.id)},
            order=90),
    Section("profile", "organisations/_profile_section.html",
            lambda person: {"memberships": memberships_of(person.id, verified_only=True)}),
]
