"""SQL queries per library page do not grow with the data: the resources list, the funding
list (each with a filter, and their JSON exports), an item and a call, at 5 and 60 items
(more than a page of 30). Run with ``-s`` to see the figures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from m100hub.extensions import db as _db
from m100hub.resources.models import FundingFollow
from tests.support import factories
from tests.support import resources as rf

#: upper bounds (what was measured, no slack to grow into)
BOUNDS = {"resources": 3, "resources_filtered": 4, "resources_json": 2, "funding": 3,
          "funding_filtered": 3, "funding_json": 3, "funding_signed_in": 6,
          "practice": 7, "call": 5}
SECTORS = ["energy", "transport", "buildings", "industry", "agriculture"]


def _items(first: int, last: int) -> None:
    for n in range(first, last):
        org = factories.organisation(f"Editor {n}") if n % 3 == 0 else None
        rf.item(title=f"Resursa {n}", sectors=(SECTORS[n % 5], SECTORS[(n + 1) % 5]),
                city_slugs=("suceava",), organisation_id=org.id if org else None)
        rf.call(title=f"Apelul {n}", sectors=tuple({SECTORS[n % 5], "energy"}),
                applicants=("municipality", "ngo"),
                opens_on=date.today() + timedelta(days=n % 2),
                deadline_in=timedelta(days=n % 7 - 2, hours=1))
        if n % 4 == 0:
            rf.practice(title=f"Practica {n}")


PAGES = {
    "resources": ("/resources", "Resursa", 5),
    "resources_filtered": ("/resources?sector=energy&city=suceava", "Resursa", 2),
    "resources_json": ("/resources.json", "Resursa", 5),
    "funding": ("/funding", "Apelul", 5),
    "funding_filtered": ("/funding?sector=energy&applicant=ngo&when=open", "Apelul", 1),
    "funding_json": ("/funding.json", "Apelul", 5),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_list_pages_make_as_many_queries_at_5_and_60_items(measure, db, name):
    url, marker, rows = PAGES[name]
    _items(0, 5)
    small = measure(url, marker, rows)
    _items(5, 60)
    large = measure(url, marker, rows)
    _assert_flat(name, small, large)


def test_the_funding_list_signed_in_is_flat_too(measure, db, login_as):
    person = login_as("official")
    _items(0, 5)
    _db.session.add(FundingFollow(user_id=person.id, topic="sector:energy"))
    small = measure("/funding?sector=energy", "Apelul", 1)
    _items(5, 60)
    large = measure("/funding?sector=energy", "Apelul", 1)
    _assert_flat("funding_signed_in", small, large)


@pytest.mark.parametrize("name", ["practice", "call"])
def test_an_item_page_makes_as_many_queries_with_more_links(measure, db, login_as, name):
    official_id = login_as(user=factories.official("suceava")).id
    item = rf.practice() if name == "practice" else rf.call(sectors=tuple(SECTORS))
    item_id = item.id
    url = f"/resources/{item_id}" if name == "practice" else f"/funding/{item_id}"
    small = measure(url, "Cluj" if name == "practice" else "Renovarea", 1)
    if name == "practice":
        for slug in ("suceava", "brasov", "alba-iulia", "bucuresti-sector-2"):
            city = factories.city(slug)
            if city is not None:
                rf.db_add_replication(item_id, city.id, official_id)
    large = measure(url, "Cluj" if name == "practice" else "Renovarea", 1)
    _assert_flat(name, small, large)


def _assert_flat(name, small, large):
    print(f"\n[queries] {name}: {small.count} small, {large.count} large")
    assert large.count == small.count, f"grows with data:\n{small!r}\n---\n{large!r}"
    assert large.count <= BOUNDS[name], repr(large)
