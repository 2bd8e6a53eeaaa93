"""A running hub for end-to-end tests: gunicorn web processes, a Celery worker, Redis, a
scratch database built by the migrations, and a real SMTP server (aiosmtpd) in this process.
"""

from __future__ import annotations

import asyncio
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

import requests
import socketio
from aiosmtpd.controller import Controller

from tests.support.environment import ROOT, scratch_postgresql
from tests.support.factories import PASSWORD

BIN = Path(sys.executable).parent
UA = "m100-live-test"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
#: a web process as `make serve` and docs/deploy.md start it (settings in gunicorn.conf.py)
SERVE = [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "wsgi:app"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailCatcher:
    """aiosmtpd handler: every message received goes into a queue, and is counted per
    recipient and per connection; ``refuse`` answers some recipients' RCPT TO otherwise."""

    def __init__(self):
        self.messages: queue.Queue = queue.Queue()
        #: address → messages accepted for it
        self.received: Counter[str] = Counter()
        #: address (lower case) → the answer to its RCPT TO ("550 5.1.1 No such user")
        self.refuse: dict[str, str] = {}
        #: the SMTP sessions that delivered messages (one per connection), kept alive
        self.sessions: list = []
        #: addresses whose first RCPT TO (not yet accepted) or first DATA (the message read,
        #: the 250 not yet sent) waits ``stall_seconds``; ``stalled`` is set when one begins
        self.stall_rcpt: set[str] = set()
        self.stall_data: set[str] = set()
        self.stall_seconds = 0.0
        self.stalled = threading.Event()
        #: connections that ended with the client's QUIT
        self.quits = 0

    async def _stall(self, addresses: set[str], address: str) -> None:
        if address.lower() in addresses:
            addresses.discard(address.lower())
            self.stalled.set()
            await asyncio.sleep(self.stall_seconds)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        await self._stall(self.stall_rcpt, address)
        answer = self.refuse.get(address.lower())
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        for address in envelope.rcpt_tos:
            await self._stall(self.stall_data, address)
        self.messages.put(message_from_bytes(envelope.content, policy=policy.default))
        self.received.update(address.lower() for address in envelope.rcpt_tos)
        if all(session is not seen for seen in self.sessions):
            self.sessions.append(session)
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802
        self.quits += 1
        return "221 Bye"

    def wait_for(self, to: str, timeout: float = 30.0):
        deadline = time.monotonic() + timeout
        kept = []
        try:
            while time.monotonic() < deadline:
                try:
                    msg = self.messages.get(timeout=0.2)
                except queue.Empty:
                    continue
                if to.lower() in str(msg["To"]).lower():
                    return msg
                kept.append(msg)
        finally:
            for msg in kept:
                self.messages.put(msg)
        raise AssertionError(f"no e-mail to {to} within {timeout}s")


def body_text(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def first_link(msg) -> str:
    return re.search(r"https?://\S+", body_text(msg)).group(0)


def scratch_database(test_url: str, tmp: Path) -> str:
    """A database of its own, so that live processes' commits never meet the rolled-back tests."""
    if not test_url.startswith("postgresql"):
        return f"sqlite:///{tmp / 'live.sqlite3'}"
    return scratch_postgresql(test_url, "live")


class LiveStack:
    def __init__(self, database_url: str, redis_url: str, tmp: Path,
                 settings: dict[str, str] | None = None):
        self.database_url = database_url
        #: environment of every process beyond the defaults below (M100_ENV, WEB_PROCESSES…)
        self.settings = settings or {}
        self.redis_url = redis_url
        self.tmp = tmp
        self.mail = MailCatcher()
        self.smtp = Controller(self.mail, hostname="127.0.0.1", port=free_port())
        self.processes: list[subprocess.Popen] = []
        self.secret = uuid.uuid4().hex
        self.web_urls: list[str] = []
        self.relay_is_down = False

    def env(self, base_url: str = "http://127.0.0.1") -> dict:
        return {
            **os.environ,
            "FLASK_APP": "wsgi.py",
            "M100_ENV": "development",
            "SECRET_KEY": self.secret,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "USE_REDIS": "1",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(self.smtp.port),
            "BASE_URL": base_url,
            # Names of its own on the shared Redis: another test run may use it at the same time.
            "RATELIMIT_KEY_PREFIX": f"live-{self.secret[:8]}",
            # Every browser of the tests signs in from one address; the limit per address
            # would otherwise refuse the eleventh sign-in of a minute.
            "RATE_LIMIT_SIGN_IN": "200 per minute",
            # flows check what visitors see right after a change: no second of grace
            "ANONYMOUS_PAGE_SECONDS": "0",
            "CACHE_KEY_PREFIX": f"live-{self.secret[:8]}:",
            "CELERY_QUEUE": f"live-{self.secret[:8]}",
            "SOCKETIO_CHANNEL": f"live-{self.secret[:8]}",
            "PYTHONUNBUFFERED": "1",
            **self.settings,
        }

    def flask(self, *args: str) -> str:
        done = subprocess.run(
            [str(BIN / "flask"), *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self, worker: bool = True, demo: bool = True, ready: str = "/readyz",
              beat: bool = False) -> LiveStack:
        """Migrate, seed the demo (unless not ``demo``), start a Celery worker (unless not
        ``worker``; with the beat scheduler in it if ``beat``) and a first web process (once
        ``ready`` answers 200)."""
        self.smtp.start()
        self.flask("db", "upgrade")
        printed = self.flask("m100", "seed-demo") if demo else ""
        #: demo e-mail → password, as `make run` prints them in development
        self.demo_passwords = dict(
            line.split() for line in printed.splitlines() if "@m100.demo" in line
        )
        first_port = free_port()  # the site's address, which the worker writes into e-mails
        self.site = f"http://127.0.0.1:{first_port}"
        if not worker:
            self.add_web_process(first_port, ready)
            return self
        self.start_worker(beat)
        self.add_web_process(first_port)
        return self

    def start_worker(self, beat: bool = False, pool: str = "threads",
                     concurrency: int = 2) -> subprocess.Popen:
        """A Celery worker (threads, or ``pool`` "prefork": child processes), with the beat
        scheduler in it if ``beat``."""
        extra = ["--beat", f"--schedule={self.tmp / 'beat-schedule'}"] if beat else []
        self._spawn(
            f"worker-{len(self.processes)}",
            [str(BIN / "celery"), "-A", "celery_worker", "worker", f"--pool={pool}",
             f"--concurrency={concurrency}", "--loglevel=WARNING", *extra],
            self.env(self.site),
        )
        return self.processes[-1]

    def start_beat(self) -> subprocess.Popen:
        """The beat scheduler in a process of its own (as a deployment may run it)."""
        self._spawn(
            f"beat-{len(self.processes)}",
            [str(BIN / "celery"), "-A", "celery_worker", "beat", "--loglevel=WARNING",
             f"--schedule={self.tmp / 'beat-schedule'}"],
            self.env(self.site),
        )
        return self.processes[-1]

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL to one of the stack's processes and to what it started (a worker's
        embedded beat, its pool): all gone at once, as a crash of the machine or an
        out-of-memory kill of its container takes them. A worker killed alone would leave
        its beat behind, scheduling on."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def relay_down(self) -> None:
        """The SMTP relay goes away: connections to its port are refused."""
        self.smtp.stop()
        self.relay_is_down = True

    def relay_up(self) -> None:
        """The relay is back, on the same port, counting into the same ``mail``."""
        self.smtp = Controller(self.mail, hostname="127.0.0.1", port=self.smtp.port)
        self.smtp.start()
        self.relay_is_down = False

    def add_web_process(self, port: int | None = None, ready: str = "/readyz") -> str:
        """A further gunicorn web process; its address once ``ready`` answers 200 (/readyz:
        migrated, database and Redis answering; /healthz: it runs)."""
        port = port or free_port()
        url = f"http://127.0.0.1:{port}"
        self._spawn(
            f"web-{port}",
            [*SERVE, "--graceful-timeout", "2"],
            {**self.env(url), "HOST": "127.0.0.1", "PORT": str(port), "WEB_THREADS": "32"},
        )
        self._wait_http(url + ready)
        self.web_urls.append(url)
        return url

    @property
    def url(self) -> str:
        return self.web_urls[0]

    def python(self, code: str) -> str:
        """``code`` run by the hub's Python in the stack's environment (setting up data)."""
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=self.env(),
                              capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"python -c failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def _spawn(self, name: str, argv: list[str], env: dict) -> None:
        # the process writes to its own copy of the file descriptor; ours closes at once. A
        # group of its own, so that ``stop`` ends what it started too (a worker's embedded beat
        # is a child process that outlives a worker killed after a slow warm shutdown)
        with open(self.tmp / f"{name}.log", "w") as log:
            self.processes.append(
                subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                 start_new_session=True)
            )

    def _wait_http(self, url: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(url, timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"{url} did not answer; logs in {self.tmp}")

    def logs(self) -> str:
        return "\n".join(f"== {p.name}\n{p.read_text()[-3000:]}" for p in self.tmp.glob("*.log"))

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            try:  # whatever it left behind in its group
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if not self.relay_is_down:
            self.smtp.stop()


def csrf_token(html: str) -> str:
    return CSRF_RE.search(html).group(1)


def sign_in(session: requests.Session, base: str, email: str, password: str) -> None:
    page = session.get(f"{base}/login")
    response = session.post(
        f"{base}/login",
        data={"csrf_token": csrf_token(page.text), "email": email, "password": password},
    )
    assert response.status_code == 200 and "/logout" in response.text, response.text[:500]


def connect_socket(base: str, session: requests.Session | None, origin: str | None = None):
    """A Socket.IO client with the session's cookies; ``received`` is set by the first
    "notification" pushed to it."""
    client = socketio.Client(reconnection=False)
    received = threading.Event()
    client.on("notification", lambda data: received.set())
    headers = {"User-Agent": UA}
    if session is not None:
        headers["Cookie"] = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    if origin:
        headers["Origin"] = origin
    client.connect(base, headers=headers, transports=["websocket"], wait_timeout=10)
    return client, received

def new_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = UA
    return session


def sign_up(live, email: str, name: str = "Ana Test") -> requests.Session:
    session = new_session()
    page = session.get(f"{live.url}/signup")
    response = session.post(
        f"{live.url}/signup",
        data={
            "csrf_token": csrf_token(page.text),
            "display_name": name,
            "email": email,
            "password": PASSWORD,
            "confirm": PASSWORD,
            "sector": "citizen",
            "home_city_id": "0",
            "locale": "en",
            "accept": "y",
        },
    )
    assert response.status_code == 200
    assert email in response.text
    return session
