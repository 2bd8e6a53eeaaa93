"""The open-data API against a minimal Flask page, served the same way (gunicorn, loopback,
wrk): a page of 50 of every list — cities, actions with their funding lines, the activity
log, consultations, events, knowledge items and funding calls — with 100 cities whose
contracts hold 500 actions each (bench/cities.py's data), 2,000 consultations, proposals and
events (bench/search.py's) and 10,000 items and calls (bench/resources.py's). Prints one JSON
line: requests/s, p50/p99, ratios to the minimal page (aim, issue 16: a quarter or better),
and SQL queries per request at two sizes (the small seeds, then the full size). Rate limits
are off (bench_env).
"""

from __future__ import annotations

import json
import os
import sys

from cities import ACTIONS, CITIES, seed
from common import against_minimal, query_counts, scratch_app
from resources import ITEMS
from resources import seed as seed_library
from search import seed as seed_hub

#: bench/search.py's items at this scale (consultations, proposals: 200; events: 400 …)
HUB_SCALE = 0.2


def pages() -> dict[str, str]:
    return {"api_cities": "/api/v1/cities?limit=50",
            "api_actions": "/api/v1/actions?limit=50&sector=energy",
            "api_activity": "/api/v1/activity?limit=50",
            "api_consultations": "/api/v1/consultations?limit=50",
            "api_events": "/api/v1/events?limit=50",
            "api_resources": "/api/v1/resources?limit=50",
            "api_funding_calls": "/api/v1/funding-calls?limit=50"}


def main() -> None:
    app, env, url = scratch_app()
    seed(app, 5, 10, "mic")
    seed_hub(app, 0.005)
    seed_library(app, 0, 50)
    small = query_counts(app, pages())
    seed(app, CITIES - 5, ACTIONS, "mare")
    seed_hub(app, HUB_SCALE)
    seed_library(app, 50, ITEMS)
    large = query_counts(app, pages())
    seconds = float(os.environ.get("BENCH_SECONDS", "5"))
    results = {"database": url.split(":")[0], "cities": CITIES, "actions_per_city": ACTIONS,
               "queries_small": small, "queries_large": large,
               **against_minimal(env, pages(), seconds)}
    print(json.dumps(results, ensure_ascii=False))
    if small != large:
        sys.exit("query counts grow with the data")


if __name__ == "__main__":
    main()
