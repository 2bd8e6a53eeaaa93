"""The resources library in the hub's one search (/search): published knowledge items, good
practices and funding calls are found without diacritics and filtered by sector and city;
what awaits the secretariat's approval or was retired never appears."""

from __future__ import annotations

import re

from m100hub.extensions import db as _db
from m100hub.resources.models import Curation
from tests.support import resources as rf


def _links(client, query: str) -> set[str]:
    page = client.get(f"/search?{query}").get_data(as_text=True)
    found = re.search(r'<ol class="search-results">(.*?)</ol>', page, re.S)
    return set(re.findall(r'<a href="([^"]+)">', found.group(1))) if found else set()


def test_published_items_and_calls_are_found_without_diacritics(client, db):
    guide = rf.item(title="Ghid pentru clădiri eficiente", city_slugs=("suceava",))
    practice = rf.practice(title="Clădiri școlare renovate în Cluj")
    grant = rf.call(title="Renovarea clădirilor publice")
    waiting = rf.item(title="Clădiri în așteptare", status=Curation.PENDING)
    retired = rf.call(title="Clădiri de altădată", status=Curation.RETIRED)
    _db.session.commit()
    found = _links(client, "q=CLADIRI")
    assert {f"/resources/{guide.id}", f"/resources/{practice.id}",
            f"/funding/{grant.id}"} <= found
    assert not {f"/resources/{waiting.id}", f"/funding/{retired.id}"} & found
    assert _links(client, "q=cladiri&kind=funding_calls") == {f"/funding/{grant.id}"}
    assert _links(client, "q=cladiri&sector=transport") == set()
    # a city filter: the item listed for Suceava, no call (none belongs to a city)
    assert _links(client, "q=cladiri&city=suceava") == {f"/resources/{guide.id}"}
    assert _links(client, "q=cladiri&city=cluj-napoca") == {f"/resources/{practice.id}"}
