"""What contracts add to other pages: the contract at a glance and "you said, we did" on a
city's page, its progress on the city's card in the city list, and "this led to…" on the
page of every linkable item (a consultation, a proposal, a thread…)."""

from __future__ import annotations

from ..features import LINKED_ITEM_SLOT, CardPart, Section
from . import links
from .models import ActionStatus
from .queries import city_row, rows_for


def _city(city) -> dict:
    row = city_row(city)
    return {"row": row, "Status": ActionStatus, "city": city,
            "said": links.of_city(city.id) if row.contract is not None else []}


def _led_to(kind_and_item) -> dict | None:
    kind, item = kind_and_item
    found = links.led_to(kind, item.id)
    return {"led_to": found} if found else None


SECTIONS = [
    Section("city", "contracts/_city_section.html", _city, order=10),
    Section(LINKED_ITEM_SLOT, "contracts/_led_to.html", _led_to),
]


def _city_cards(cities) -> dict[int, dict]:
    """Each city's contract at a glance on the city list (four queries for all of them)."""
    return {row.city.id: {"row": row, "Status": ActionStatus} for row in rows_for(cities)}


CARD_PARTS = [CardPart("city-card", "contracts/_city_card.html", _city_cards)]
