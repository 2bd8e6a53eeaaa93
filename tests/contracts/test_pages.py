"""The public contract pages: what anyone reads, empty states, the city page's section, the
national comparison and its CSV and JSON, and the demo label on every page with demo data."""

from __future__ import annotations

import csv
import io
from datetime import date

from m100hub.cities import demo as city_demo
from m100hub.cities.models import City, MissionStatus
from m100hub.contracts import demo, queries
from m100hub.contracts.models import Action, ActionStatus, Contract, ContractSector, FundingKind
from m100hub.extensions import db as _db
from m100hub.features import DemoData
from tests.support import contracts as cf
from tests.support import factories
from tests.support.consultations import english, page

DEMO_LABEL = "Demo data, illustrative."


def _filled_suceava():
    contract = cf.contract(ambition="Suceava, **neutră** până în 2030.")
    city = factories.city("suceava")
    city.population = 100_000
    school = cf.action(contract, title="Renovarea școlilor", cost=1_000_000)
    cf.funding(school, FundingKind.EU_PROGRAMME, "PNRR", 600_000, 100_000)
    cf.funding(school, FundingKind.OWN_BUDGET, "", 100_000, 0)
    buses = cf.action(contract, title="Autobuze electrice", sector=ContractSector.TRANSPORT,
                      status=ActionStatus.DONE, progress=100, cost=500_000)
    cf.funding(buses, FundingKind.NATIONAL, "AFM", 500_000, 0)
    cf.action(contract, title="Parc solar abandonat", sector=ContractSector.ENERGY,
              status=ActionStatus.DROPPED, dropped_reason="Terenul nu e disponibil.",
              cost=9_000_000)
    cf.update(school, "Primele trei școli sunt gata.", date(2026, 3, 2))
    for year, tonnes in ((2019, 400_000), (2023, 300_000)):
        cf.inventory(year=year, sector=ContractSector.ENERGY, tco2e=tonnes // 2)
        cf.inventory(year=year, sector=ContractSector.TRANSPORT, tco2e=tonnes // 2)
    _db.session.commit()
    return contract, school


def test_the_contract_page_shows_every_part_with_its_totals_and_chart(client, db):
    _filled_suceava()
    english(client)
    text = page(client.get("/cities/suceava/contract"))
    assert "Climate City Contract of Suceava" in text and "<strong>neutră</strong>" in text
    assert "Renovarea școlilor" in text and "Autobuze electrice" in text
    assert "Terenul" not in text  # the reason is on the action's page
    # investment: cost 1.5 M (the dropped 9 M left out), 1.2 M secured, gap 300 000
    assert "1,500,000 €" in text and "1,200,000 €" in text and "300,000 €" in text
    assert "9,000,000" not in text.split('id="investment"')[1].split("</section>")[0]
    # the chart and its table: baseline 400 000 in 2019, path to zero in 2030
    assert "<svg" in text and 'class="chart-path"' in text and 'class="chart-line"' in text
    assert "400,000" in text and "300,000" in text
    assert "3 tCO2e per inhabitant" in text
    assert DEMO_LABEL not in text


def test_a_long_plan_lists_each_sectors_first_actions_and_links_the_rest(client, db):
    """Past FIRST_PER_SECTOR actions a sector shows its first ones, its counts and money,
    and a link to its own pages (paged by SECTOR_PAGE); bad sectors and pages are not
    found."""
    contract, _school = _filled_suceava()
    extra = queries.FIRST_PER_SECTOR + queries.SECTOR_PAGE  # 1 + extra buildings actions
    for n in range(extra):
        cf.action(contract, title=f"Izolarea blocului {n:03}", status=ActionStatus.PLANNED,
                  progress=0, cost=1000)
    _db.session.commit()
    english(client)
    text = page(client.get("/cities/suceava/contract"))
    buildings = text.split('id="sector-buildings"')[1].split("<h3")[0]
    assert buildings.count('class="card"') == queries.FIRST_PER_SECTOR
    assert f"{extra + 1} actions:" in buildings
    assert f"Planned {extra} · In progress 1" in buildings
    # cost 1 000 000 + 1 000 each; 700 000 secured of the schools'
    assert f"Cost: {1_000_000 + 1000 * extra:,} €" in buildings
    assert f"Gap to finance: {300_000 + 1000 * extra:,} €" in buildings
    sector_url = "/cities/suceava/contract/sectors/buildings"
    assert (f'href="{sector_url}">All {extra + 1} actions of the sector “Buildings”</a>'
            in buildings)
    transport = text.split('id="sector-transport"')[1].split("<h3")[0]
    assert "/contract/sectors/" not in transport  # one action: all of it is listed
    first = page(client.get(sector_url))
    assert first.count('class="card"') == queries.SECTOR_PAGE
    assert "Izolarea blocului 000" in first and f"{extra + 1} actions:" in first
    second = page(client.get(sector_url, query_string={"page": 2}))
    assert second.count('class="card"') == extra + 1 - queries.SECTOR_PAGE
    assert "Renovarea școlilor" in second  # by title: after the "Izolarea…" ones
    assert client.get(sector_url, query_string={"page": 9}).status_code == 404
    garbled = page(client.get(sector_url, query_string={"page": "doi"}))  # is page 1
    assert garbled.count('class="card"') == queries.SECTOR_PAGE
    assert "Izolarea blocului 000" in garbled
    assert "No action in this sector yet." in page(
        client.get("/cities/suceava/contract/sectors/waste"))
    for url in ("/cities/suceava/contract/sectors/tourism",
                "/cities/cluj-napoca/contract/sectors/buildings",  # no contract
                "/cities/nowhere/contract/sectors/buildings"):
        assert client.get(url).status_code == 404, url


def test_the_action_page_shows_its_funding_and_timeline(client, db):
    _, school = _filled_suceava()
    english(client)
    text = page(client.get(f"/cities/suceava/contract/actions/{school.id}"))
    assert "Renovarea școlilor" in text and "PNRR" in text and "City's own budget" in text
    assert "Primele trei școli sunt gata." in text and 'datetime="2026-03-02"' in text
    assert "Post an update" not in text  # not for readers
    # another city's address for the same action: not found
    assert client.get(f"/cities/cluj-napoca/contract/actions/{school.id}").status_code == 404
    assert client.get("/cities/suceava/contract/actions/999999").status_code == 404


def test_empty_states_say_what_is_expected(client, db):
    english(client)
    text = page(client.get("/cities/suceava/contract"))
    assert "has not published its climate contract here yet" in text
    assert "No climate contract here yet" in page(client.get("/cities/suceava"))
    cf.contract()
    _db.session.commit()
    text = page(client.get("/cities/suceava/contract"))
    assert "No action yet" in text and "No investment plan yet" in text
    assert "No emission inventory yet" in text
    assert client.get("/cities/nowhere/contract").status_code == 404


def test_the_city_page_summarises_the_contract(client, db):
    _filled_suceava()
    english(client)
    text = page(client.get("/cities/suceava"))
    assert "1 done, 1 in progress, 0 planned" in text
    assert "1,500,000 € planned, 1,200,000 € secured, 300,000 € still to finance" in text
    assert "300,000 tCO2e in 2023" in text


def test_the_national_page_and_its_open_data_say_the_same(client, db):
    _filled_suceava()
    english(client)
    text = page(client.get("/contracts"))
    assert "Suceava" in text and "Cluj-Napoca" in text and "No contract published yet" in text
    data = client.get("/contracts.json").get_json()["cities"]
    suceava = next(c for c in data if c["slug"] == "suceava")
    assert suceava["actions"] == {"planned": 0, "in_progress": 1, "done": 1, "dropped": 1}
    assert (suceava["cost_eur"], suceava["secured_eur"], suceava["gap_eur"]) == (
        1_500_000, 1_200_000, 300_000)
    assert suceava["latest_tco2e"] == 300_000 and suceava["baseline_tco2e"] == 400_000
    # 2023 is 4 of 11 years along the path: 400 000 × 7/11
    assert suceava["path_tco2e"] == round(400_000 * 7 / 11)
    assert suceava["tco2e_per_inhabitant"] == 3.0 and suceava["illustrative"] is False
    assert not next(c for c in data if c["slug"] == "cluj-napoca")["has_contract"]
    response = client.get("/contracts.csv")
    assert response.mimetype == "text/csv"
    rows = {r["slug"]: r for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    assert rows["suceava"]["gap_eur"] == "300000" and rows["suceava"]["actions_done"] == "1"


def test_demo_contracts_are_labelled_on_every_page_showing_them(client, db):
    state = DemoData()
    city_demo.seed(state)  # the mirror cities
    demo.seed(state)
    demo.seed(state)  # idempotent
    _db.session.commit()
    assert cf.count(Contract) == 5 and cf.count(Contract, Contract.is_demo.is_(True)) == 5
    english(client)
    contract = _db.session.query(Contract).filter_by(
        city_id=factories.city("brasov").id).one()
    assert contract.target_year == 2035
    action = _db.session.query(Action).filter_by(contract_id=contract.id).first()
    for url in ("/cities/brasov", "/cities/brasov/contract", "/contracts",
                f"/cities/brasov/contract/actions/{action.id}",
                f"/cities/brasov/contract/sectors/{action.sector.value}"):
        assert DEMO_LABEL in page(client.get(url)), url
    assert client.get("/contracts.json").get_json()["cities"][0]["illustrative"] is True


def test_the_national_page_filters_by_mission_status_and_draws_every_trajectory(client, db):
    _filled_suceava()
    cf.contract("cluj-napoca")
    cf.inventory("cluj-napoca", 2019, tco2e=500)
    cf.inventory("cluj-napoca", 2024, tco2e=400)
    _db.session.commit()
    english(client)
    text = page(client.get("/contracts"))
    assert text.count('class="chart-line series-') == 2 and "-25 %" in text and "-20 %" in text
    for status, shown, hidden in (("eu_mission", "Suceava", "Brașov"),
                                  ("m100_mirror", None, "Suceava")):
        text = page(client.get("/contracts", query_string={"status": status}))
        assert hidden not in text and (shown is None or shown in text)
        data = client.get("/contracts.json", query_string={"status": status}).get_json()
        assert {c["mission_status"] for c in data["cities"]} <= {status}
    # an unknown filter is no filter
    assert "Suceava" in page(client.get("/contracts", query_string={"status": "x"}))


def test_the_city_list_groups_cities_by_mission_and_shows_each_contracts_progress(client, db):
    _filled_suceava()
    mirror = City(name="Orașul Oglindă", slug="orasul-oglinda",
                  mission_status=MissionStatus.M100_MIRROR)
    _db.session.add(mirror)
    _db.session.flush()
    cf.contract("orasul-oglinda", target=2035)
    _db.session.commit()
    english(client)
    text = page(client.get("/cities"))
    eu = text.index("EU mission city (neutral by 2030)")
    mirrors = text.index("M100 mirror city (neutral by 2035)")
    assert eu < text.index("Suceava") < mirrors < text.index("Orașul Oglindă")
    assert "no inventory against the baseline yet" in text[mirrors:]
    # Suceava: 1 done, 1 in progress (the dropped one apart); 400 000 t in 2019, 300 000 t
    # in 2023: 25 % cut, where the straight path to 2030 cuts 4/11 (36 %) by 2023
    assert "1 done, 1 in progress" in text
    assert "25 % below 2019 (the path to 2030: 36 % by 2023)" in text
    assert "No climate contract published yet." in text  # Cluj-Napoca has none here


def test_the_national_page_compares_one_sector_across_cities(client, db):
    _filled_suceava()  # 100 000 residents; 2023: energy 150 000 t, transport 150 000 t
    cluj = factories.city("cluj-napoca")
    cluj.population = 50_000
    cf.contract("cluj-napoca")
    cf.inventory("cluj-napoca", 2019, ContractSector.TRANSPORT, 100_000)
    cf.inventory("cluj-napoca", 2024, ContractSector.TRANSPORT, 50_000)
    cf.inventory("cluj-napoca", 2024, ContractSector.WASTE, 10_000)
    _db.session.commit()
    english(client)
    text = page(client.get("/contracts"))
    # all sectors: per inhabitant per sector in each city's latest inventory, and the bars
    assert "tCO2e per inhabitant, per sector, in each city's latest inventory" in text
    assert text.count('class="chart-bar"') == 2
    assert "<th scope=\"row\">Suceava</th><td>2023</td><td>1.5</td><td>1.5</td><td>—</td>" in text
    assert "<th scope=\"row\">Cluj-Napoca</th><td>2024</td><td>—</td><td>1</td><td>0.2</td>" in text
    text = page(client.get("/contracts", query_string={"sector": "transport"}))
    assert "Showing the actions, money and emissions of one sector: Transport." in text
    data = client.get("/contracts.json", query_string={"sector": "transport"}).get_json()
    assert data["sector"] == "transport"
    by_slug = {c["slug"]: c for c in data["cities"]}
    # Suceava's transport: the bus action only (done, 500 000 € secured); 200 000 t → 150 000 t
    assert by_slug["suceava"]["actions"] == {"planned": 0, "in_progress": 0, "done": 1,
                                             "dropped": 0}
    assert (by_slug["suceava"]["cost_eur"], by_slug["suceava"]["gap_eur"]) == (500_000, 0)
    assert (by_slug["suceava"]["baseline_tco2e"], by_slug["suceava"]["latest_tco2e"]) == (
        200_000, 150_000)
    assert (by_slug["cluj-napoca"]["baseline_tco2e"], by_slug["cluj-napoca"]["latest_tco2e"]
            ) == (100_000, 50_000)
    # the waste sector: Suceava has no figure, Cluj its 10 000 t
    data = client.get("/contracts.json", query_string={"sector": "waste"}).get_json()
    by_slug = {c["slug"]: c for c in data["cities"]}
    assert by_slug["suceava"]["latest_tco2e"] is None
    assert by_slug["cluj-napoca"]["latest_tco2e"] == 10_000
    # an unknown sector is no filter
    assert client.get("/contracts.json", query_string={"sector": "tourism"}
                      ).get_json()["sector"] is None


def test_the_plan_links_each_action_where_its_route_is(app, client, db):
    """The contract page and a sector's page build the actions' addresses from the
    contract's (once, not one url_for per action): they must be the route's, and the
    progress bars keep their name."""
    _contract, school = _filled_suceava()
    english(client)
    with app.test_request_context():
        from flask import url_for

        expected = url_for("contracts.action", slug="suceava", action_id=school.id)
    for url in ("/cities/suceava/contract", "/cities/suceava/contract/sectors/buildings"):
        text = page(client.get(url))
        assert f'href="{expected}">Renovarea școlilor</a>' in text, url
        assert 'aria-label="Progress of Renovarea școlilor"' in text, url
