"""SQL queries per API list do not grow with the data: every list (JSON, a full page of 100)
at two sizes, and the items and results that load related rows. Run with ``-s`` to see them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from m100hub.activity.models import ActivityEntry
from m100hub.cities.models import City, MissionStatus
from m100hub.contracts.models import Contract, ContractSector, Inventory
from m100hub.extensions import db as _db
from tests.support import consultation_factories as cons
from tests.support import contracts as cf
from tests.support import event_factories as ev
from tests.support import factories
from tests.support import resources as rf

#: upper bounds, as measured (the keyset page is one query; the actions' funding lines a second)
BOUNDS = {"cities": 1, "contracts": 1, "actions": 2, "inventories": 1, "consultations": 1,
          "events": 1, "activity": 1,
          # the page, then its items' sectors and cities (calls: sectors and applicants)
          "resources": 3, "funding-calls": 3}
YEARS = iter(range(1990, 2101))


def _add(kind: str, count: int) -> None:
    if kind == "cities":
        start = _db.session.query(City).count()
        _db.session.add_all([City(name=f"Oraș {start + n}", slug=f"oras-q-{start + n}",
                                  mission_status=MissionStatus.ASPIRING) for n in range(count)])
    elif kind == "contracts":
        for _ in range(count):
            slug = f"oras-c-{_db.session.query(City).count()}"
            _db.session.add(City(name=slug, slug=slug, mission_status=MissionStatus.ASPIRING))
            _db.session.flush()
            cf.contract(slug)
    elif kind == "actions":
        contract = _db.session.scalar(select(Contract).where(
            Contract.city_id == factories.city().id)) or cf.contract("suceava")
        org = factories.organisation()
        for n in range(count):
            cf.funding(cf.action(contract, title=f"Acțiunea {n} din {count}",
                                 organisation_id=org.id))
    elif kind == "inventories":
        for _ in range(count // 7 + 1):
            year = next(YEARS)
            _db.session.add_all([Inventory(city_id=factories.city().id, year=year, sector=s,
                                           tco2e=1) for s in ContractSector])
    elif kind == "consultations":
        for _ in range(count):
            cons.consultation("published")
    elif kind == "events":
        org = factories.organisation()
        for _ in range(count):
            ev.event(organisation_id=org.id)
    elif kind == "activity":
        actor = factories.person("admin")
        _db.session.add_all([ActivityEntry(actor_id=actor.id, verb="city.updated",
                                           target_type="cities", target_label="x")
                             for _ in range(count)])
    elif kind == "resources":
        for n in range(count):
            rf.item(title=f"Ghid {n}", city_slugs=("suceava", "cluj-napoca"))
    elif kind == "funding-calls":
        for n in range(count):
            rf.call(title=f"Apel {n}", sectors=("energy", "buildings"))
    _db.session.flush()


@pytest.mark.parametrize("kind", list(BOUNDS))
def test_each_api_list_makes_as_many_queries_at_5_and_100_items(client, db, count_queries,
                                                                  kind):
    counts = []
    for size in (5, 100):
        _add(kind, size - (5 if size == 100 else 0))
        _db.session.commit()
        _db.session.expunge_all()
        url = f"/api/v1/{kind}?limit=100"
        assert client.get(url).status_code == 200
        _db.session.expunge_all()
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200
        assert len(response.json["items"]) >= size, (kind, size)
        counts.append(counter)
    small, large = counts
    print(f"\n[queries] /api/v1/{kind}: {small.count} at 5, {large.count} at 100")
    assert large.count == small.count, f"grows with data:\n{small!r}\n---\n{large!r}"
    assert large.count <= BOUNDS[kind], repr(large)


def test_an_item_and_results_make_few_queries(client, db, count_queries):
    item = cons.consultation("published", questions=[cons.question_data("single")] * 3)
    event = ev.event(organisation_id=factories.organisation().id)
    _db.session.commit()
    for url, bound in ((f"/api/v1/consultations/{item.id}", 1),
                       (f"/api/v1/consultations/{item.id}/results", 3),
                       (f"/api/v1/events/{event.id}", 1), ("/api/v1/cities/suceava", 1)):
        _db.session.expunge_all()
        with count_queries() as counter:
            assert client.get(url).status_code == 200, url
        assert counter.count <= bound, (url, repr(counter))
