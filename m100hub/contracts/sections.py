"""What contracts add to other pages: the contract at a glance and "you said, we did" on a
city's page, its progress on the city's card in the city list, and "this led to…" on the
page of every linkable item (a consultation, a proposal, a thread…)."""

from __future__ import annotations

from sqlalchemy import select

from ..features import LINKED_ITEM_SLOT, CardPart, Section
from . import links
from .models import ActionLink, ActionStatus
from .queries import city_row, rows_for


def _city(city) -> dict:
    row = city_row(city)
    return {"row": row, "Status": ActionStatus, "city": city,
            "said": links.of_city(city.id) if row.contract is not None else []}


def _led_to(kind_and_item, found: bool | None = None) -> dict | None:
    """``found``: whether any action is linked to the item, when its page asked
    (``_any_led_to``): most items led to nothing, and then need no query."""
    if found is False:
        return None
    kind, item = kind_and_item
    led_to = links.led_to(kind, item.id)
    return {"led_to": led_to} if led_to else None


def _any_led_to(kind_and_ident):
    kind, ident = kind_and_ident
    return select(ActionLink.id).where(ActionLink.item_kind == kind,
                                       ActionLink.item_id == ident).exists()


SECTIONS = [
    Section("city", "contracts/_city_section.html", _city, order=10),
    Section(LINKED_ITEM_SLOT, "contracts/_led_to.html", _led_to, probe=_any_led_to),
]


def _city_cards(cities) -> dict[int, dict]:
    """Each city's contract at a glance on the city list (four queries for all of them)."""
    return {row.city.id: {"row": row, "Status": ActionStatus} for row in rows_for(cities)}


CARD_PARTS = [CardPart("city-card", "contracts/_city_card.html", _city_cards)]
