"""Seeding many rows fast: copies of one row made by the factories, written by a single
INSERT … SELECT over a counter (a recursive CTE: PostgreSQL and SQLite alike), for tests that
need thousands of people, followers or registrations."""

from __future__ import annotations

from sqlalchemy import text

from m100hub.extensions import db as _db

#: the rows numbered 1…n
COUNTER = ("WITH RECURSIVE counter(n) AS "
           "(SELECT 1 UNION ALL SELECT n + 1 FROM counter WHERE n < :n) ")


def copies(model, template_id: int, n: int, **changed: str) -> list[int]:
    """``n`` copies of the ``model`` row ``template_id``; ``changed`` gives SQL expressions of
    the copy's number ``n`` for the columns that must differ (``email="'p' || n || '@x.ro'"``,
    ``user_id="first + n"``). Returns the new ids in order."""
    table = model.__table__
    columns = [c.name for c in table.columns if c.name != "id"]
    values = ", ".join(changed.get(name, f"t.{name}") for name in columns)
    _db.session.flush()
    _db.session.execute(text(
        f"{COUNTER}INSERT INTO {table.name} ({', '.join(columns)}) "
        f"SELECT {values} FROM counter, {table.name} t WHERE t.id = :template ORDER BY n"),
        {"n": n, "template": template_id})
    return list(_db.session.scalars(text(
        f"SELECT id FROM {table.name} WHERE id > :template ORDER BY id DESC LIMIT :n"),
        {"template": template_id, "n": n}))[::-1]


def people(template_id: int, n: int, tag: str) -> list[int]:
    """``n`` people like the template, named "<tag> <n>" with addresses and handles of their
    own."""
    from m100hub.accounts.models import User

    return copies(User, template_id, n, display_name=f"'{tag} ' || n",
                  email=f"'{tag}' || n || '@bulk.example.ro'", handle=f"'{tag}' || n")
