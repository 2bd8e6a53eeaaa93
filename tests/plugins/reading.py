"""A GET never writes: checked in every test, not in production. Any INSERT, UPDATE or DELETE
(ORM, Core or text) or row lock (with_for_update) that a GET or HEAD request sends fails the
test."""

from __future__ import annotations

import pytest
from flask import has_request_context, request, request_started
from sqlalchemy import event
from sqlalchemy.engine import Engine

#: the one write a GET may make: a signed-in reader's read marker, on the thread page
GET_MAY_WRITE = {"forums.thread": "forum_read_markers"}
_READING = "m100.tests.reading"
_writes_in_gets: list[str] = []


@request_started.connect
def _reading_request(sender, **extra):
    """From here to the response, a GET or HEAD request may only read (a request of the test
    client; a test_request_context() that builds data is not one)."""
    request.environ[_READING] = request.method in ("GET", "HEAD")


@event.listens_for(Engine, "before_cursor_execute")
def _a_get_never_writes(conn, cursor, statement, parameters, context, executemany):
    if not has_request_context() or not request.environ.get(_READING):
        return
    compiled = getattr(getattr(context, "compiled", None), "statement", None)
    locks = getattr(compiled, "_for_update_arg", None) is not None
    verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
    writes = getattr(context, "isinsert", False) or getattr(context, "isupdate", False) \
        or getattr(context, "isdelete", False) or verb in ("INSERT", "UPDATE", "DELETE")
    if not (writes or locks):
        return
    table = getattr(getattr(compiled, "table", None), "name", None)
    if writes and table is not None and GET_MAY_WRITE.get(request.endpoint) == table:
        return
    _writes_in_gets.append(f"{request.method} {request.path}: {statement}")
    raise AssertionError(f"a GET writes or locks ({request.path}): {statement}")


@pytest.fixture(autouse=True)
def writes_in_gets():
    """Fails the test whose GET or HEAD request wrote, also when something caught the error
    (a test of the check itself empties the list)."""
    _writes_in_gets.clear()
    yield _writes_in_gets
    assert not _writes_in_gets, _writes_in_gets
