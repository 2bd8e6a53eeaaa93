"""Faults: votes, registrations and replies under load while the stack is hurt (issue 12).

A stack of this script's own, on free loopback ports, never the shared services:
- a PostgreSQL cluster (initdb with /usr/lib/postgresql/15/bin as the postgres user, into a
  temporary folder; PG_BIN elsewhere), migrated;
- a redis-server (no persistence) that the hub uses for rate-limit storage, the page cache,
  Celery and the Socket.IO queue;
- gunicorn with gunicorn.conf.py and FAULTS_WORKERS (2) workers, a Celery worker with beat,
  and an SMTP sink (aiosmtpd), so that e-mails go somewhere real.

Seeds an open consultation (bench/consultations.py), events with few places and a forum thread,
and FAULTS_PEOPLE signed-in people (session cookies and CSRF tokens made by the app itself, as
the other benchmarks do). Rate limits stay on, counted in Redis as in production, with every
limit raised so high that one address can play everyone (FAULTS_RATE_LIMITS=0: off, as in the
other benchmarks).
FAULTS_CLIENTS threads then vote (and change their vote), register and cancel, and reply (each
reply has a text of its own; after a dropped connection or no answer within FAULTS_TIMEOUT
(10) s the same reply is sent again, as a person clicking again would), through these phases:

1. kill: a gunicorn worker SIGKILLed every FAULTS_KILL_EVERY s for FAULTS_KILL_SECONDS s;
2. redis: Redis stopped for FAULTS_REDIS_DOWN s, then started again;
3. postgresql: PostgreSQL stopped (fast shutdown) for FAULTS_PG_DOWN s, then started again;
each followed by FAULTS_CALM s of load. Then the load stops and the data is checked.

Prints one JSON line: requests and statuses per phase; 5xx (and dropped connections and
timeouts: a killed worker's connections drop, also idle kept-alive ones) outside the outage
windows (aim 0); per outage the 5xx inside it and the seconds from the service's
return until the last failed request (``recovery_s``, aim under 5; null: never recovered);
posts duplicated (aim 0); invariant violations (tallies against ballots, the participant
counter, each event's counters against its registrations, never more confirmed than places,
nobody waiting while a place is free; aim 0); whether the gunicorn master outlived it all.

Defaults make a quick run of about two minutes; the issue's figures came from longer ones
(e.g. FAULTS_KILL_SECONDS=120). Exits non-zero when data was lost or doubled (not for 5xx:
those are the figures to compare before and after a fix).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlencode

from common import BIN, ROOT, free_port, migrate, wait_until_up

SETTINGS = {name: float(os.environ.get(f"FAULTS_{name}", default)) for name, default in {
    "CLIENTS": 8, "PEOPLE": 300, "WORKERS": 2, "WARMUP": 5, "KILL_SECONDS": 30,
    "KILL_EVERY": 3, "REDIS_DOWN": 45, "PG_DOWN": 10, "CALM": 12, "PLACES": 20,
    "TIMEOUT": 10, "RATE_LIMITS": 1}.items()}
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
AGENT = "m100-bench"  # the User-Agent the sessions were made for (strong protection)


# ---------------------------------------------------------------- the stack


class OwnPostgres:
    """A PostgreSQL cluster in a temporary folder, on a port of its own."""

    def __init__(self, folder: Path):
        self.data, self.port = folder / "pg", free_port()
        folder.mkdir(exist_ok=True)
        shutil.chown(folder, "postgres")
        self._as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust",
                           "-U", "postgres", "--no-sync", "-E", "UTF8"])

    def _as_postgres(self, command: list[str]) -> None:
        done = subprocess.run(["runuser", "-u", "postgres", "--", *command],
                              capture_output=True, text=True, cwd=self.data.parent)
        if done.returncode:
            raise RuntimeError(f"{command[0]} failed: {done.stdout}{done.stderr}")

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l",
                           str(self.data.parent / "pg.log"), "-w", "-o", options, "start"])

    def stop(self) -> None:
        self._as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w",
                           "stop"])

    def create_database(self, name: str) -> None:
        self._as_postgres([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                           name])

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"


class OwnRedis:
    def __init__(self, folder: Path):
        self.port, self.folder, self.process = free_port(), folder, None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder), "--logfile",
             str(self.folder / "redis.log")])
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_connect_timeout=0.2).ping():
                    return
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@contextmanager
def running(command: list[str], env: dict, log: Path):
    """A process of the stack, its output in ``log``; stopped at the end."""
    with open(log, "ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def gunicorn_workers(master: int) -> list[int]:
    done = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True)
    return [int(pid) for pid in done.stdout.split()]


# ---------------------------------------------------------------- data


def seed(app, people: int, places: int) -> dict:
    """An open consultation with a yes/no question, three events (``places`` places, one
    place, unlimited), a thread, and ``people`` confirmed people with their sessions."""
    import consultations as bench_consultations
    from sqlalchemy import select

    from m100hub.accounts.models import User
    from m100hub.events import services as events
    from m100hub.extensions import db
    from m100hub.forums import services as forums
    from m100hub.forums.models import Category

    voters = [user_id for user_id, _sector in bench_consultations.add_people(app, people)]
    author = voters[0]
    consultation, questions = bench_consultations.add_consultation(app, author, "open", None, 1)
    with app.test_request_context(method="POST"):
        from datetime import UTC, datetime, timedelta

        from m100hub.consultations import queries

        options = [o.id for o in queries.questions(consultation)[0].options]
        person = db.session.get(User, author)
        starts = datetime.now(UTC) + timedelta(days=10)
        event_ids = []
        for capacity in (places, 1, None):
            item = events.save(person, None, {
                "kind": "workshop", "title": f"Atelier cu {capacity} locuri", "description": "",
                "city_id": None, "sectors": ["energy"], "starts_dt": starts,
                "ends_dt": starts + timedelta(hours=2), "attendance": "in_person",
                "address": "Str. Universității 13", "online_url": "", "capacity": capacity,
                "registration_opens_dt": None, "registration_closes_dt": None,
                "organisation_id": None, "co_organisers": []})
            event_ids.append(item.id)
        category = db.session.scalar(select(Category).where(Category.slug == "general"))
        thread, _post = forums.create_thread(person, category, "Subiect sub sarcină",
                                             "Primul mesaj.")
        db.session.commit()
        thread_id = thread.id
    sessions = bench_consultations.signed_sessions(app, voters)
    return {"consultation": consultation, "question": questions[0], "options": options,
            "events": event_ids, "thread": thread_id, "sessions": sessions}


def check(app, world: dict, replies: set[str]) -> dict:
    """Invariant violations and duplicated posts, read after the load."""
    import consultations as bench_consultations
    from sqlalchemy import func, select

    from m100hub.events.models import Event, Registration, RegistrationStatus
    from m100hub.extensions import db
    from m100hub.forums.models import Post

    totals = bench_consultations.totals(app, world["consultation"])
    violations = []
    if not totals["tallies_equal_ballots"]:
        violations.append("tallies differ from the ballots")
    if totals["participants"] != totals["participant_count"]:
        violations.append("the participant counter differs from the participants")
    with app.app_context():
        for event_id in world["events"]:
            event = db.session.get(Event, event_id)
            rows = Counter({getattr(status, "value", status): n for status, n in db.session.execute(
                select(Registration.status, func.count()).where(
                    Registration.event_id == event_id).group_by(Registration.status))})
            confirmed = rows[RegistrationStatus.CONFIRMED.value]
            waiting = rows[RegistrationStatus.WAITLISTED.value]
            if (event.confirmed_count, event.waitlist_count) != (confirmed, waiting):
                violations.append(f"event {event_id}: counters {event.confirmed_count}/"
                                  f"{event.waitlist_count}, rows {confirmed}/{waiting}")
            if event.capacity is not None and confirmed > event.capacity:
                violations.append(f"event {event_id}: {confirmed} confirmed, "
                                  f"{event.capacity} places")
            if waiting and (event.capacity is None or confirmed < event.capacity):
                violations.append(f"event {event_id}: {waiting} waiting beside a free place")
        bodies = Counter(db.session.scalars(
            select(Post.body).where(Post.thread_id == world["thread"])).all())
        db.session.remove()
    duplicated = sum(n - 1 for body, n in bodies.items() if body in replies and n > 1)
    return {"ballots": totals["ballots"], "invariant_violations": violations,
            "posts_sent": len(replies), "posts_stored": sum(
                n for body, n in bodies.items() if body in replies),
            "posts_duplicated": duplicated}


# ---------------------------------------------------------------- load


class Load:
    """Client threads sending votes, registrations and replies until stopped; every request
    kept as (start, end, action, status, or "dropped": the connection failed, or "timeout":
    no answer within FAULTS_TIMEOUT s)."""

    def __init__(self, port: int, world: dict, clients: int, seed: int = 2035):
        self.port, self.world, self.clients = port, world, clients
        self.rng = random.Random(seed)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.log: list[tuple[float, float, str, int | str]] = []
        self.replies: set[str] = set()
        self.started = time.monotonic()
        self.threads = [threading.Thread(target=self._client, args=(n,), daemon=True)
                        for n in range(clients)]

    def now(self) -> float:
        return time.monotonic() - self.started

    def _request(self, connection, path: str, fields: dict, cookie: str) -> int | str:
        body = urlencode(fields)
        try:
            connection.request("POST", path, body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
                "User-Agent": AGENT, "Accept-Language": "ro"})
            response = connection.getresponse()
            response.read()
            return response.status
        except TimeoutError:
            connection.close()
            return "timeout"
        except (OSError, http.client.HTTPException):
            connection.close()
            return "dropped"

    def _client(self, n: int) -> None:
        rng = random.Random(n)
        world = self.world
        connection = http.client.HTTPConnection("127.0.0.1", self.port,
                                                timeout=SETTINGS["TIMEOUT"])
        while not self.stop.is_set():
            cookie, token = rng.choice(world["sessions"])
            roll = rng.random()
            if roll < 0.4:
                action, path = "vote", (f"/consultations/{world['consultation']}/questions/"
                                        f"{world['question']}/vote")
                fields = {"option": rng.choice(world["options"])}
            elif roll < 0.8:
                event = rng.choice(world["events"])
                action = rng.choice(("register", "cancel-registration"))
                path = f"/events/{event}/{action}"
                action = "register" if action == "register" else "cancel"
            else:
                action, path = "reply", f"/forums/t/{world['thread']}/reply"
                text = f"Răspuns {uuid.uuid4().hex}"
                # the reply form's one-time key (m100hub/submissions.py), sent again with the
                # retry as a browser re-posts the same form
                fields = {"body": text,
                          "submission_key": f"{int(time.time())}.{uuid.uuid4().hex}"}
                with self.lock:
                    self.replies.add(text)
            if action in ("register", "cancel"):
                # giving up a place is confirmed on its own page first
                fields = {"confirmed": "yes"} if action == "cancel" else {}
            for _attempt in range(2 if action == "reply" else 1):
                start = self.now()
                status = self._request(connection, path, {**fields, "csrf_token": token},
                                       cookie)
                with self.lock:
                    self.log.append((start, self.now(), action, status))
                if isinstance(status, int):
                    break
                time.sleep(0.2)  # a person who saw an error clicks again
            if failed(status):
                time.sleep(0.1)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=SETTINGS["TIMEOUT"] + 5)


# ---------------------------------------------------------------- figures


def failed(status) -> bool:
    return not isinstance(status, int) or status >= 500


def is_5xx(status) -> bool:
    return isinstance(status, int) and status >= 500


def figures(log, marks: dict) -> dict:
    """Statuses per phase, 5xx outside the outage windows, and per outage what happened in it
    and how long after the service's return requests still failed."""
    outages = {name: (marks[f"{name}_stop"], marks[f"{name}_start"])
               for name in ("redis", "postgresql")}

    def outside(end: float) -> bool:
        return not any(stop <= end <= start for stop, start in outages.values())

    phases = {}
    bounds = [("warmup", 0, marks["kill_start"]), ("kill", marks["kill_start"], marks["kill_end"]),
              ("redis", marks["kill_end"], marks["postgresql_stop"]),
              ("postgresql", marks["postgresql_stop"], marks["end"])]
    for name, begin, end in bounds:
        statuses = Counter(str(s) for st, en, _a, s in log if begin <= en < end)
        phases[name] = dict(sorted(statuses.items()))
    result = {
        "requests": len(log), "statuses_by_phase": phases,
        "5xx_outside_outages": sum(1 for _s, end, _a, st in log
                                   if is_5xx(st) and outside(end)),
        "dropped_outside_outages": sum(1 for _s, end, _a, st in log
                                       if st == "dropped" and outside(end)),
        "timeouts_outside_outages": sum(1 for _s, end, _a, st in log
                                        if st == "timeout" and outside(end)),
        "5xx_outside_outages_by_action": dict(Counter(
            action for _s, end, action, st in log
            if is_5xx(st) and outside(end))),
    }
    watched = {"redis": marks["postgresql_stop"], "postgresql": marks["end"]}
    for name, (stop, start) in outages.items():
        inside = [st for _s, end, _a, st in log if stop <= end <= start]
        after = [(end, st) for _s, end, _a, st in log if start < end <= watched[name]]
        last_failure = max((end for end, st in after if failed(st)), default=None)
        recovered = any(not failed(st) for end, st in after
                        if last_failure is None or end > last_failure)
        result[name] = {
            "down_s": round(start - stop, 1),
            "requests_during": len(inside),
            "5xx_during": sum(1 for st in inside if is_5xx(st)),
            "dropped_during": sum(1 for st in inside if st == "dropped"),
            "timeouts_during": sum(1 for st in inside if st == "timeout"),
            "failures_after_return": sum(1 for _end, st in after if failed(st)),
            "recovery_s": (round(max(0.0, last_failure - start), 1) if last_failure else 0.0)
            if recovered else None,
        }
    return result


