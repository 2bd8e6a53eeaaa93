"""SQL queries per contract page do not grow with the data, and stay few: the contract
page, a sector's page and an action page at 10 and 500 actions (each with funding lines and
updates), the city page's section, and the national page (and its JSON) at 5 and 100
cities with contracts. Run with ``-s`` to see the figures."""

from __future__ import annotations

from datetime import date

import pytest

from m100hub.cities.models import City, MissionStatus
from m100hub.consultations.models import Proposal
from m100hub.contracts import queries
from m100hub.contracts.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Commitment,
    CommitmentStatus,
    Contract,
    ContractSector,
    FundingKind,
    FundingLine,
    Inventory,
)
from m100hub.extensions import db as _db
from tests.support import consultation_factories as consult
from tests.support import contracts as cf
from tests.support import factories
from tests.support import forum_factories as forum

#: upper bounds (what was measured, with no slack to grow into); the city page holds other
#: features' sections too (the contract's summary is 4 of its 8). "You said, we did" adds one
#: query for the links and one per kind of item linked (3 here) to the action and city pages.
BOUNDS = {"contract": 8, "sector": 6, "action": 9, "city": 12, "national": 6,
          "national_sector": 6, "json": 5, "led_to_consultation": 5,
          "led_to_forum_thread": 3, "cities": 5}
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


def _commitments(contract_id: int, n: int) -> None:
    """``n`` accepted commitments of as many organisations (the contract page's list)."""
    for i in range(n):
        organisation = factories.organisation(f"Organizația {n}-{i}")
        _db.session.add(Commitment(contract_id=contract_id, organisation_id=organisation.id,
                                   pledge=f"Angajamentul {n}-{i}", due_on=date(2029, 1, 1),
                                   status=CommitmentStatus.ACCEPTED))
    _db.session.flush()


def _said(action_id: int, n: int) -> None:
    """``n`` proposals and ``n`` threads of Suceava linked to the action, then a new
    consultation (so that the city page's newest links hold every kind)."""
    consultation_id = consult.consultation("open").id
    action = _db.session.get(Action, action_id)
    proposals = [Proposal(consultation_id=consultation_id, title=f"Propunerea {n}-{i}",
                          body="Text.", body_html="<p>Text.</p>") for i in range(n)]
    _db.session.add_all(proposals)
    _db.session.flush()
    for proposal in proposals:
        cf.link(action, "proposal", proposal.id)
        thread = forum.thread(city_id=factories.city("suceava").id)
        cf.link(action, "forum_thread", thread.id)
    cf.link(action, "consultation", consultation_id)


def _assert_flat(name, small, large, sizes):
    print(f"\n[queries] {name}: {small.count} at {sizes[0]}, {large.count} at {sizes[1]}")
    assert large.count == small.count, f"grows with data:\n{small!r}\n---\n{large!r}"
    assert large.count <= BOUNDS[name], repr(large)


@pytest.mark.parametrize("page", ["contract", "sector", "action", "city"])
def test_contract_pages_make_as_many_queries_at_10_and_500_actions(measure, db, page):
    contract = cf.contract()
    contract_id, first = contract.id, _fill(contract, 10)
    url = {"contract": "/cities/suceava/contract", "city": "/cities/suceava",
           "sector": "/cities/suceava/contract/sectors/energy?page=2",
           "action": f"/cities/suceava/contract/actions/{first}"}[page]
    marker = {"contract": 'class="card"', "sector": 'class="card"',
              "city": "Climate City Contract", "action": "Notă."}[page]
    _said(first, 1)
    _commitments(contract_id, 2)
    if page == "sector":  # its second page: 50 energy actions before those listed
        _db.session.add_all([Action(contract_id=contract_id, title=f"Acțiunea {n:03}",
                                    sector=ContractSector.ENERGY) for n in range(60)])
    small = measure(url, marker, {"contract": 10, "sector": 10}.get(page, 1))
    _db.session.add_all([Action(contract_id=contract_id, title=f"Acțiunea mare {n}",
                                sector=SECTORS[n % 7], cost=n) for n in range(490)])
    _db.session.add_all([ActionUpdate(action_id=first, on_date=date(2025, 1, 1 + n % 28),
                                      body="Notă.", body_html="<p>Notă.</p>") for n in range(30)])
    _said(first, 20)
    _commitments(contract_id, 40)
    # the contract page lists the first actions of each sector, a sector's page one page
    large = measure(url, marker, {"contract": 7 * queries.FIRST_PER_SECTOR,
                                  "sector": queries.SECTOR_PAGE}.get(page, 1))
    if page == "contract":  # the commitments are listed too, and each sector links its list
        assert large.text.count("Angajamentul 40-") == 40
        assert large.text.count('class="card"') == 7 * queries.FIRST_PER_SECTOR
        assert large.text.count("/contract/sectors/") == 7
    if page == "sector":
        assert large.text.count('class="card"') == queries.SECTOR_PAGE
    _assert_flat(page, small, large, (10, 500))


