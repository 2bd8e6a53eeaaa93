"""What contracts add to a city's page: the contract at a glance."""

from __future__ import annotations

from ..features import Section
from .models import ActionStatus
from .queries import city_row

SECTIONS = [
    Section("city", "contracts/_city_section.html",
            lambda city: {"row": city_row(city), "Status": ActionStatus}, order=10),
]
