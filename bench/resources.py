"""The resources library against a minimal Flask page, served the same way (gunicorn,
loopback, wrk): the library list and the funding list, plain and filtered, with 10,000
knowledge items and 10,000 funding calls (two sectors each, calls with two applicant types).
Prints one JSON line: requests/s, p50/p99, ratios to the minimal page, SQL queries per page at
two sizes (50 then 10,000 items), and the in-process time of the hub's search for items and
for calls (p50/p95 over a set of queries without diacritics).
Aim (issue 16): the lists at a quarter of the minimal page's throughput or better, the
search's p95 under 100 ms.

Measured 2026-12-07 (load 1.8 at the start): the lists at 0.45–0.50 of the minimal page;
the search p50 51 ms, p95 90 ms. Two runs just before, at load 4.4: p95 118–120 ms.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

from common import against_minimal, analyse, query_counts, scratch_app

ITEMS = 10_000
SECTORS = ("energy", "transport", "buildings", "industry", "agriculture")
KINDS = ("guide", "case_study", "template", "report", "dataset", "video")
APPLICANTS = ("municipality", "company", "ngo", "academia", "association")
WORDS = ("clădiri", "renovare", "energie", "transport", "școli", "tramvai", "biciclete",
         "panouri", "fotovoltaice", "eficiență", "agricultură", "industrie")
QUERIES = ("cladiri", "renovare panouri", "eficienta", "tramvai", "fotov", "agricultura",
           "biciclete", "scoli")


def _title(n: int, what: str) -> str:
    return f"{what} {n}: {WORDS[n % 12]} și {WORDS[(n * 7) % 12]}"


def seed(app, first: int, last: int) -> None:
    """Items and calls ``first`` to ``last`` - 1, inserted in bulk."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert, select

    from m100hub.extensions import db
    from m100hub.folding import searchable
    from m100hub.resources.models import (
        CallApplicant,
        CallSector,
        FundingCall,
        Resource,
        ResourceSector,
    )

    now = datetime.now(UTC)
    with app.app_context():
        db.session.execute(insert(Resource), [
            {"kind": KINDS[n % 6], "title": _title(n, "Resursa"), "summary": "Un ghid.",
             "summary_html": "<p>Un ghid.</p>", "url": "https://example.org/r",
             "language": "ro", "tags": "", "cost": "", "result": "", "result_html": "",
             "contact": "", "is_demo": False, "status": "published",
             "search_text": searchable(_title(n, "Resursa"), "Un ghid."), "updated_dt": now,
             "created_dt": now}
            for n in range(first, last)])
        db.session.execute(insert(FundingCall), [
            {"title": _title(n, "Apelul"), "programme": "LIFE", "funder": "CINEA",
             "call_identifier": "", "summary": "", "summary_html": "", "currency": "EUR",
             "deadline_dt": now + timedelta(days=n % 120 - 30), "url": "https://example.org/c",
             "is_example": False, "status": "published", "search_text": searchable(
                 _title(n, "Apelul"), "LIFE", "CINEA"), "updated_dt": now, "created_dt": now}
            for n in range(first, last)])
        resources = db.session.scalars(select(Resource.id).order_by(Resource.id)
                                       .offset(first)).all()
        calls = db.session.scalars(select(FundingCall.id).order_by(FundingCall.id)
                                   .offset(first)).all()
        db.session.execute(insert(ResourceSector), [
            {"resource_id": r, "sector": SECTORS[(r + k) % 5]} for r in resources
            for k in (0, 2)])
        db.session.execute(insert(CallSector), [
            {"call_id": c, "sector": SECTORS[(c + k) % 5]} for c in calls for k in (0, 2)])
        db.session.execute(insert(CallApplicant), [
            {"call_id": c, "applicant": APPLICANTS[(c + k) % 5]} for c in calls for k in (0, 1)])
        db.session.commit()


PAGES = {"resources": "/resources", "resources_filtered": "/resources?kind=guide&sector=energy",
         "funding": "/funding", "funding_open_ngo": "/funding?when=open&applicant=ngo"}


def search_times(app) -> dict:
    """The hub's search (``m100hub.search``), as its page asks it, for library items and for
    funding calls: p50/p95 of the whole search (every source's count, then the page)."""
    from flask_login import AnonymousUserMixin

    from m100hub.features import SearchQuery
    from m100hub.folding import terms
    from m100hub.search.queries import search

    times = []
    with app.test_request_context():
        for _ in range(5):
            for query in QUERIES:
                for kind in ("resources", "funding_calls"):
                    asked = SearchQuery(words=terms(query), viewer=AnonymousUserMixin())
                    start = time.perf_counter()
                    found = search(asked, kind, 1, 20)
                    times.append((time.perf_counter() - start) * 1000)
                    assert found.items, (query, kind)
    times.sort()
    return {"searches": len(times), "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 2)}


def main() -> None:
    app, env, url = scratch_app()
    seed(app, 0, 50)
    small = query_counts(app, PAGES)
    seed(app, 50, ITEMS)
    # the statistics autovacuum would gather after such a load: without them the planner
    # believed ~3 rows published and filtered all 10,000 through to_tsvector (p95 ~210 ms)
    # instead of asking the GIN index (against_minimal analyses too, but after the search)
    analyse(url)
    large = query_counts(app, PAGES)
    seconds = float(os.environ.get("BENCH_SECONDS", "5"))
    results = {"database": url.split(":")[0], "items": ITEMS, "calls": ITEMS,
               "queries_small": small, "queries_large": large, "search": search_times(app),
               **against_minimal(env, PAGES, seconds)}
    print(json.dumps(results, ensure_ascii=False))
    if small != large:
        sys.exit("query counts grow with the data")


if __name__ == "__main__":
    main()
