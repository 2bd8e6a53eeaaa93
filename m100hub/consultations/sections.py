"""What consultations add to a city's page: its latest consultations ("you said, we did")."""

from __future__ import annotations

from ..features import Section
from .queries import of_city

SECTIONS = [
    Section("city", "consultations/_city_section.html",
            lambda city: {"city": city, "consultations": of_city(city.id)}, order=20),
]
