"""The daily digest run: BENCH_PEOPLE people (100,000) of whom BENCH_NEWS (10,000) have 10
unread daily notifications each; a real Celery worker as `make worker` runs it (prefork, a
process per core; BENCH_WORKER_POOL, BENCH_WORKER_CONCURRENCY to try others) on Redis builds
and sends every digest through the outbox to a local SMTP sink (aiosmtpd in a process of its
own, as a relay is, counting per recipient).

Prints one JSON line: the beat's time to find and queue the digests, the tasks it queued
(must be BENCH_NEWS), the seconds until the sink has received every digest, the e-mails
received (must be BENCH_NEWS, each recipient once), each worker process's peak memory
(VmHWM) and the worker's CPU time, in all, per process and per e-mail (steadier than the
wall clock on a shared machine), and the sink's.
Aim (issue 14): under 60 s, under 300 MB per process, time growing with the people who have
news, not with all people: run it at 100k/10k and 10k/1k and compare. It also prints (to
stderr) the plan of the beat's first query (EXPLAIN ANALYZE) and counts the SMTP connections.

Measured 2026-12-06, one run after another, on the shared 2-core machine at load 14–18
(other work running): 10k/1k 90 s, 100k/1k 96 s (the same time for ten times the people),
100k/10k 593 s (beat 145 s); every e-mail once, 10–13 connections per 1,000 e-mails, the
worker at 151–153 MB. The beat's query reads ~10 rows per person of the batch in person
order and stops at the batch's last (17 ms at 100k/10k).

Measured 2026-12-07 at 10k/10k, prefork ×2, one run after another on the shared machine
(load average at start → end): the code before 343.6 s, worker CPU 153.4 s (3.5 → 9.5);
a digest task in 4 statements instead of 7, a delivered message in 1 instead of 2, messages
built with compat32: 278.5 s, CPU 120.2 s (10.1 → 6.8); and a prefetch of 4 per process:
120.5 s, CPU 103.4 s (5.7 → 4.1). Worker CPU per e-mail 15.3 → 10.3 ms; every e-mail
once, ~100 connections, 149 MB for the main process and 133 MB for each pool process.
10k/1k: 28.6 s, CPU 13.9 s (3.0 → 5.3); 100k/10k: 251.4 s, CPU 113.1 s (5.2 → 6.9),
beat 33 s (both with the suite running alongside): CPU grows with the people with news.
Then with the helpers stopped (load 3.2, after the other benches): 10k/10k 88.7 s, beat
8.0 s, worker CPU 119 s, 97 connections, 149 / 133 / 133 MB, every e-mail once.
Still short of 60 s: the sends come after the digests (the batches' deliveries are queued
behind the beat's tasks), each message a round trip to the sink and a commit.

2026-12-07, the sink moved to a process of its own (in the bench's process it shared the GIL
with the beat's enqueueing: each SMTP answer could wait a switch interval, 5 ms, behind it),
each pair one run after the other, the code before first (load average at start → end):
- each digest sending its own e-mail through its process's kept connection (no batch or
  delivery tasks; sending overlaps building), 10k/10k: 92.8 s → 76.0 s, worker CPU 96.2 →
  74.3 s (9.6 → 7.4 ms per e-mail; main process 14.9 → 12.7 s, pool 81.3 → 61.6 s), 97 → 2
  connections, beat 9.2 → 14.3 s (it now shares the cores with the sending) (3.1 → 2.8);
- and a digest's CPU cut (statements built once, the row by a table INSERT, headers written
  without compat32's folding, boundaries chosen), 10k/10k with other sessions' profilers and
  browser tests running: 341.9 s → 336.0 s, worker CPU 166.0 → 107.6 s (16.6 → 10.8 ms per
  e-mail; main process 25.9 → 24.1 s, pool 140.0 → 83.5 s), every e-mail once, 100 → 2
  connections, 149 / 132 / 132 MB (4.3 → 5.1 before, 5.1 → 8.5 after): on a saturated
  machine the wall clock follows the share of the cores the worker gets, not its work.
- 10k/1k, the same (and the test suite running alongside): 46.1 s → 35.2 s, worker CPU 15.2
  → 10.1 s (pool 10.8 → 6.1 s; the main process's 4.4 → 4.0 s is mostly its start), 10 → 2
  connections, every e-mail once (7.7 → 7.7 before, 7.7 → 8.3 after).
Still short of 60 s on this shared machine; the main process's share (Celery taking each task
from Redis, handing it to the pool, acknowledging it: ~1.3 ms per task when quiet) is now a
fifth of the worker's CPU.
Quiet machine, 2026-12-07 (load 0–3, after the full suite), digests sending their own e-mail:
10k/10k 46.4 s (beat 5.3 s, worker CPU 56.9 s: 5.7 ms per e-mail, sink 8.4 s), 10k/1k 4.9 s,
100k/10k 51.9 s (beat 6.3 s); 10,000 tasks, every e-mail once, 2 connections, 149/131/131 MB.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from aiosmtpd.controller import Controller
from common import BIN, ROOT, analyse, free_port, scratch_app

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "100000"))
NEWS = int(os.environ.get("BENCH_NEWS", "10000"))
PER_PERSON = 10
#: the worker as `make worker` runs it: Celery's prefork pool, a process per core
POOL = os.environ.get("BENCH_WORKER_POOL", "prefork")
CONCURRENCY = int(os.environ.get("BENCH_WORKER_CONCURRENCY", str(os.cpu_count() or 2)))


class Sink:
    def __init__(self, total=None):
        self.received: Counter[str] = Counter()
        #: the SMTP connections that delivered messages
        self.connections: set[int] = set()
        #: the messages received so far, shared with the process that started the sink
        self.total = total

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.received.update(a.lower() for a in envelope.rcpt_tos)
        self.connections.add(id(session))
        if self.total is not None:
            self.total.value += 1
        return "250 OK"


def _serve(port: int, total, results, stop) -> None:
    """The sink's process: serves until ``stop`` is set, then sends its counts back."""
    sink = Sink(total)
    smtp = Controller(sink, hostname="127.0.0.1", port=port)
    smtp.start()
    stop.wait()
    smtp.stop()
    results.send((dict(sink.received), len(sink.connections), cpu_seconds(os.getpid())))


