"""The hub's search over 10,000 items against a minimal Flask page, served the same way
(gunicorn, loopback), with the anonymous page cache off (every request searches).

Seeds 10,000 searchable items across the kinds features declare (forum threads with their
opening post, consultations, proposals, events, experts, requests for expertise), then
measures: each query's latency one request at a time (p50/p95/p99 over ``BENCH_REQUESTS``
requests: aim p95 < 100 ms), wrk's throughput of the search beside the minimal page in the
same run, and the SQL queries per search at two sizes. Prints one JSON line.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from common import against_minimal, analyse, gunicorn, query_counts, scratch_app

#: items per kind (10,000 in all)
PER_KIND = {"threads": 2000, "consultations": 1000, "proposals": 1000, "events": 2000,
            "experts": 2000, "requests": 2000}
#: words that vary from item to item, so that a query finds some and not others
WORDS = ["clădiri", "transport", "energie", "deșeuri", "agricultură", "industrie",
         "școli", "biciclete", "panouri", "termoficare"]
QUERIES = {"common": "cladiri", "two_words": "scoli panouri", "rare": "termoficare 77",
           "filtered": "energie&kind=events&city=suceava", "nothing": "inexistent"}


def _text(n: int) -> tuple[str, str]:
    first, second = WORDS[n % len(WORDS)], WORDS[(n // len(WORDS)) % len(WORDS)]
    return (f"Proiect {first} {n}",
            f"Propunem lucrări pentru {first} și {second}: **{n}** de metri pătrați, "
            "cu finanțare europeană și din bugetul local.")


def _people(db, count: int, now) -> list[int]:
    from sqlalchemy import insert, select

    from m100hub.accounts.models import Sector, User
    from m100hub.accounts.services import current_acceptance

    start = db.session.query(User).count()
    db.session.execute(insert(User), [
        {"display_name": f"Expert {n}", "handle": f"e{n}", "email": f"e{n}@example.ro",
         "password_hash": "x", "sector": Sector.CIVIL, "locale": "ro", "bio": "",
         "email_confirmed_dt": now, "is_admin": False, "is_moderator": False,
         "session_token": f"{n:032d}", "created_dt": now, **current_acceptance()}
        for n in range(start, start + count)])
    return list(db.session.scalars(select(User.id).order_by(User.id.desc()).limit(count)))


def seed(app, scale: float) -> None:
    """``scale`` × PER_KIND items of every kind, in Suceava and Cluj."""
    from sqlalchemy import insert, select

    from m100hub.cities.models import City
    from m100hub.consultations.models import Consultation, Proposal
    from m100hub.events.models import Event
    from m100hub.experts.models import ExpertiseRequest, ExpertProfile
    from m100hub.extensions import db
    from m100hub.folding import fold, searchable
    from m100hub.forums.models import Category, Post, Thread
    from m100hub.text import render_markdown

    sizes = {kind: max(1, int(n * scale)) for kind, n in PER_KIND.items()}
    now = datetime.now(UTC)
    with app.app_context():
        cities = list(db.session.scalars(select(City.id).where(
            City.slug.in_(["suceava", "cluj-napoca"]))))
        category = db.session.scalar(select(Category.id).order_by(Category.id))
        people = _people(db, max(sizes["experts"], sizes["threads"]) + 1, now)
        html = render_markdown(_text(0)[1])

        def folded(model, rows: list[dict]) -> list[dict]:
            """Bulk inserts pass by the ORM's flush: fold as ``Searchable`` would."""
            return [{**row, "search_text": searchable(*(row.get(name)
                                                        for name in model.search_fields))}
                    for row in rows]

        def texts(kind):
            for n in range(sizes[kind]):
                title, body = _text(n)
                yield n, title, body, cities[n % len(cities)]

        threads = db.session.scalars(insert(Thread).returning(Thread.id), folded(Thread, [
            {"category_id": category, "author_id": people[n], "title": title, "city_id": city,
             "tags": [], "post_count": 1, "reply_count": 0, "next_number": 2,
             "last_post_dt": now - timedelta(minutes=n)}
            for n, title, _body, city in texts("threads")])).all()
        db.session.execute(insert(Post), [
            {"thread_id": thread_id, "number": 1, "author_id": people[n], "body": body,
             "body_html": html, "search_text": fold(f"{title}\n{body}"), "reaction_count": 0,
             "report_count": 0, "hidden_reason": "", "created_dt": now}
            for (n, title, body, _city), thread_id in zip(texts("threads"), threads,
                                                         strict=True)])
        consultations = db.session.scalars(insert(Consultation).returning(Consultation.id),
                                           folded(Consultation, [
            {"title": title, "summary": body[:200], "body": body, "body_html": html,
             "city_id": city, "sectors": ["buildings"], "opens_dt": now - timedelta(days=1),
             "closes_dt": now + timedelta(days=10), "announced_dt": now}
            for n, title, body, city in texts("consultations")])).all()
        db.session.execute(insert(Proposal), folded(Proposal, [
            {"consultation_id": consultations[n % len(consultations)], "title": title,
             "body": body, "body_html": html} for n, title, body, _city in texts("proposals")]))
        db.session.execute(insert(Event), folded(Event, [
            {"kind": "workshop", "title": title, "description": body, "description_html": html,
             "city_id": city, "sectors": ["energy"], "starts_dt": now + timedelta(days=n % 60),
             "ends_dt": now + timedelta(days=n % 60, hours=2), "attendance": "online"}
            for n, title, body, city in texts("events")]))
        db.session.execute(insert(ExpertProfile), [
            {"user_id": people[n], "headline": title, "bio": body, "bio_html": html,
             "sectors": ["buildings"], "topics": [], "topics_key": "", "languages": ["ro"],
             "all_cities": True, "listed": n % 10 != 0,
             "search_text": fold(f"Expert {n}\n{title}\n{body}")}
            for n, title, body, _city in texts("experts")])
        db.session.execute(insert(ExpertiseRequest), [
            {"city_id": city, "author_id": people[0], "title": title, "body": body,
             "body_html": html, "sectors": ["energy"], "needed_by": now.date(),
             "search_text": fold(f"{title}\n{body}")}
            for n, title, body, city in texts("requests")])
        db.session.commit()


