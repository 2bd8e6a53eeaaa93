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


@pytest.fixture
def built_anew(client, db):
    """``run(url)``: the SQL of the statements a second view of the page builds anew instead
    of asking again the SELECT objects the first view asked (statements built once, with
    bound parameters: building a SELECT and its cache key costs about as much CPU as running
    it). Data is committed and the session emptied before each view."""

    def run(url: str) -> list[str]:
        views: list[list] = []
        for _ in range(2):
            db.session.commit()
            db.session.expunge_all()
            asked: list = []

            def seen(conn, clauseelement, *args, asked=asked):
                asked.append(clauseelement)

            event.listen(_db.engine, "before_execute", seen)
            try:
                assert client.get(url).status_code == 200, url
            finally:
                event.remove(_db.engine, "before_execute", seen)
            views.append(asked)
        assert views[1], url
        first = {id(statement) for statement in views[0]}  # alive in views: ids not reused
        anew = [str(statement) for statement in views[1] if id(statement) not in first]
        return [sql for sql in anew if not sql.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))]

    return run
