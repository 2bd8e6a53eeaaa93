"""The live badge across two web processes when Redis, their message queue, goes away and
comes back: pushes resume within seconds, and what was missed meanwhile reaches the badge
because the page asks for its count (on every connection, and when the server says to
catch up). Real Socket.IO clients (python-socketio), gunicorn, a redis-server of the test's
own."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import requests
import socketio

from tests.support.factories import PASSWORD
from tests.support.notifying import UA, Admin, signed_in, user_id


class Page:
    """What static/js/app.js does, by a python-socketio client: joins on connect, counts
    pushes, and asks for the unread count (the ack of "unread")."""

    def __init__(self, base: str, session: requests.Session):
        self.pushes = 0
        self.pushed = threading.Event()
        self.told_to_catch_up = threading.Event()
        self.client = socketio.Client(reconnection=False)
        self.client.on("notification", self._push)
        self.client.on("catch-up", lambda *_: self.told_to_catch_up.set())
        cookies = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        self.client.connect(base, headers={"User-Agent": UA, "Cookie": cookies},
                            transports=["websocket"], wait_timeout=10)

    def _push(self, *_):
        self.pushes += 1
        self.pushed.set()

    def unread(self) -> int:
        return self.client.call("unread", timeout=10)

    def close(self) -> None:
        self.client.disconnect()


@pytest.mark.slow
def test_the_badge_catches_up_after_redis_returns_and_pushes_resume_in_seconds(
        own_redis, hub_on_own_redis):
    stack = hub_on_own_redis(processes=2)
    first, second = stack.web_urls
    admin_email, person_email = (f"{who}-{uuid.uuid4().hex[:6]}@example.ro"
                                 for who in ("admin", "maria"))
    for email in (admin_email, person_email):  # confirmed accounts
        stack.flask("m100", "create-admin", email, "--password", PASSWORD)
    admin = Admin(first, admin_email, user_id(stack, person_email))
    page = Page(second, signed_in(second, person_email))
    try:
        before = page.unread()  # being made an administrator was one
        admin.notify()  # on the first process; the page is on the second
        assert page.pushed.wait(15), "the push did not cross to the other process"
        assert page.unread() == before + 1

        own_redis.kill()
        page.pushed.clear()
        admin.notify()  # written while Redis is down: its push is lost
        assert not page.pushed.wait(2)

        own_redis.start()
        returned = time.monotonic()
        assert page.told_to_catch_up.wait(10), "the page was not told to catch up"
        caught_up = time.monotonic() - returned
        assert page.unread() == before + 2  # the missed notification reaches the badge

        admin.notify()
        sent = time.monotonic()
        assert page.pushed.wait(5), "pushes did not resume"
        latency = time.monotonic() - sent
        print(f"listener back {caught_up:.1f} s after Redis returned; "
              f"the next push took {latency:.2f} s")
        assert page.pushes == 2
    finally:
        page.close()

    again = Page(second, signed_in(second, person_email))  # a page opened (or reconnected) later
    try:
        assert again.unread() == before + 3
    finally:
        again.close()
