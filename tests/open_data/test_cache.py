"""The API's answers come from the shared page cache (page_cache.py, ``for_everyone``) for
ANONYMOUS_PAGE_SECONDS, whoever asks: without SQL, with their ETag, Last-Modified, Link and
CORS headers, 304 on conditional requests, each request still counted by the rate limit; a
different query string is a different answer; errors and CSV downloads are never kept."""

from __future__ import annotations

import time
import uuid

from m100hub.cities.models import City, MissionStatus
from m100hub.extensions import db as _db

CITIES = "/api/v1/cities?limit=2"




def _city(name: str) -> City:
    row = City(name=name, slug=f"oras-{uuid.uuid4().hex[:10]}",
               mission_status=MissionStatus.ASPIRING)
    _db.session.add(row)
    _db.session.commit()
    return row


def _rename_first_city(name: str) -> None:
    first = _db.session.query(City).order_by(City.id).first()
    first.name = name
    _db.session.commit()


def _names(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["name"] for item in response.json["items"]]


def test_a_list_is_answered_from_the_cache_without_sql_with_its_headers_until_it_expires(
        app, cached, monkeypatch, client, db, count_queries):
    monkeypatch.setitem(app.config, "ANONYMOUS_PAGE_SECONDS", 2)
    _db.session.commit()
    first = client.get(CITIES)
    assert first.headers["Link"].endswith('rel="next"')
    _rename_first_city("Nume nou")
    with count_queries() as counter:
        again = client.get(CITIES, headers={"Origin": "https://date.example.org"})
    assert counter.count == 0, counter
    assert again.get_data() == first.get_data()  # two seconds late at most
    assert "Nume nou" not in _names(again)
    for header in ("ETag", "Last-Modified", "Link", "Content-Type", "Cache-Control"):
        assert again.headers[header] == first.headers[header], header
    assert again.headers["Cache-Control"] == "public, no-cache"  # clients revalidate
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in again.headers["Access-Control-Expose-Headers"]
    time.sleep(2.1)
    assert "Nume nou" in _names(client.get(CITIES))


def test_a_conditional_request_is_answered_304_from_the_cache(cached, client, db,
                                                              count_queries):
    _db.session.commit()
    first = client.get(CITIES)
    with count_queries() as counter:
        by_tag = client.get(CITIES, headers={"If-None-Match": first.headers["ETag"]})
        by_date = client.get(CITIES, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert counter.count == 0, counter
    assert by_tag.status_code == by_date.status_code == 304
    assert by_tag.get_data() == b"" and by_tag.headers["ETag"] == first.headers["ETag"]
    assert by_tag.headers["Access-Control-Allow-Origin"] == "*"


def test_the_rate_limit_counts_answers_from_the_cache(make_app, db, count_queries):
    app = make_app(RATE_LIMIT_API="3 per minute", ANONYMOUS_PAGE_SECONDS=30)
    client = app.test_client()
    _db.session.commit()
    here = {"REMOTE_ADDR": "192.0.2.20"}
    assert client.get(CITIES, environ_base=here).status_code == 200
    with count_queries() as counter:
        codes = [client.get(CITIES, environ_base=here).status_code for _ in range(3)]
    assert counter.count == 0, counter  # the two allowed ones came from the cache
    assert codes == [200, 200, 429]
    refused = client.get(CITIES, environ_base=here)
    assert refused.status_code == 429 and refused.json["code"] == 429
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get(CITIES, environ_base={"REMOTE_ADDR": "192.0.2.21"}).status_code == 200


def test_another_query_string_is_another_answer(cached, client, db):
    _city("Al treilea")
    _city("Al patrulea")
    two = _names(client.get("/api/v1/cities?limit=2"))
    three = _names(client.get("/api/v1/cities?limit=3"))
    assert len(two) == 2 and len(three) == 3
    # the first value of a name is the one read: the order of its values is part of the key
    assert len(_names(client.get("/api/v1/cities?limit=3&limit=2"))) == 3
    assert len(_names(client.get("/api/v1/cities?limit=2&limit=3"))) == 2
    _rename_first_city("Nume nou")
    assert "Nume nou" not in _names(client.get("/api/v1/cities?limit=2"))  # as filed
    assert "Nume nou" in _names(client.get("/api/v1/cities?limit=2&mission_status=eu_mission"))
    assert "Nume nou" in _names(client.get("/api/v1/cities?limit=4"))


def test_errors_and_csv_downloads_are_never_kept(cached, client, db):
    slug = f"oras-{uuid.uuid4().hex[:10]}"
    assert client.get(f"/api/v1/cities/{slug}").status_code == 404
    assert client.get("/api/v1/cities?limit=0").status_code == 422
    _db.session.add(City(name="Orașul nou", slug=slug, mission_status=MissionStatus.ASPIRING))
    _db.session.commit()
    found = client.get(f"/api/v1/cities/{slug}")
    assert found.status_code == 200 and found.json["name"] == "Orașul nou"
    assert found.headers["ETag"] and found.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/api/v1/cities?limit=0").status_code == 422
    assert "Orașul nou" in client.get("/api/v1/cities.csv").get_data(as_text=True)
    _rename_first_city("Nume din CSV")
    assert "Nume din CSV" in client.get("/api/v1/cities.csv").get_data(as_text=True)


def test_readers_with_a_session_share_the_answers_and_keep_them_private(
        cached, client, db, login_as, count_queries):
    """The answer depends on nobody: a signed-in reader's request files it for everyone and
    is served what a visitor's filed, only told not to keep it (a cookie may go with it)."""
    login_as("admin")
    signed_in = client.get(CITIES)
    assert signed_in.headers["Cache-Control"] == "private, no-store"
    visitor = client.application.test_client()
    with count_queries() as counter:
        shared = visitor.get(CITIES)
    assert counter.count == 0, counter
    assert shared.get_data() == signed_in.get_data()
    assert shared.headers["Cache-Control"] == "public, no-cache"


def test_processes_sharing_redis_share_the_answers_with_their_headers(
        make_app, db, redis_url, count_queries):
    import redis

    prefix = f"m100test-{uuid.uuid4().hex}:"
    try:
        first, second = (make_app(USE_REDIS=True, REDIS_URL=redis_url, CACHE_KEY_PREFIX=prefix,
                                  ANONYMOUS_PAGE_SECONDS=30).test_client() for _ in range(2))
        _db.session.commit()
        filed = first.get(CITIES)
        with count_queries() as counter:
            served = second.get(CITIES)
        assert counter.count == 0, counter
        assert served.get_data() == filed.get_data()
        for header in ("ETag", "Last-Modified", "Link"):
            assert served.headers[header] == filed.headers[header], header
    finally:
        store = redis.Redis.from_url(redis_url)
        for key in store.scan_iter(match=f"{prefix}*"):
            store.delete(key)
