"""Socket.IO clients of the boards' namespace in the test process: each its own Flask test
client (its own signed-in session) and flask_socketio test client."""

from __future__ import annotations

import pytest

from m100hub.boards.changes import NAMESPACE
from m100hub.extensions import db as _db
from m100hub.extensions import socketio
from tests.support.web import fresh_g


class Person:
    def __init__(self, app, login_as, user=None, origin: str | None = None):
        self.http = app.test_client()
        if user is not None:
            login_as(user=user, client_=self.http)
        self.user = user
        self.inbox: list[dict] = []
        headers = {"Origin": origin} if origin else None
        fresh_g(None)
        self.socket = socketio.test_client(app, namespace=NAMESPACE,
                                           flask_test_client=self.http, headers=headers)

    def send(self, event: str, **data):
        return self.emit(event, data)

    def emit(self, event: str, data):
        """As a separate request: the test client runs handlers in the test's app context,
        whose ``g`` (the signed-in person) would otherwise be the previous handler's."""
        fresh_g(None)
        return self.socket.emit(event, data, namespace=NAMESPACE, callback=True)

    def join(self, board_id: int, since: int | None = None):
        return self.send("join", board=board_id, since=since)

    def received(self, name: str = "change") -> list:
        """Every message of that name received so far."""
        if self.socket.is_connected(NAMESPACE):
            self.inbox.extend(self.socket.get_received(NAMESPACE))
        return [m["args"][0] for m in self.inbox if m["name"] == name]

    def close(self) -> None:
        fresh_g(None)
        if self.socket.is_connected(NAMESPACE):
            self.inbox.extend(self.socket.get_received(NAMESPACE))
            self.socket.disconnect(namespace=NAMESPACE)


@pytest.fixture
def connect(app, db, login_as):
    """connect(user=None, origin=None): a person's page, connected (visitors: no user)."""
    made: list[Person] = []

    def make(user=None, origin=None) -> Person:
        _db.session.commit()
        person = Person(app, login_as, user, origin)
        made.append(person)
        return person

    yield make
    for person in made:
        person.close()