class SinkProcess:
    """The SMTP sink in a process of its own, as a relay is: in this process it would share
    the GIL with the beat's enqueueing, and each SMTP answer could wait a switch interval
    (5 ms) behind it: the digests' sends would be timed with this process's work."""

    def __init__(self):
        self.port = free_port()
        self.total = multiprocessing.Value("i", 0, lock=False)
        self.results, child_end = multiprocessing.Pipe(duplex=False)
        self.stop = multiprocessing.Event()
        self.process = multiprocessing.Process(
            target=_serve, args=(self.port, self.total, child_end, self.stop), daemon=True)
        self.process.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # until it answers
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)

    def received(self) -> int:
        return self.total.value

    def finish(self) -> tuple[Counter[str], int, float]:
        """(messages per recipient, connections, the sink's CPU seconds)."""
        self.stop.set()
        received, connections, cpu = self.results.recv()
        self.process.join(timeout=10)
        return Counter(received), connections, cpu


def seed(app) -> None:
    """People in INSERTs of 10,000; the notifications of those with news likewise, written
    two days ago (before the last digest hour), as the fan-out writes them."""
    from sqlalchemy import insert

    from m100hub.accounts.models import Sector, User
    from m100hub.extensions import db
    from m100hub.notifications.models import Notification

    now = datetime.now(UTC)
    with app.app_context():
        for start in range(0, PEOPLE, 10_000):
            db.session.execute(insert(User), [
                {"display_name": f"Persoana {n}", "handle": f"persoana{n}",
                 "email": f"p{n}@example.ro", "password_hash": "x", "sector": Sector.CITIZEN,
                 "locale": "ro" if n % 2 else "en", "bio": "", "email_confirmed_dt": now,
                 "is_admin": False, "is_moderator": False, "session_token": f"{n:032d}",
                 "created_dt": now} for n in range(start, min(start + 10_000, PEOPLE))])
        db.session.commit()
        first = db.session.scalar(db.select(db.func.min(User.id)))
        step = PEOPLE // NEWS  # the people with news spread over all of them
        rows = [{"recipient_id": first + i * step, "kind": "forum_reply",
                 "payload": {"person": "Ion", "thread": f"Fir {k}", "post_id": k},
                 "created_dt": now - timedelta(days=2), "delivery": "daily"}
                for i in range(NEWS) for k in range(PER_PERSON)]
        for start in range(0, len(rows), 10_000):
            db.session.execute(insert(Notification), rows[start:start + 10_000])
        db.session.commit()


