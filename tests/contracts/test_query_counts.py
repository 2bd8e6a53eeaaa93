"""SQL queries per contract page do not grow with the data, and stay few: the contract page
and an action page at 10 and 200 actions (each with funding lines and updates), the city
page's section, and the national page (and its JSON) at 5 and 100 cities with contracts.
Run with ``-s`` to see the figures."""

from __future__ import annotations

from datetime import date

import pytest

from m100hub.cities.models import City, MissionStatus
from m100hub.contracts.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Contract,
    ContractSector,
    FundingKind,
    FundingLine,
    Inventory,
)
from m100hub.extensions import db as _db
from tests.support import contracts as cf

#: upper bounds (what was measured, with no slack to grow into); the city page holds other
#: features' sections too (the contract's summary is 4 of its 8)
BOUNDS = {"contract": 5, "action": 5, "city": 8, "national": 5, "json": 5}
SECTORS = list(ContractSector)
STATUSES = list(ActionStatus)


def _fill(contract: Contract, actions: int) -> int:
    """``actions`` actions with a funding line and an update each, and inventories for
    three years; returns the first action's id."""
    rows = [Action(contract_id=contract.id, title=f"Acțiunea {n}", sector=SECTORS[n % 7],
                   status=STATUSES[n % 3], progress=n % 101, cost=1000 * n)
            for n in range(actions)]
    _db.session.add_all(rows)
    _db.session.flush()
    for n, action in enumerate(rows):
        _db.session.add(FundingLine(action_id=action.id, source_kind=FundingKind.NATIONAL,
                                    programme="", secured=500 * n, sought=100))
        _db.session.add(ActionUpdate(action_id=action.id, on_date=date(2026, 1, 1 + n % 28),
                                     body="Notă.", body_html="<p>Notă.</p>"))
    for year in (contract.baseline_year, 2022, 2024):
        for sector in SECTORS:
            _db.session.add(Inventory(city_id=contract.city_id, year=year, sector=sector,
                                      tco2e=1000))
    return rows[0].id


def _cities(first: int, last: int) -> None:
    """Cities ``first`` to ``last`` - 1, each with a contract of 3 actions."""
    for n in range(first, last):
        city = City(name=f"Orașul {n}", slug=f"orasul-{n}", population=10_000 + n,
                    mission_status=MissionStatus.M100_MIRROR)
        _db.session.add(city)
        _db.session.flush()
        contract = Contract(city_id=city.id, target_year=2035, baseline_year=2019)
        _db.session.add(contract)
        _db.session.flush()
        _fill(contract, 3)


def _assert_flat(name, small, large, sizes):
    print(f"\n[queries] {name}: {small.count} at {sizes[0]}, {large.count} at {sizes[1]}")
    assert large.count == small.count, f"grows with data:\n{small!r}\n---\n{large!r}"
    assert large.count <= BOUNDS[name], repr(large)


@pytest.mark.parametrize("page", ["contract", "action", "city"])
def test_contract_pages_make_as_many_queries_at_10_and_200_actions(measure, db, page):
    contract = cf.contract()
    contract_id, first = contract.id, _fill(contract, 10)
    url = {"contract": "/cities/suceava/contract", "city": "/cities/suceava",
           "action": f"/cities/suceava/contract/actions/{first}"}[page]
    marker = {"contract": "Acțiunea", "city": "Climate City Contract", "action": "Notă."}[page]
    small = measure(url, marker, 10 if page == "contract" else 1)
    _db.session.add_all([Action(contract_id=contract_id, title=f"Acțiunea mare {n}",
                                sector=SECTORS[n % 7], cost=n) for n in range(190)])
    _db.session.add_all([ActionUpdate(action_id=first, on_date=date(2025, 1, 1 + n % 28),
                                      body="Notă.", body_html="<p>Notă.</p>") for n in range(30)])
    large = measure(url, marker, 200 if page == "contract" else 1)
    _assert_flat(page, small, large, (10, 200))


@pytest.mark.parametrize("page", ["national", "json"])
def test_the_national_page_makes_as_many_queries_at_5_and_100_cities(measure, db, page):
    url, marker = {"national": ("/contracts", "Orașul"), "json": ("/contracts.json",
                                                                  "orasul-")}[page]
    _cities(0, 5)
    small = measure(url, marker, 5)
    _cities(5, 100)
    large = measure(url, marker, 100)
    _assert_flat(page, small, large, (5, 100))
