"""Faults the outbox must survive, on a running hub (gunicorn, real Celery worker processes on
a Redis of the test's own, a scratch PostgreSQL database, a real SMTP server counting what it
accepts per recipient): the worker's pool process SIGKILLed while the SMTP server holds its
message, and the relay down for 100 s. Every e-mail arrives, none twice (a message the
server had not accepted when its sender died is sent again, once)."""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.support.live import LiveStack
from tests.support.outbox import queue_messages, wait_until_all_arrive

#: the sweep's period and grace, a run's claim (seconds), and — for the relay that is down —
#: the backoff: 2, 4, 8, 8 … seconds instead of 1, 2, 4 … 60 minutes. The same code sends,
#: waits and retries as in production; only the waits are shorter.
SETTINGS = {"MAIL_SWEEP_SECONDS": "2", "MAIL_CLAIM_SECONDS": "6",
            "MAIL_BACKOFF_SECONDS": "2", "MAIL_BACKOFF_MAX_SECONDS": "8"}
#: how long the relay stays down: minutes (over a minute and a half), not the seconds of a
#: retry; the whole test stays under three minutes
RELAY_DOWN_SECONDS = 100


def start_hub(database_url: str, redis_url: str, tmp_path: Path, prefork: bool) -> LiveStack:
    stack = LiveStack(database_url, redis_url, tmp_path, SETTINGS)
    try:
        stack.start(worker=False, demo=False)
        if prefork:  # one pool process: the one that sends is the one killed
            stack.start_worker(pool="prefork", concurrency=1)
            stack.start_beat()
        else:
            stack.start_worker(beat=True)
    except Exception:
        print(stack.logs())
        stack.stop()
        raise
    return stack


@pytest.fixture
def stacks(own_redis, tmp_path):
    from tests.support.environment import scratch_database

    started: list[LiveStack] = []

    def start(prefork: bool = False) -> LiveStack:
        database = scratch_database("postgresql", tmp_path, "mail_faults")
        started.append(start_hub(database, own_redis.url, tmp_path, prefork))
        return started[-1]

    yield start
    for stack in started:
        stack.stop()


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def wait_for_pool(worker_pid: int, not_pid: int | None = None, timeout: float = 30) -> int:
    """The worker's one pool process (a new one, not ``not_pid``, after a kill)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pool = [pid for pid in children_of(worker_pid) if pid != not_pid]
        if len(pool) == 1:
            return pool[0]
        time.sleep(0.1)
    raise AssertionError(f"the worker's pool: {children_of(worker_pid)}")


def unsent(database_url: str) -> list[tuple[str, int, object]]:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT to_address, attempts, failed_dt FROM mail_outbox "
                                  "WHERE sent_dt IS NULL ORDER BY id")).all()
    engine.dispose()
    return [tuple(row) for row in found]


@pytest.mark.slow
def test_a_pool_process_killed_mid_send_loses_nothing_and_doubles_nothing(stacks):
    hub = stacks(prefork=True)
    worker = next(process for process in hub.processes if "worker" in process.args)
    pool = wait_for_pool(worker.pid, timeout=120)  # a loaded machine starts it slowly
    addresses = [f"p{n}-{uuid.uuid4().hex[:6]}@example.ro" for n in range(12)]
    hub.mail.stall_rcpt = {addresses[5]}  # the server holds the 6th at RCPT TO
    hub.mail.stall_seconds = 5
    queue_messages(hub, addresses)  # one task each, queued at the commit
    assert hub.mail.stalled.wait(60), hub.logs()
    assert wait_for_pool(worker.pid) == pool  # the sender is the pool process we know
    os.kill(pool, signal.SIGKILL)  # the pool process only: the worker lives on
    replacement = wait_for_pool(worker.pid, not_pid=pool)
    wait_until_all_arrive(hub, addresses)
    time.sleep(8)  # the requeued task, further sweeps and any second delivery have run
    assert {a: hub.mail.received[a] for a in addresses} == dict.fromkeys(addresses, 1)
    assert worker.poll() is None and replacement != pool
    assert unsent(hub.database_url) == []


@pytest.mark.slow
def test_the_relay_down_for_minutes_delays_mail_but_loses_and_doubles_none(stacks):
    hub = stacks()
    hub.relay_down()
    addresses = [f"r{n}-{uuid.uuid4().hex[:6]}@example.ro" for n in range(10)]
    queue_messages(hub, addresses)
    time.sleep(RELAY_DOWN_SECONDS)
    waiting = unsent(hub.database_url)
    assert sorted(to for to, _attempts, _failed in waiting) == sorted(addresses)
    # retried all along with backoff (the waits add up to ~10 s each: a dozen tries), and
    # none given up
    assert all(attempts >= 5 and failed is None for _to, attempts, failed in waiting), waiting
    assert not hub.mail.received
    hub.relay_up()
    wait_until_all_arrive(hub, addresses, timeout=40)
    time.sleep(8)
    assert {a: hub.mail.received[a] for a in addresses} == dict.fromkeys(addresses, 1)
    assert unsent(hub.database_url) == []
