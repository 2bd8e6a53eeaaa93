"""`make serve`: the production-like server (gunicorn, the command docs/deploy.md gives)
serves pages and Socket.IO over WebSocket."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
import socketio

from tests.support.environment import ROOT, database_url, require_service, scratch_database
from tests.support.factories import PASSWORD
from tests.support.live import free_port, sign_in

UA = "m100-serve-test"


def wait_until_ready(base: str, log: Path, timeout: float = 180.0) -> None:
    """`make serve` first checks the install and migrates; then gunicorn starts."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise AssertionError(f"make serve did not become ready:\n{log.read_text()[-3000:]}")


@pytest.fixture
def served(tmp_path):
    """`make serve` on a free port and a scratch database; the address it serves."""
    require_service("the checkout's .venv (make test)", Path(sys.prefix) == ROOT / ".venv")
    backend = "postgresql" if database_url(tmp_path).startswith("postgresql") else "sqlite"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": scratch_database(backend, tmp_path, "serve"),
           "SECRET_KEY": uuid.uuid4().hex, "USE_REDIS": "0", "BASE_URL": base,
           "HOST": "127.0.0.1", "PORT": str(port), "WEB_THREADS": "8"}
    log = tmp_path / "serve.log"
    with open(log, "w") as output:
        # a session of its own: make, gunicorn's master and its worker end together
        make = subprocess.Popen(["make", "--no-print-directory", "serve"],  # noqa: S607
                                cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        wait_until_ready(base, log)
        yield base, env
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        make.wait(timeout=30)


@pytest.mark.slow
def test_make_serve_serves_pages_and_socketio_over_websocket(served):
    base, env = served
    home = requests.get(f"{base}/", timeout=10)
    assert home.status_code == 200 and "M100" in home.text
    assert home.headers["Server"].startswith("gunicorn")  # not Werkzeug's development server

    email = f"serve-{uuid.uuid4().hex[:6]}@example.ro"
    subprocess.run([str(Path(sys.executable).parent / "flask"), "m100", "create-admin", email,
                    "--password", PASSWORD], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=60)
    session = requests.Session()
    session.headers["User-Agent"] = UA
    sign_in(session, base, email, PASSWORD)

    client = socketio.Client(reconnection=False)
    cookies = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    client.connect(base, headers={"User-Agent": UA, "Cookie": cookies},
                   transports=["websocket"], wait_timeout=10)
    try:
        assert client.connected and client.transport() == "websocket"
    finally:
        client.disconnect()