def explain(app) -> str:
    """EXPLAIN ANALYZE of the beat's first query for the daily digests (PostgreSQL)."""
    from m100hub.extensions import db
    from m100hub.notifications import digests

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return ""
        daily = next(d for d in digests.due_periods(digests.utcnow()) if d.delivery == "daily")
        compiled = digests.people_due_query(daily, 0).compile(dialect=db.engine.dialect)
        with db.engine.connect() as conn:
            plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + compiled.string,
                                        compiled.params).scalars().all()
        return "\n".join(plan)


def peak_memory_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """The process's CPU time so far (user and system): steadier than the wall clock on a
    machine others share."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_processes(pid: int) -> list[int]:
    """The worker's main process and its pool's processes (prefork)."""
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [pid, *(int(child) for child in children.read().split())]


def main() -> None:
    smtp = SinkProcess()
    os.environ.update({"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port)})
    app, env, url = scratch_app()
    assert env["USE_REDIS"] == "1", "the digest run needs Redis (a real worker)"
    env = {**env, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port)}
    started = time.perf_counter()
    seed(app)
    analyse(url)
    seeded = time.perf_counter() - started
    print(explain(app), file=sys.stderr, flush=True)
    worker = subprocess.Popen(  # noqa: S603 (a fixed program)
        [str(BIN / "celery"), "-A", "celery_worker", "worker", f"--pool={POOL}",
         f"--concurrency={CONCURRENCY}", "--loglevel=WARNING"], cwd=ROOT, env=env)
    try:
        time.sleep(5)  # the worker connects
        from m100hub.notifications import digests

        started = time.perf_counter()
        with app.app_context():
            queued = digests.queue_digests.run()
        enqueue_s = time.perf_counter() - started
        deadline = time.monotonic() + 1800
        while smtp.received() < NEWS and time.monotonic() < deadline:
            time.sleep(0.1)
        sent_s = time.perf_counter() - started
        time.sleep(3)  # anything sent twice would arrive now
        memory = [peak_memory_mb(pid) for pid in worker_processes(worker.pid)]
        cpu = [cpu_seconds(pid) for pid in worker_processes(worker.pid)]
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        received, connections, sink_cpu = smtp.finish()
    print(json.dumps({
        "people": PEOPLE, "with_news": NEWS, "notifications": NEWS * PER_PERSON,
        "database": url.split(":")[0], "worker_pool": POOL, "worker_concurrency": CONCURRENCY,
        "seed_s": round(seeded, 1), "enqueue_s": round(enqueue_s, 2), "tasks_enqueued": queued,
        "all_sent_s": round(sent_s, 1), "emails_received": sum(received.values()),
        "smtp_connections": connections,
        "recipients": len(received), "received_twice": sum(1 for n in received.values() if n > 1),
        # per process: the main one (it takes the tasks from Redis) and each of its pool's
        "worker_peak_mb": [round(mb, 1) for mb in memory], "worker_cpu_s": round(sum(cpu), 1),
        "worker_cpu_per_process_s": [round(seconds, 1) for seconds in cpu],
        "worker_cpu_ms_per_email": round(sum(cpu) / max(NEWS, 1) * 1000, 2),
        "sink_cpu_s": round(sink_cpu, 1), "load_average": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
