"""Signed-in and anonymous pages against two yardsticks, measured with wrk (-t2 -c8) against
gunicorn (2 workers × 4 threads) on PostgreSQL: a minimal Flask page and a Flask page
rendering a 20-item Jinja list, served the same way and measured in alternation with each
page, so that the shared machine's changes of speed weigh on both sides of the ratio.

Seeds 20 threads × 500 posts and the demo data (consultations, events, people); signs in a
demo citizen through the real sign-in form. Prints one JSON line.
Aim (issue 10): each signed-in page at ≥ 0.25 of the 20-item list.
2026-12-07 (ratios: the median of five rounds): signed in, thread 353.2 req/s (0.283 of the
list page), consultation 388.1 (0.272), event 417.7 (0.330); anonymous 2.7–3.1× the list.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import statistics
import sys
from http.cookies import SimpleCookie
from pathlib import Path

from common import WRK, analyse, gunicorn, page_cache_used, scratch_app, wrk_figures, wrk_round
from forums import seed as seed_forums

#: alternations of the page and the yardsticks; the ratio is their rounds' median
ROUNDS = 5
CITIZEN = "cetatean@m100.demo"


def seed(app) -> tuple[dict[str, str], str]:
    """(name → path, the citizen's password)."""
    from sqlalchemy import select

    from m100hub.consultations.models import Consultation
    from m100hub.database import utcnow
    from m100hub.events.models import Event
    from m100hub.extensions import db
    from m100hub.features import DemoData, registry

    thread = seed_forums(app, 20, 500, 200, "cladiri")[1]
    with app.app_context():
        demo = DemoData()
        registry().seed_demo(demo)
        db.session.commit()
        consultation = db.session.scalar(select(Consultation.id).where(
            Consultation.opens_dt < utcnow(), Consultation.closes_dt > utcnow()))
        event = db.session.scalar(select(Event.id).where(Event.starts_dt > utcnow())
                                  .order_by(Event.capacity.is_(None), Event.id))
    password = dict(demo.passwords)[CITIZEN]
    return {"thread": thread, "consultation": f"/consultations/{consultation}",
            "event": f"/events/{event}"}, password


def _request(port: int, method: str, path: str, cookie: str = "", body: str = ""):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": cookie, "Accept-Language": "ro"}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    return response, response.read().decode()


def _cookies(response, jar: dict) -> str:
    for header in response.headers.get_all("Set-Cookie") or []:
        for name, morsel in SimpleCookie(header).items():
            jar[name] = morsel.value
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def sign_in(port: int, password: str) -> str:
    """The session cookie of the citizen, signed in by the form (as wrk sends no User-Agent,
    neither does this: strong session protection sees the same client)."""
    from urllib.parse import urlencode

    jar: dict = {}
    response, page = _request(port, "GET", "/login")
    cookie = _cookies(response, jar)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response, _ = _request(port, "POST", "/login", cookie, urlencode(
        {"csrf_token": token, "email": CITIZEN, "password": password}))
    assert response.status in (302, 303), response.status
    cookie = _cookies(response, jar)
    response, page = _request(port, "GET", "/", cookie)  # takes the welcome flash away
    assert "/logout" in page, "not signed in"
    return _cookies(response, jar)


def _median_ratio(page: list[dict], yardstick: list[dict]) -> float:
    """The median over the rounds of the page's requests/s over the yardstick's measured
    right after it: a burst of the shared machine's other work (seconds long, a third of the
    throughput) weighs on one round's ratio, not on the figure."""
    def speed(run: dict) -> float:
        return run["requests"] / run["duration_us"]

    return round(statistics.median(speed(p) / speed(y) for p, y in zip(page, yardstick,
                                                                       strict=True)), 3)


def main() -> None:
    app, env, url = scratch_app()
    pages, password = seed(app)
    analyse(url)
    each = max(1, round(float(os.environ.get("BENCH_SECONDS", "15")) / ROUNDS))
    minimal_env = {**env, "PYTHONPATH": str(Path(__file__).parent)}
    results: dict = {"database": url.split(":")[0], "threads": 20, "posts_per_thread": 500,
                     "load": f"wrk {' '.join(WRK)}", "page_cache": page_cache_used(env)}
    with gunicorn("minimal_app:app", minimal_env) as minimal, gunicorn("wsgi:app", env) as hub:
        cookie = sign_in(hub, password)
        for name, path in pages.items():
            for who, headers in (("signed_in", {"Cookie": cookie}), ("anonymous", {})):
                runs: dict[str, list[dict]] = {"page": [], "list": [], "minimal": []}
                for _ in range(ROUNDS):
                    runs["page"].append(wrk_round(hub, path, each, headers))
                    runs["list"].append(wrk_round(minimal, "/list", each))
                    runs["minimal"].append(wrk_round(minimal, "/", each))
                figures = {side: wrk_figures(found) for side, found in runs.items()}
                page = figures["page"]
                results[f"{name}_{who}"] = {
                    **page, "list_requests_per_s": figures["list"]["requests_per_s"],
                    "minimal_requests_per_s": figures["minimal"]["requests_per_s"],
                    "ratio_to_list": _median_ratio(runs["page"], runs["list"]),
                    "ratio_to_minimal": _median_ratio(runs["page"], runs["minimal"])}
    print(json.dumps(results, ensure_ascii=False))
    short = [k for k, v in results.items() if k.endswith("_signed_in") and v["errors"]]
    if short:
        sys.exit(f"errors on {short}")


if __name__ == "__main__":
    main()
