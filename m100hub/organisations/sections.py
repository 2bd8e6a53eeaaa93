"""What organisations add to a city's page, a person's profile and the home page (the
person's own cities, the number of verified organisations)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from ..cities.models import City
from ..extensions import db
from ..features import Figure, Section
from .models import Organisation, Status
from .permissions import is_official_of, official_cities, own_cities
from .queries import memberships_of, organisations_of_city


def _official_notice(city) -> dict | None:
    return {} if is_official_of(current_user, city) else None


def _own_cities(person) -> dict | None:
    """The person's home city and the cities they are an official of (the home page)."""
    ids = own_cities(person)
    if not ids:
        return None
    cities = db.session.scalars(select(City).where(City.id.in_(ids)).order_by(City.name))
    return {"cities": list(cities), "official": official_cities(person)}


SECTIONS = [
    Section("home-mine", "organisations/_home_cities.html", _own_cities, order=5),
    Section("city", "organisations/_city_official.html", _official_notice, order=5),
    Section("city", "organisations/_city_section.html",
            lambda city: {"city": city, "organisations": organisations_of_city(city.id)},
            order=90),
    Section("profile", "organisations/_profile_section.html",
            lambda person: {"memberships": memberships_of(person.id, verified_only=True)}),
]

FIGURES = [Figure(_l("organisations"), lambda: select(func.count(Organisation.id)).where(
    Organisation.status == Status.VERIFIED).scalar_subquery(), order=20)]