# ---------------------------------------------------------------- the run


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="m100-faults-"))
    folder.chmod(0o755)  # the postgres user reaches its cluster below
    marks: dict[str, float] = {}
    with ExitStack() as stack:
        if os.environ.get("FAULTS_KEEP"):  # the logs of every process, for a look after
            print(f"faults: logs kept in {folder}/logs", file=sys.stderr)
        else:
            stack.callback(shutil.rmtree, folder, ignore_errors=True)
        postgres = OwnPostgres(folder / "postgresql")
        postgres.start()
        stack.callback(postgres.stop)
        postgres.create_database("m100")
        redis_server = OwnRedis(folder)
        redis_server.start()
        stack.callback(redis_server.stop)
        smtp_port = free_port()
        names = f"m100faults-{uuid.uuid4().hex[:8]}"
        env = {**os.environ, "DATABASE_URL": postgres.url("m100"), "USE_REDIS": "1",
               "REDIS_URL": redis_server.url, "SECRET_KEY": "faults-secret",
               "RATELIMIT_ENABLED": "0", "FLASK_APP": "wsgi.py", "MAIL_SERVER": "127.0.0.1",
               "MAIL_PORT": str(smtp_port), "CACHE_KEY_PREFIX": f"{names}:",
               "CELERY_QUEUE": names, "SOCKETIO_CHANNEL": names, "WEB_THREADS": "8",
               "HOST": "127.0.0.1", "PORT": str(free_port())}
        migrate(env)
        os.environ.update({k: v for k, v in env.items() if k != "FLASK_APP"})
        from m100hub import create_app

        app = create_app()
        world = seed(app, int(SETTINGS["PEOPLE"]), int(SETTINGS["PLACES"]))
        if SETTINGS["RATE_LIMITS"]:  # on, in Redis, too high to refuse anyone here
            env.update({name: "100000 per minute" for name in app.config
                        if name.startswith("RATE_LIMIT_")}, RATELIMIT_ENABLED="1")
        logs = folder / "logs"
        logs.mkdir()
        stack.enter_context(running(
            [str(BIN / "python"), "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l",
             f"127.0.0.1:{smtp_port}"], env, logs / "smtp.log"))
        stack.enter_context(running(
            [str(BIN / "celery"), "-A", "celery_worker", "worker", "--beat", "-c", "1",
             "--loglevel=WARNING", "-s", str(folder / "beat-schedule")], env,
            logs / "celery.log"))
        master = stack.enter_context(running(
            [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--workers",
             str(int(SETTINGS["WORKERS"])), "wsgi:app"], env, logs / "gunicorn.log"))
        port = int(env["PORT"])
        wait_until_up(port, timeout=180)  # a loaded machine boots workers slowly
        kills = 0
        with Load(port, world, int(SETTINGS["CLIENTS"])) as load:
            time.sleep(SETTINGS["WARMUP"])
            marks["kill_start"] = load.now()
            while load.now() - marks["kill_start"] < SETTINGS["KILL_SECONDS"]:
                workers = gunicorn_workers(master.pid)
                if workers:
                    os.kill(random.choice(workers), signal.SIGKILL)
                    kills += 1
                time.sleep(SETTINGS["KILL_EVERY"])
            marks["kill_end"] = load.now()
            time.sleep(SETTINGS["CALM"])
            for name, service, seconds in (("redis", redis_server, SETTINGS["REDIS_DOWN"]),
                                           ("postgresql", postgres, SETTINGS["PG_DOWN"])):
                marks[f"{name}_stop"] = load.now()
                service.stop()
                time.sleep(seconds)
                service.start()
                marks[f"{name}_start"] = load.now()
                time.sleep(SETTINGS["CALM"])
            marks["end"] = load.now()
        master_alive = master.poll() is None
        data = check(app, world, load.replies)
        result = {
            "database": "postgresql (own cluster)", "workers": int(SETTINGS["WORKERS"]),
            "clients": int(SETTINGS["CLIENTS"]), "people": int(SETTINGS["PEOPLE"]),
            "settings": {k.lower(): v for k, v in SETTINGS.items()},
            "workers_killed": kills, "gunicorn_master_alive": master_alive,
            **figures(load.log, marks), **data,
            "load_average": [round(n, 2) for n in os.getloadavg()],
        }
        print(json.dumps(result, ensure_ascii=False))
    if data["invariant_violations"] or data["posts_duplicated"]:
        sys.exit("data was lost or doubled under faults")


if __name__ == "__main__":
    main()
