"""Seeding many rows fast: copies of one row made by the factories, written by a single
INSERT … SELECT over a counter (a recursive CTE: PostgreSQL and SQLite alike), for tests that
need thousands of people, followers or registrations."""

from __future__ import annotations

from sqlalchemy import text

from m100hub.extensions import db as _db

#: the rows numbered 1…n
COUNTER = ("WITH RECURSIVE counter(n) AS "
           "(SELECT 1 UNION ALL SELECT n + 1 FROM counter WHERE n < :n) ")


def copies(model, template_id: int, n: int, session=None, **changed: str) -> list[int]:
    """``n`` copies of the ``model`` row ``template_id``; ``changed`` gives SQL expressions of
    the copy's number ``n`` for the columns that must differ (``email="'p' || n || '@x.ro'"``,
    ``user_id="first + n"``). Returns the new ids in order. Written through ``session`` (a
    session or a connection; the test's session by default)."""
    table = model.__table__
    columns = [c.name for c in table.columns if c.name != "id"]
    values = ", ".join(changed.get(name, f"t.{name}") for name in columns)
    if session is None:
        session = _db.session
        session.flush()
    session.execute(text(
        f"{COUNTER}INSERT INTO {table.name} ({', '.join(columns)}) "
        f"SELECT {values} FROM counter, {table.name} t WHERE t.id = :template ORDER BY n"),
        {"n": n, "template": template_id})
    return list(session.scalars(text(
        f"SELECT id FROM {table.name} WHERE id > :template ORDER BY id DESC LIMIT :n"),
        {"template": template_id, "n": n}))[::-1]


def people(template_id: int, n: int, tag: str, session=None) -> list[int]:
    """``n`` people like the template, named "<tag> <n>" with addresses and handles of their
    own."""
    from m100hub.accounts.models import User

    return copies(User, template_id, n, session, display_name=f"'{tag} ' || n",
                  email=f"'{tag}' || n || '@bulk.example.ro'", handle=f"'{tag}' || n")


def followers(thread_id: int, template_id: int, n: int, tag: str, session=None) -> list[int]:
    """``n`` new people (copies of the person ``template_id``) following the thread; their
    ids."""
    from m100hub.forums.models import Subscription

    session = session if session is not None else _db.session
    ids = people(template_id, n, tag, session)
    session.execute(text(
        f"{COUNTER}INSERT INTO {Subscription.__tablename__} (user_id, thread_id, created_dt) "
        f"SELECT (SELECT id FROM users WHERE email = '{tag}' || n || '@bulk.example.ro'), "
        ":thread, CURRENT_TIMESTAMP FROM counter"), {"n": n, "thread": thread_id})
    return ids
