"""Replies in a thread that 5,000 people follow: how long the reply takes over HTTP, and how
long until every follower's notification is written.

Seeds 5,000 followers of one thread (the author among them) and a replier, serves the hub
with gunicorn (2 workers × 4 threads) on loopback and, when Redis answers at BENCH_REDIS_URL,
runs a Celery worker (threads pool, 2) as `make worker` would; without Redis tasks run in the
web process (eager). Then:

(a) REPLIES replies one after another, each followed by one in a thread that only its author
    follows (the same request with nothing to fan out, measured in the same run: figures
    drift on a shared machine): p50 and max latency (ms) of each;
(b) CONCURRENT replies at once: the slowest one (ms);
(c) for all of them, the seconds from the first reply until every follower's notification
    is written ("fanned_out_s"), and whether each follower got exactly one per reply.

Prints one JSON line. Aim (issue 12 #6): a reply under 100 ms whatever the followers.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from urllib.parse import urlencode

from common import BIN, ROOT, gunicorn, scratch_app, sessions

FOLLOWERS = int(os.environ.get("BENCH_FOLLOWERS", "5000"))
REPLIES = int(os.environ.get("BENCH_REPLIES", "10"))
CONCURRENT = int(os.environ.get("BENCH_CONCURRENT", "10"))
AGENT = "m100-bench"


def seed(app) -> tuple[int, int, int, list[int]]:
    """(thread id, quiet thread id, replier id, follower ids): people in one INSERT, the
    threads by their author through the service, the follows in one INSERT."""
    from sqlalchemy import insert, select

    from m100hub.accounts.models import Sector, User
    from m100hub.accounts.services import current_acceptance
    from m100hub.extensions import db
    from m100hub.forums.models import Category, Subscription
    from m100hub.forums.services import create_thread

    now = datetime.now(UTC)
    with app.test_request_context(method="POST"):
        db.session.execute(insert(User), [
            {"display_name": f"Urmăritor {n}", "handle": f"urmaritor{n}",
             "email": f"u{n}@example.ro", "password_hash": "x", "sector": Sector.CITIZEN,
             "locale": "ro", "bio": "", "email_confirmed_dt": now, "is_admin": False,
             "is_moderator": False, "session_token": f"{n:032d}", "created_dt": now,
             **current_acceptance()}
            for n in range(FOLLOWERS + 1)])
        people = list(db.session.scalars(select(User.id).order_by(User.id)))
        author, replier, others = people[0], people[-1], people[1:FOLLOWERS]
        category = db.session.scalar(select(Category).where(Category.slug == "general"))
        thread, _ = create_thread(db.session.get(User, author), category,
                                  "Renovarea blocurilor", "Cine urmărește subiectul?")
        quiet, _ = create_thread(db.session.get(User, others[0]), category,
                                 "Un subiect liniștit", "Doar autorul îl urmărește.")
        db.session.execute(insert(Subscription), [
            {"user_id": person, "thread_id": thread.id, "created_dt": now} for person in others])
        db.session.commit()
        return thread.id, quiet.id, replier, [author, *others]


def post_reply(port: int, thread_id: int, cookie: tuple[str, str], cookie_name: str,
               text: str) -> tuple[float, int | str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    body = urlencode({"csrf_token": cookie[1], "body": text})
    started = time.perf_counter()
    connection.request("POST", f"/forums/t/{thread_id}/reply", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "User-Agent": AGENT,
        "Cookie": f"{cookie_name}={cookie[0]}"})
    response = connection.getresponse()
    elapsed = time.perf_counter() - started
    connection.close()
    # a reply lands on its thread; a 303 anywhere else (the terms to accept, the sign-in
    # page) wrote nothing and must not count as one
    landed = (response.getheader("Location") or "").split("?")[0].split("#")[0]
    thread_path = f"/forums/t/{thread_id}"
    landed_on_thread = landed.endswith(thread_path) or f"{thread_path}/" in landed
    return elapsed, response.status if landed_on_thread else f"{response.status} → {landed}"


def at_once(port, thread_id, cookie, cookie_name) -> list[tuple[float, int]]:
    barrier, results = threading.Barrier(CONCURRENT), []

    def one(i: int) -> None:
        barrier.wait()
        results.append(post_reply(port, thread_id, cookie, cookie_name, f"Împreună {i}."))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(CONCURRENT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def told(app, thread_id: int, followers: list[int]) -> tuple[int, bool]:
    """(reply notifications about the thread written, whether each follower has one per
    reply)."""
    from sqlalchemy import func, select

    from m100hub.extensions import db
    from m100hub.notifications.models import Notification

    with app.app_context():
        per_person = dict(db.session.execute(
            select(Notification.recipient_id, func.count())
            .where(Notification.kind == "forum_reply",
                   Notification.payload["thread_id"].as_integer() == thread_id)
            .group_by(Notification.recipient_id)).all())
        db.session.remove()
    expected = REPLIES + CONCURRENT
    return sum(per_person.values()), all(per_person.get(p) == expected for p in followers)


def wait_told(app, thread_id, followers, started: float, timeout: float = 600) -> float | None:
    target = len(followers) * (REPLIES + CONCURRENT)
    while time.perf_counter() - started < timeout:
        if told(app, thread_id, followers)[0] >= target:
            return time.perf_counter() - started
        time.sleep(0.25)
    return None


def worker(env: dict) -> subprocess.Popen | None:
    if env["USE_REDIS"] != "1":
        return None
    return subprocess.Popen(
        [str(BIN / "celery"), "-A", "celery_worker", "worker", "--pool=threads",
         "--concurrency=2", "--loglevel=WARNING"], cwd=ROOT, env=env)


def main() -> None:
    os.environ.setdefault("BENCH_DATABASE_NAME", "m100_bench_fanout")
    app, env, url = scratch_app()
    thread_id, quiet_id, replier, followers = seed(app)
    cookie = sessions(app, [replier], AGENT)[0]
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    celery = worker(env)
    try:
        with gunicorn("wsgi:app", env, up_timeout=120) as port:
            started = time.perf_counter()
            one_by_one, unfollowed = [], []
            for i in range(REPLIES):
                one_by_one.append(post_reply(port, thread_id, cookie, cookie_name, f"R {i}."))
                unfollowed.append(post_reply(port, quiet_id, cookie, cookie_name, f"R {i}."))
            together = at_once(port, thread_id, cookie, cookie_name)
            fanned_out = wait_told(app, thread_id, followers, started)
    finally:
        if celery is not None:
            celery.terminate()
            celery.wait(timeout=30)
    latencies = [seconds for seconds, _ in one_by_one]
    quiet = [seconds for seconds, _ in unfollowed]
    written, exact = told(app, thread_id, followers)
    print(json.dumps({
        "database": url.split(":")[0], "celery": "worker" if celery else "eager",
        "followers": len(followers),
        "reply_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "reply_max_ms": round(max(latencies) * 1000, 1),
        "reply_without_followers_p50_ms": round(statistics.median(quiet) * 1000, 1),
        "reply_without_followers_max_ms": round(max(quiet) * 1000, 1),
        "concurrent_replies": CONCURRENT,
        "concurrent_slowest_ms": round(max(s for s, _ in together) * 1000, 1),
        "statuses": sorted({status for _, status in one_by_one + unfollowed + together}),
        "fanned_out_s": round(fanned_out, 2) if fanned_out is not None else None,
        "notifications_written": written, "each_follower_once_per_reply": exact,
    }))
    statuses = {status for _, status in one_by_one + unfollowed + together}
    sys.exit(0 if exact and statuses == {303} else 1)


if __name__ == "__main__":
    main()
