"""Double submits over HTTP: a create form's one-time key read from its page as a browser
would, and the same form sent twice — one after the other, or by two threads at the same
moment on an app whose scratch database the test owns (the requests commit)."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

from flask_migrate import upgrade
from sqlalchemy import text

from m100hub import create_app
from m100hub.extensions import db
from tests.support.environment import MIGRATIONS, base_config, scratch_database
from tests.support.web import session_identifier

KEY_INPUT = re.compile(r'name="submission_key" value="([^"]+)"')


def keys_on(page: str) -> list[str]:
    """The one-time keys of the forms on a rendered page."""
    return KEY_INPUT.findall(page)


def key_on(client, path: str) -> str:
    """The key of the (first) create form on the page at ``path``."""
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    found = keys_on(response.get_data(as_text=True))
    assert found, f"no submission key on {path}"
    return found[0]


@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    flashes: tuple


def answer(response, client) -> Answer:
    """The status, the redirect and the messages a response left for the next page (taken
    from the session, as that page would)."""
    with client.session_transaction() as session:
        flashes = tuple(message for _category, message in session.pop("_flashes", []))
    return Answer(response.status_code, response.headers.get("Location", ""), flashes)


def send(client, path: str, data: dict) -> Answer:
    return answer(client.post(path, data=data), client)


def scratch_app(backend: str, tmp_path, name: str):
    """A migrated app on a scratch database (SQLite file or PostgreSQL) for requests that
    commit in threads of their own."""
    config = base_config(tmp_path, scratch_database(backend, tmp_path, name))
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": 8, "max_overflow": 4}
    app = create_app(config)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
    return app


def close(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def signed_in(app, login: str):
    """A test client of ``app`` signed in as the person whose ``get_id()`` is ``login``."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = login
        session["_fresh"] = True
        session["_id"] = session_identifier(client)
    return client


def at_once(app, login: str, path: str, data: dict, n: int = 2) -> list[Answer]:
    """The same form sent by ``n`` browsers of one person (``login``: their ``get_id()``),
    released together."""
    clients = [signed_in(app, login) for _ in range(n)]
    barrier = threading.Barrier(n)
    answers: list = [None] * n

    def one(i: int) -> None:
        barrier.wait()
        answers[i] = send(clients[i], path, data)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(a is not None for a in answers), "a request did not finish"
    return answers


def waiting_on_a_lock(app) -> bool:
    """PostgreSQL: some transaction of this database waits for a lock held by another."""
    with app.app_context():
        with db.engine.connect() as conn:
            return bool(conn.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")))


def first_held_in_flight(app, backend: str, monkeypatch, target, name: str, send_both):
    """Run ``send_both()`` (two requests with one key) while the first request to reach
    ``target.name`` (a service) is held inside its transaction, after its writes and before
    its commit, until the second is waiting for it: on PostgreSQL the second waits at the
    key's INSERT (seen in pg_stat_activity), on SQLite at BEGIN IMMEDIATE. Returns what
    ``send_both`` returns."""
    real = getattr(target, name)
    entered, release = threading.Event(), threading.Event()
    calls = []

    def held(*args, **kwargs):
        result = real(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            entered.set()
            release.wait(timeout=30)
        return result

    monkeypatch.setattr(target, name, held)
    outcome: list = []
    sender = threading.Thread(target=lambda: outcome.append(send_both()))
    sender.start()
    assert entered.wait(timeout=30), "the first request never reached the service"
    deadline = time.monotonic() + 10
    if backend == "postgresql":
        while not waiting_on_a_lock(app) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert waiting_on_a_lock(app), "the second request is not waiting for the first"
    else:
        time.sleep(0.5)
    release.set()
    sender.join(timeout=60)
    assert outcome, "the requests did not finish"
    return outcome[0], len(calls)
