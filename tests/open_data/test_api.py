"""The open-data API over HTTP: keyset pages and their links, filters, conditional requests
(ETag, Last-Modified, 304), CORS for reading, the per-client rate limit, JSON errors, and that
nothing personal or secret leaks (ballots, voters, e-mail addresses, meeting links, drafts,
results not yet public)."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta

from m100hub.activity.models import ActivityEntry
from m100hub.cities.models import City, MissionStatus
from m100hub.contracts.models import ActionStatus, ContractSector
from m100hub.database import utcnow
from m100hub.extensions import db as _db
from m100hub.resources.models import Curation
from tests.support import consultation_factories as cons
from tests.support import contracts as cf
from tests.support import event_factories as ev
from tests.support import factories


def _get(client, url, **headers):
    _db.session.commit()
    return client.get(url, headers=headers)


def _items(client, url) -> list[dict]:
    response = _get(client, url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["items"]


_made = itertools.count(1)


def _cities(count: int, status=MissionStatus.ASPIRING) -> list[int]:
    numbers = [next(_made) for _ in range(count)]
    rows = [City(name=f"Orașul API {n}", slug=f"oras-api-{n}", mission_status=status)
            for n in numbers]
    _db.session.add_all(rows)
    _db.session.flush()
    return [row.id for row in rows]


def test_a_list_pages_by_key_with_next_links_until_every_row_is_seen_once(client, db):
    made = _cities(7)
    seen, url, pages = [], "/api/v1/cities?limit=3&mission_status=aspiring", 0
    while url:
        response = _get(client, url)
        assert response.status_code == 200
        body = response.json
        seen += [item["id"] for item in body["items"]]
        assert len(body["items"]) <= 3
        if body["next"]:
            assert response.headers["Link"] == f'<{body["next"]}>; rel="next"'
            assert "mission_status=aspiring" in body["next"]
        else:
            assert "Link" not in response.headers
        url, pages = body["next"], pages + 1
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert set(made) <= set(seen)
    assert pages == -(-len(seen) // 3)


def test_a_page_stays_stable_when_rows_are_added_before_it(client, db):
    _cities(4)
    first = _get(client, "/api/v1/cities?limit=2").json
    _cities(3, MissionStatus.M100_MIRROR)  # new rows get higher keys: they come last
    following = _items(client, first["next"])
    assert following[0]["id"] > first["items"][-1]["id"]
    assert [c["id"] for c in following] == sorted(c["id"] for c in following)


def test_filters_narrow_every_list(client, db):
    cluj = factories.city("cluj-napoca")
    cons.consultation("open", city_slug="cluj-napoca", sectors=["energy"], title="Cluj energie")
    cons.consultation("closed", city_slug="suceava", sectors=["transport"], title="Suceava trans")
    ev.event(city_slug="cluj-napoca", kind="webinar", title="Webinar Cluj")
    ev.event(city_slug="suceava", title="Atelier Suceava", starts_in=timedelta(days=40))
    contract = cf.contract("cluj-napoca")
    cf.action(contract, title="Panouri", sector=ContractSector.ENERGY)
    cf.action(contract, title="Piste", sector=ContractSector.TRANSPORT,
              status=ActionStatus.DONE, progress=100)
    cf.inventory("cluj-napoca", year=2019)
    cf.inventory("cluj-napoca", year=2024)
    titles = lambda url: {i.get("title") for i in _items(client, url)}  # noqa: E731
    assert titles("/api/v1/consultations?city=cluj-napoca") == {"Cluj energie"}
    assert titles("/api/v1/consultations?sector=transport&phase=closed") >= {"Suceava trans"}
    assert "Cluj energie" not in titles("/api/v1/consultations?phase=closed")
    assert titles("/api/v1/events?city=cluj-napoca&kind=webinar") == {"Webinar Cluj"}
    soon = (utcnow() + timedelta(days=30)).isoformat()
    assert "Atelier Suceava" not in titles(f"/api/v1/events?starts_before={soon}".replace(
        "+", "%2B"))
    assert titles("/api/v1/actions?city=cluj-napoca&sector=energy") == {"Panouri"}
    assert titles("/api/v1/actions?city=cluj-napoca&status=done") == {"Piste"}
    years = [i["year"] for i in _items(client, "/api/v1/inventories?city=cluj-napoca"
                                               "&year_from=2020")]
    assert years == [2024]
    assert _items(client, "/api/v1/contracts?city=cluj-napoca")[0]["city"] == cluj.slug
    assert _items(client, "/api/v1/cities?mission_status=eu_mission")
    assert _items(client, "/api/v1/consultations?city=nowhere") == []


def test_a_contract_lists_its_actions_with_their_funding(client, db):
    contract = cf.contract("suceava")
    action = cf.action(contract, title="Renovarea școlilor", cost=1_000_000)
    cf.funding(action, programme="PNRR", secured=600_000, sought=100_000)
    body = _get(client, "/api/v1/cities/suceava/contract").json
    assert body["target_year"] == 2030 and body["city"] == "suceava"
    [item] = _items(client, "/api/v1/actions?city=suceava")
    assert item["cost_eur"] == 1_000_000 and item["city"] == "suceava"
    assert item["funding"] == [{"source_kind": "eu_programme", "programme": "PNRR",
                                "secured_eur": 600_000, "sought_eur": 100_000}]
    assert _get(client, "/api/v1/cities/cluj-napoca/contract").status_code == 404


def test_a_repeated_request_is_answered_304_by_etag_and_by_date(client, db):
    _cities(2)
    first = _get(client, "/api/v1/cities")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = _get(client, "/api/v1/cities", **{"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    dated = _get(client, "/api/v1/cities", **{"If-Modified-Since": modified})
    assert dated.status_code == 304
    _cities(1, MissionStatus.M100_MIRROR)
    changed = _get(client, "/api/v1/cities", **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    head = _get(client, "/api/v1/cities", **{"If-None-Match": changed.headers["ETag"]})
    assert head.status_code == 304


def test_cors_lets_any_site_read_and_nothing_else(client, db):
    response = _get(client, "/api/v1/cities", Origin="https://date.example.org")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options("/api/v1/events", headers={
        "Origin": "https://date.example.org", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert client.post("/api/v1/cities").status_code == 405
    assert client.delete("/api/v1/events").status_code == 405
    assert "Access-Control-Allow-Origin" not in client.get("/cities").headers


def test_bad_arguments_get_a_json_422_and_unknown_rows_a_json_404(client, db):
    for url in ("/api/v1/cities?limit=0", "/api/v1/cities?limit=101", "/api/v1/events?after=x",
                "/api/v1/actions?sector=space", "/api/v1/events?starts_from=yesterday",
                "/api/v1/inventories?year_from=1800"):
        response = _get(client, url)
        assert response.status_code == 422, url
        assert response.json["code"] == 422 and response.json["errors"], url
    missing = _get(client, "/api/v1/events/2147483647")
    assert missing.status_code == 404 and missing.json["code"] == 404
    assert _get(client, "/api/v1/cities/nowhere").json["status"] == "Not Found"
    assert _get(client, "/api/v1/cities/Y:@").json["code"] == 404  # matches no route
    # the site's own pages keep their HTML error page
    assert "text/html" in _get(client, "/events/2147483647").content_type


def test_the_rate_limit_counts_per_client_address(make_app, db):
    app = make_app(RATE_LIMIT_API="3 per minute")
    client = app.test_client()
    _db.session.commit()
    here = {"REMOTE_ADDR": "192.0.2.10"}
    codes = [client.get("/api/v1/cities", environ_base=here).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.get("/api/v1/events", environ_base=here)
    assert refused.status_code == 429 and refused.json["code"] == 429
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    other = client.get("/api/v1/cities", environ_base={"REMOTE_ADDR": "192.0.2.11"})
    assert other.status_code == 200


def _everything(client) -> str:
    """Every list and every item of the API, as one text."""
    texts = []
    for path in ("cities", "contracts", "actions", "inventories", "consultations", "events",
                 "activity"):
        body = _get(client, f"/api/v1/{path}?limit=100").json
        texts.append(json.dumps(body))
        for item in body["items"]:
            if path in ("consultations", "events"):
                texts.append(_get(client, f"/api/v1/{path}/{item['id']}").get_data(as_text=True))
            if path == "consultations" and item["results"]:
                texts.append(_get(client, item["results"]).get_data(as_text=True))
    return "\n".join(texts)


def test_no_ballot_voter_address_meeting_link_draft_or_hidden_result_leaks(client, db):
    voter = factories.person(name="Votanta Secretă", email="votanta@example.ro")
    published = cons.consultation("published", title="Publicată")
    cons.vote(voter, published, cons.questions_of(published)[0], 0)
    running = cons.consultation("open", title="În desfășurare")
    cons.vote(voter, running, cons.questions_of(running)[0], 1)
    cons.consultation("draft", title="Ciornă secretă")
    organiser = factories.person("admin", name="Organizatoare", email="org@example.ro")
    event = ev.event(organiser, attendance="hybrid", online_url="https://meet.example.ro/tainic")
    ev.register(voter, event)
    _db.session.add(ActivityEntry(actor_id=organiser.id, verb="event.cancelled",
                                  target_type="events", target_id=event.id,
                                  target_label=event.title, reason="Ploaie"))
    text = _everything(client)
    for secret in ("Votanta Secretă", "votanta@example.ro", "org@example.ro", "meet.example.ro",
                   "Ciornă secretă", "password", "choice_key", "online_url", "email"):
        assert secret not in text, secret
    listed = {c["title"]: c for c in _items(client, "/api/v1/consultations?limit=100")}
    assert listed["Publicată"]["results"] and listed["În desfășurare"]["results"] is None
    assert _get(client, f"/api/v1/consultations/{running.id}/results").status_code == 404
    results = _get(client, listed["Publicată"]["results"]).json
    assert results["questions"][0]["ballots"] == 1
    assert "Organizatoare" in text  # a public name, as the log's page shows it
    [entry] = [e for e in _items(client, "/api/v1/activity") if e["verb"] == "event.cancelled"]
    assert entry["actor"] == "Organizatoare" and entry["reason"] == "Ploaie"


def test_every_list_downloads_as_csv_with_its_filters_in_batches(client, db, monkeypatch):
    import csv
    import io

    from m100hub import open_data

    monkeypatch.setattr(open_data, "CSV_BATCH", 2)  # several batches from a few rows
    made = _cities(5)
    response = _get(client, "/api/v1/cities.csv?mission_status=aspiring")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [int(r["id"]) for r in rows][-5:] == made
    assert {r["mission_status"] for r in rows} == {"aspiring"}
    contract = cf.contract("suceava")
    cf.funding(cf.action(contract, title="=HYPERLINK(1)"), programme="PNRR")
    [action] = csv.DictReader(io.StringIO(_get(client, "/api/v1/actions.csv?city=suceava")
                                          .get_data(as_text=True)))
    assert action["title"] == "'=HYPERLINK(1)"  # never a formula in a spreadsheet
    assert json.loads(action["funding"])[0]["programme"] == "PNRR"
    cons.consultation("open", sectors=["energy", "transport"], title="Două sectoare")
    [row] = [r for r in csv.DictReader(io.StringIO(_get(client, "/api/v1/consultations.csv")
                                                   .get_data(as_text=True)))
             if r["title"] == "Două sectoare"]
    assert row["sectors"] == "energy; transport"
    assert _get(client, "/api/v1/events.csv?kind=party").status_code == 422
    for path in ("contracts", "inventories", "events", "activity"):
        assert _get(client, f"/api/v1/{path}.csv").status_code == 200, path


def test_each_list_page_links_its_data_as_csv_and_json_with_its_filters(client, db):
    client.set_cookie("lang", "en")
    pages = {
        "/consultations?city=suceava&sector=energy&phase=open":
            "/api/v1/consultations{ext}?phase=open&amp;city=suceava&amp;sector=energy",
        "/events?city=suceava&kind=webinar": "/api/v1/events{ext}?city=suceava&amp;kind=webinar",
        "/cities": "/api/v1/cities{ext}", "/activity": "/api/v1/activity{ext}",
        "/contracts": "/contracts{ext}",
    }
    for page, data in pages.items():
        text = _get(client, page).get_data(as_text=True)
        for ext, label in ((".csv", "Download CSV"), (".json" if page == "/contracts" else "",
                                                      "Open data (JSON)")):
            assert f'href="{data.format(ext=ext)}"' in text, (page, ext)
            assert label in text
        for ext in (".csv", ".json" if page == "/contracts" else ""):
            url = data.format(ext=ext).replace("&amp;", "&")
            assert _get(client, url).status_code == 200, url


def test_answers_are_public_to_caches_unless_a_session_came_with_the_request(client, db,
                                                                            login_as):
    assert _get(client, "/api/v1/cities").headers["Cache-Control"] == "public, no-cache"
    login_as("citizen")
    signed_in = _get(client, "/api/v1/cities")
    assert signed_in.headers["Cache-Control"] == "private, no-store"
    assert signed_in.status_code == 200 and "ETag" in signed_in.headers


def test_every_role_reads_what_a_visitor_reads(client, db, login_as):
    """The API answers the same to everyone: an admin or the city's official signed in sees
    no draft and no result that is not public yet (nor a running tally)."""
    cons.consultation("draft", title="Ciornă a primăriei")
    running = cons.consultation("open", title="Vot în curs")
    visitor = _items(client, "/api/v1/consultations?limit=100")
    for role in ("citizen", "official", "moderator", "admin"):
        login_as(role)
        seen = _items(client, "/api/v1/consultations?limit=100")
        assert seen == visitor, role
        assert "Ciornă a primăriei" not in {c["title"] for c in seen}
        assert _get(client, f"/api/v1/consultations/{running.id}/results").status_code == 404


def test_the_library_lists_published_items_and_calls_with_their_filters(client, db):
    """Knowledge items, good practices and funding calls: only published ones, never who
    suggested them; filters by kind, sector, city, status and applicant."""
    from tests.support import resources as rf

    author = factories.user(email="autoare@example.ro")
    guide = rf.item(title="Ghid pentru clădiri", city_slugs=("suceava",), author=author)
    practice = rf.practice("cluj-napoca", sectors=("transport",))
    rf.item(title="Ghid în așteptare", status=Curation.PENDING)
    grant = rf.call(title="Renovarea clădirilor", sectors=("buildings",))
    rf.call(title="Apel închis", deadline_in=timedelta(days=-1), applicants=("ngo",))
    rf.call(title="Apel în așteptare", status=Curation.PENDING)
    _db.session.commit()
    assert [i["id"] for i in _items(client, "/api/v1/resources")] == [guide.id, practice.id]
    body = _get(client, f"/api/v1/resources/{guide.id}").get_data(as_text=True)
    assert "autoare@example.ro" not in body and "suggested" not in body
    assert _get(client, f"/api/v1/resources/{guide.id}").json["cities"] == ["suceava"]
    assert [i["id"] for i in _items(client, "/api/v1/resources?sector=transport")] == [
        practice.id]
    assert [i["id"] for i in _items(client, "/api/v1/resources?city=suceava")] == [guide.id]
    assert [i["id"] for i in _items(client, "/api/v1/resources?kind=good_practice")] == [
        practice.id]
    calls = _items(client, "/api/v1/funding-calls?status=open")
    assert [(c["id"], c["status"], c["sectors"]) for c in calls] == [
        (grant.id, "open", ["buildings"])]
    assert [c["title"] for c in _items(client, "/api/v1/funding-calls?applicant=ngo")] == [
        "Apel închis"]
    assert _get(client, "/api/v1/funding-calls/999999").status_code == 404