def paths() -> dict[str, str]:
    return {name: f"/search?q={quote(q.split('&')[0])}" + (
        "&" + q.split("&", 1)[1] if "&" in q else "") for name, q in QUERIES.items()}


def latencies(port: int, path: str, count: int) -> dict:
    """One request at a time: p50/p95/p99 (ms)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    took = []
    for _ in range(count):
        start = time.perf_counter()
        connection.request("GET", path, headers={"Accept-Language": "ro"})
        response = connection.getresponse()
        response.read()
        took.append(time.perf_counter() - start)
        assert response.status == 200, (path, response.status)
    connection.close()  # else gunicorn waits for the idle keep-alive to stop its worker
    took.sort()

    def at(share):
        return round(took[min(len(took) - 1, int(len(took) * share))] * 1000, 1)

    return {"p50_ms": round(statistics.median(took) * 1000, 1), "p95_ms": at(0.95),
            "p99_ms": at(0.99)}


def main() -> None:
    app, env, url = scratch_app()
    env = {**env, "ANONYMOUS_PAGE_SECONDS": "0"}  # every request searches
    # the two sizes both find something for every query (at 100 items some find nothing,
    # and a search without results asks less)
    seed(app, 0.5)
    small = query_counts(app, paths())
    seed(app, 0.5)
    large = query_counts(app, paths())
    analyse(url)
    count = int(os.environ.get("BENCH_REQUESTS", "200"))
    with gunicorn("wsgi:app", env) as port:
        for path in paths().values():
            latencies(port, path, 5)  # warm up
        sequential = {name: latencies(port, path, count) for name, path in paths().items()}
    # printed now too: the figures of the slow part survive a failure of the load test
    print(json.dumps({"queries_small": small, "queries_large": large,
                      "one_at_a_time": sequential}, ensure_ascii=False), flush=True)
    seconds = float(os.environ.get("BENCH_SECONDS", "5"))
    load = against_minimal(env, {"search_common": paths()["common"]}, seconds)
    worst = max(figures["p95_ms"] for figures in sequential.values())
    results = {"database": url.split(":")[0], "items": sum(PER_KIND.values()),
               "queries_small": small, "queries_large": large, "one_at_a_time": sequential,
               "worst_p95_ms": worst, "p95_under_100_ms": worst < 100, **load}
    print(json.dumps(results, ensure_ascii=False))
    if {k: v for k, v in small.items()} != large:
        sys.exit("query counts grow with the data")


if __name__ == "__main__":
    main()