@pytest.mark.parametrize("page", ["national", "national_sector", "json"])
def test_the_national_page_makes_as_many_queries_at_5_and_100_cities(measure, db, page):
    url, marker = {"national": ("/contracts", "Orașul"), "json": ("/contracts.json",
                                                                  "orasul-"),
                   "national_sector": ("/contracts?sector=waste", "Orașul")}[page]
    _cities(0, 5)
    small = measure(url, marker, 5)
    _cities(5, 100)
    large = measure(url, marker, 100)
    _assert_flat(page, small, large, (5, 100))


@pytest.mark.parametrize("kind", ["consultation", "forum_thread"])
def test_this_led_to_is_one_query_at_1_and_30_actions(measure, db, kind):
    """An item's page with its "this led to…" part."""
    contract = cf.contract()
    item = (consult.consultation("open") if kind == "consultation" else
            forum.thread(city_id=factories.city("suceava").id))
    item_id = item.id
    url = (f"/consultations/{item_id}" if kind == "consultation" else f"/forums/t/{item_id}")
    actions = [cf.action(contract, title=f"Acțiunea {n}").id for n in range(30)]
    cf.link(_db.session.get(Action, actions[0]), kind, item_id)
    small = measure(url, "Acțiunea 0", 1)
    for action_id in actions[1:]:
        cf.link(_db.session.get(Action, action_id), kind, item_id)
    large = measure(url, "Acțiunea 29", 1)
    _assert_flat(f"led_to_{kind}", small, large, (1, 30))


def test_this_led_to_is_asked_with_a_statement_built_once(client, db):
    """Every linkable item's page asks "this led to…": the same SELECT object each time,
    with the kind and id as bound values (building it and its cache key per page cost as
    much CPU as running it)."""
    from sqlalchemy import event

    thread = forum.thread(city_id=factories.city("suceava").id)
    consultation = consult.consultation("open")
    action = cf.action(cf.contract(), title="Acțiunea făcută")
    cf.link(action, "forum_thread", thread.id)
    cf.link(action, "consultation", consultation.id)  # (a page without any asks nothing)
    db.session.commit()
    asked: list[object] = []

    def seen(conn, clauseelement, *args):
        # the list itself (pages ask whether there is any with their own statement: a probe)
        if "contract_action_links.explanation" in str(clauseelement):
            asked.append(clauseelement)

    event.listen(db.engine, "before_execute", seen)
    try:
        for url in (f"/forums/t/{thread.id}", f"/consultations/{consultation.id}",
                    f"/forums/t/{thread.id}"):
            response = client.get(url)
            assert response.status_code == 200, url
        assert "Acțiunea făcută" in response.get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_execute", seen)
    assert len(asked) == 3 and all(statement is asked[0] for statement in asked), asked


def test_the_city_list_makes_as_many_queries_at_5_and_100_cities_with_contracts(measure, db):
    """The city list with each city's contract progress (the contracts' card part)."""
    _cities(0, 5)
    small = measure("/cities", "1 done, 1 in progress", 5)
    _cities(5, 100)
    large = measure("/cities", "1 done, 1 in progress", 100)
    _assert_flat("cities", small, large, (5, 100))
