"""The open-data API against a minimal Flask page, served the same way (gunicorn, loopback,
wrk): a page of 50 cities, of 50 actions with their funding lines, and of the activity log,
with 100 cities whose contracts hold 500 actions each (bench/cities.py's data). Prints one
JSON line: requests/s, p50/p99, ratios to the minimal page, and SQL queries per request at
two sizes (5 cities × 10 actions, then the full size). Rate limits are off (bench_env).
"""

from __future__ import annotations

import json
import os
import sys

from cities import ACTIONS, CITIES, seed
from common import against_minimal, query_counts, scratch_app


def pages() -> dict[str, str]:
    return {"api_cities": "/api/v1/cities?limit=50",
            "api_actions": "/api/v1/actions?limit=50&sector=energy",
            "api_activity": "/api/v1/activity?limit=50"}


def main() -> None:
    app, env, url = scratch_app()
    seed(app, 5, 10, "mic")
    small = query_counts(app, pages())
    seed(app, CITIES - 5, ACTIONS, "mare")
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
