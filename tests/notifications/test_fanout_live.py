"""On a running hub (gunicorn, a real Celery worker on Redis): a reply in a thread that 1,200
people follow comes back at once, and the worker writes each follower's notification once and
pushes the badge of a follower whose page is open."""

from __future__ import annotations

import re
import time

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.support import bulk
from tests.support.live import UA, connect_socket, sign_in

FOLLOWERS = 1_200
INPUT_RE = re.compile(r"<input\b[^>]*>")
ATTRIBUTE_RE = re.compile(r'(\w+)="([^"]*)"')


def hidden_fields(html: str) -> dict:
    fields = (dict(ATTRIBUTE_RE.findall(tag)) for tag in INPUT_RE.findall(html))
    return {f["name"]: f.get("value", "") for f in fields
            if f.get("type") == "hidden" and "name" in f}


def person_id(conn, email: str) -> int:
    return conn.execute(text("SELECT id FROM users WHERE email = :e"), {"e": email}).scalar_one()


def signed_in(live, email: str) -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = UA
    sign_in(session, live.url, email, live.demo_passwords[email])
    return session


def post_form(session: requests.Session, page_url: str, action_url: str, **data):
    """Send a page's form as a browser would: its hidden fields (the CSRF token…) and ``data``."""
    hidden = hidden_fields(session.get(page_url).text)
    response = session.post(action_url, data={**hidden, **data})
    assert response.status_code == 200 and response.history, response.text[:3000]
    return response


def wait_for_fan_out(engine, event_id: int, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if conn.execute(text("SELECT fanned_out_dt FROM notification_events WHERE id = :e"),
                            {"e": event_id}).scalar() is not None:
                return
        time.sleep(0.2)
    raise AssertionError(f"event {event_id} was not fanned out within {timeout}s")


@pytest.mark.slow
def test_a_real_worker_tells_each_of_1200_followers_once(live, request):
    engine = create_engine(live.database_url)
    request.addfinalizer(engine.dispose)  # also when the test fails half-way
    replier_email, watcher_email = "cetatean@m100.demo", "admin@m100.demo"
    title = f"Urmărit de {FOLLOWERS} de oameni"
    new = f"{live.url}/forums/c/general/new"
    post_form(signed_in(live, "ong@m100.demo"), new, new, title=title,
              body="Deschidem discuția.", city_id="0", tags="")
    with engine.begin() as conn:
        thread_id = conn.execute(text("SELECT id FROM forum_threads WHERE title = :t"),
                                 {"t": title}).scalar_one()
        replier, watcher = person_id(conn, replier_email), person_id(conn, watcher_email)
        bulk.followers(thread_id, replier, FOLLOWERS, "live.urmaritor", conn)
        conn.execute(text(
            "INSERT INTO forum_subscriptions (user_id, thread_id, created_dt) SELECT :u, :t, "
            "CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM forum_subscriptions "
            "WHERE user_id = :u AND thread_id = :t)"), {"u": watcher, "t": thread_id})
        followers = set(conn.execute(text(
            "SELECT user_id FROM forum_subscriptions WHERE thread_id = :t AND user_id <> :r"),
            {"t": thread_id, "r": replier}).scalars())
    watching, received = connect_socket(live.url, signed_in(live, watcher_email))
    try:
        thread_url = f"{live.url}/forums/t/{thread_id}"
        post_form(signed_in(live, replier_email), thread_url, f"{thread_url}/reply",
                  body="Un răspuns pentru toți urmăritorii.")
        with engine.connect() as conn:
            event_id = conn.execute(text(
                "SELECT id FROM notification_events WHERE kind = 'forum_reply' AND actor_id = :r "
                "ORDER BY id DESC LIMIT 1"), {"r": replier}).scalar_one()
        wait_for_fan_out(engine, event_id)
        assert received.wait(15), "the watcher's badge was not pushed"
    finally:
        watching.disconnect()
    with engine.connect() as conn:
        told = conn.execute(text(
            "SELECT recipient_id, count(*) FROM notifications WHERE event_id = :e "
            "GROUP BY recipient_id"), {"e": event_id}).all()
    assert len(followers) > FOLLOWERS
    assert sorted(told) == [(person, 1) for person in sorted(followers)]
