"""Icons of the sprite across the list pages: each sector's icon beside its name on the
consultations, events, forum categories and a contract's actions, the kind's icon on
consultation, event, city and thread items. Every icon is decorative (aria-hidden, never
focusable) and its words are always written beside it."""

from __future__ import annotations

import html
import re

from m100hub.contracts.models import ContractSector
from m100hub.extensions import db as _db
from tests.support import consultation_factories as cf
from tests.support import contracts as kf
from tests.support import event_factories as ef
from tests.support import forum_factories as ff

ICON = (r'<svg class="icon" aria-hidden="true" focusable="false">'
        r'<use href="[^"]*#{name}"></use></svg>')


def shows(text: str, name: str, words: str) -> bool:
    """The icon ``name`` directly before ``words`` (a sector tag, a heading's link…)."""
    return re.search(ICON.format(name=name) + r"\s*(<a [^>]*>)?(<strong>)?" + re.escape(words),
                     text) is not None


def get(client, url: str) -> str:
    client.set_cookie("lang", "en")
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.get_data(as_text=True))


def test_consultations_and_events_show_their_sectors(client, db):
    cf.consultation("open", title="Piste noi", sectors=["transport", "energy"])
    ef.event(title="Atelier solar", sectors=["energy", "buildings"])
    _db.session.commit()
    listing = get(client, "/consultations")
    assert shows(listing, "consultation", "Piste noi")
    assert shows(listing, "transport", "Transport") and shows(listing, "energy", "Energy")
    events = get(client, "/events")
    assert shows(events, "event", "Atelier solar")
    assert shows(events, "energy", "Energy") and shows(events, "buildings", "Buildings")


def test_forum_categories_and_threads(client, db):
    ff.thread(category_slug="transport", title="Benzi de autobuz")
    _db.session.commit()
    index = get(client, "/forums")
    # a sector's category: its sector's icon; a city's: the city icon; else the forum's
    assert shows(index, "transport", ff.category("transport").title)
    assert shows(index, "forum", ff.category("general").title)
    assert re.search(ICON.format(name="city"), index)
    category = get(client, f"/forums/c/{ff.category('transport').slug}")
    # the page's title stays text (no element in an <h1>); its threads carry the icon
    assert "<svg" not in category.split("<h1>")[1].split("</h1>")[0]
    assert shows(category, "forum", "Benzi de autobuz")


def test_cities_and_contract_actions(client, db):
    contract = kf.contract("suceava")
    kf.action(contract, title="Parc solar", sector=ContractSector.ENERGY)
    kf.action(contract, title="Compost", sector=ContractSector.WASTE)
    _db.session.commit()
    cities = get(client, "/cities")
    assert shows(cities, "city", "Suceava")
    page = get(client, "/cities/suceava/contract")
    assert shows(page, "energy", "Energy") and shows(page, "waste", "Waste")


def test_no_icon_is_announced_or_focusable(client, db):
    cf.consultation("open", sectors=["agriculture"])
    ef.event(sectors=["industry"])
    ff.thread(category_slug="energie")
    _db.session.commit()
    for url in ("/consultations", "/events", "/forums", "/forums/c/energie", "/cities"):
        text = get(client, url)
        icons = re.findall(r"<svg class=\"icon[^>]*>", text)
        assert icons, url
        for tag in icons:
            assert 'aria-hidden="true"' in tag or 'role="img" aria-label="' in tag, (url, tag)
            assert 'focusable="false"' in tag, (url, tag)
