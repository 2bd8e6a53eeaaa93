"""Fixtures: count_queries (the SQL statements sent inside a ``with`` block) and measure (the
statements of one page view)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from m100hub.extensions import db as _db


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __repr__(self):
        return f"<{self.count} queries>\n" + "\n".join(self.statements)


@pytest.fixture
def count_queries(db):
    @contextmanager
    def counting():
        counter = QueryCounter()
        engine = _db.engine

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                counter.statements.append(statement)

        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


@pytest.fixture
def measure(client, db, count_queries):
    """GET ``url`` once to warm up, then once counting its SQL statements (English pages).

    ``marker`` must occur at least ``rows`` times in the page: proof that the rows built for
    this size are really listed (a flat count over an empty page would prove nothing). The
    counter also keeps the page's ``text``."""

    def run(url: str, marker: str, rows: int):
        client.set_cookie("lang", "en")
        db.session.commit()
        db.session.expunge_all()
        assert client.get(url).status_code == 200, url
        db.session.expunge_all()
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200, url
        counter.text = response.get_data(as_text=True)
        listed = counter.text.count(marker)
        assert listed >= rows, f"{url}: {listed} x {marker!r}, expected {rows}"
        return counter

    return run
