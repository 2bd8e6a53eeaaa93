"""Two web processes (gunicorn, as `make serve` runs them) sharing Redis as the Socket.IO
message queue: real python-socketio clients on each see every change made through either,
in version order, and end with the same board."""

from __future__ import annotations

import json
import threading
import uuid

import pytest
import socketio

from tests.support.factories import PASSWORD
from tests.support.notifying import UA, signed_in

SETUP = """
import json
from flask import current_app
from m100hub import create_app
from m100hub.accounts.models import User
from m100hub.boards import services
from m100hub.boards.models import BoardAccess
from m100hub.boards.queries import columns
from m100hub.extensions import db
from sqlalchemy import select
from tests.support import event_factories as ef

app = create_app()
with app.test_request_context():
    organiser = db.session.scalar(select(User).where(User.email == {email!r}))
    event = ef.event(organiser=organiser, city_slug=None)
    board = services.create_board(event, organiser, "Atelier", BoardAccess.PUBLIC, "retro")
    ids = [c.id for c in columns(board.id)]
    db.session.commit()
    print(json.dumps({{"board": board.id, "columns": ids}}))
"""


class Page:
    """What static/js/boards.js does, by a python-socketio client."""

    def __init__(self, base: str, session=None):
        self.changes: list[dict] = []
        self.lock = threading.Lock()
        self.client = socketio.Client(reconnection=False)
        self.client.on("change", self._change, namespace="/boards")
        headers = {"User-Agent": UA}
        if session is not None:
            headers["Cookie"] = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        self.client.connect(base, headers=headers, namespaces=["/boards"],
                            transports=["websocket"], wait_timeout=10)

    def _change(self, change):
        with self.lock:
            self.changes.append(change)

    def call(self, event: str, **data):
        return self.client.call(event, data, namespace="/boards", timeout=10)


@pytest.mark.slow
def test_clients_on_two_processes_see_each_others_changes_in_order(own_redis,
                                                                   hub_on_own_redis):
    import time

    stack = hub_on_own_redis(processes=2)
    first, second = stack.web_urls
    emails = [f"facilitator-{n}-{uuid.uuid4().hex[:6]}@example.ro" for n in (1, 2)]
    for email in emails:
        stack.flask("m100", "create-admin", email, "--password", PASSWORD)
    made = json.loads(stack.python(SETUP.format(email=emails[0])).strip().splitlines()[-1])
    board, column = made["board"], made["columns"][0]
    writers = [Page(first, signed_in(first, emails[0])),
               Page(second, signed_in(second, emails[1]))]
    watchers = [Page(first), Page(second)]
    pages = writers + watchers
    try:
        for page in pages:
            assert page.call("join", board=board)["ok"]
        for n in range(10):
            answer = writers[n % 2].call("card.add", board=board, column=column,
                                         text=f"Idee {n}", key=f"two-{n}")
            assert answer["ok"], answer
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(len(p.changes) < 10 for p in pages):
            time.sleep(0.05)
        for page in pages:
            assert [c["version"] for c in page.changes] == list(range(1, 11))
            assert [c["data"]["card"]["text"] for c in page.changes] == [
                f"Idee {n}" for n in range(10)]
        # and a late joiner on either process gets the same board
        late = Page(second)
        board_now = late.call("join", board=board)["board"]
        assert board_now["version"] == 10 and len(board_now["cards"]) == 10
        pages.append(late)
    except Exception:
        print(stack.logs())
        raise
    finally:
        for page in pages:
            page.client.disconnect()


@pytest.mark.slow
def test_websockets_are_not_compressed_even_when_the_browser_offers_it(own_redis,
                                                                     hub_on_own_redis):
    """Browsers offer permessage-deflate on every WebSocket; the server declines it (each
    frame deflated once per connection cost a 500-person board most of its time)."""
    import base64
    import os
    import socket
    from urllib.parse import urlsplit

    stack = hub_on_own_redis(processes=1)
    address = urlsplit(stack.web_urls[0])
    with socket.create_connection((address.hostname, address.port), timeout=10) as conn:
        conn.sendall((
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
            f"Host: {address.netloc}\r\nUser-Agent: {UA}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
        ).encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = conn.recv(4096)
            assert chunk, answer
            answer += chunk
    head = answer.split(b"\r\n\r\n")[0].decode().lower()
    assert head.startswith("http/1.1 101"), head
    assert "sec-websocket-extensions" not in head
