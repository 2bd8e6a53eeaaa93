"""The hub's search: every source's SELECT in one UNION ALL; the count per kind in one query,
the page of results in a second, their cities' names in a third."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from math import ceil
from typing import Any

from sqlalchemy import Row, String, func, literal, select, union_all

from ..cities.models import City
from ..extensions import db
from ..features import SearchQuery, SearchSource, registry


@dataclass
class Result:
    kind: str
    url: str
    title: str
    body: str
    city: City | None
    when: Any


@dataclass
class Page:
    """A page of results, shaped as the pager macro reads it."""

    items: list[Result]
    page: int
    per_page: int
    total: int
    #: kind → how many results of that kind (whatever the kind filter)
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def sources() -> dict[str, SearchSource]:
    return {source.kind: source for source in registry().search_sources()}


def _union(query: SearchQuery, counting: bool = False):
    """Every source's SELECT with its kind, in one UNION ALL; ``counting``: the kind alone
    (PostgreSQL computes every column of a UNION's members, the rank's folding included,
    even for a count)."""
    parts = []
    for source in sources().values():
        stmt = source.select(query)
        if stmt is not None:
            kind = literal(source.kind, String).label("kind")
            parts.append(stmt.with_only_columns(kind, maintain_column_froms=True) if counting
                         else stmt.add_columns(kind))
    return union_all(*parts).subquery("results") if parts else None


def search(query: SearchQuery, kind: str, page: int, per_page: int) -> Page:
    results, counted = _union(query), _union(query, counting=True)
    if results is None or counted is None:
        return Page([], page, per_page, 0)
    by_kind: dict[str, int] = {kind_: count for kind_, count in db.session.execute(
        select(counted.c.kind, func.count()).group_by(counted.c.kind))}
    total = by_kind.get(kind, 0) if kind else sum(by_kind.values())
    rows: Sequence[Row] = ()
    if total > (page - 1) * per_page:
        stmt = select(results).order_by(results.c.rank, results.c.sort_dt.desc(),
                                        results.c.kind, results.c.ident.desc())
        if kind:
            stmt = stmt.where(results.c.kind == kind)
        rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(_results(rows), page, per_page, total, by_kind)


def _results(rows) -> list[Result]:
    city_ids = {row.city_id for row in rows if row.city_id}
    cities = {city.id: city for city in db.session.scalars(
        select(City).where(City.id.in_(city_ids)))} if city_ids else {}
    known = sources()
    return [Result(row.kind, known[row.kind].url(row), row.title, row.body or "",
                   cities.get(row.city_id), row.sort_dt) for row in rows]
