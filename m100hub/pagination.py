"""A page of rows and how many there are in all, from one query."""

from __future__ import annotations

from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Integer, Select, bindparam, func

from .extensions import db


class CountedPage(SelectPagination):
    """Flask-SQLAlchemy's page, whose total comes as a window count beside each row instead
    of a second query (a page past the end still asks for the count)."""

    _total: int | None = None

    def _query_items(self) -> list:
        stmt = self._query_args["select"].add_columns(func.count().over())
        return self._counted(self._query_args["session"].execute(
            stmt.limit(self.per_page).offset(self._query_offset)).unique().all())

    def _counted(self, rows: list) -> list:
        """The rows' first entities; the total from the window count beside them."""
        if rows:
            self._total = rows[0][-1]
        elif self._query_offset == 0:
            self._total = 0
        return [row[0] for row in rows]

    def _query_count(self) -> int:
        return self._total if self._total is not None else super()._query_count()


def paginate(stmt, page: int, per_page: int) -> CountedPage:
    """Like ``db.paginate(stmt, page=…, per_page=…, error_out=False)``, one query less."""
    return CountedPage(select=stmt, session=db.session(), page=page, per_page=per_page,
                       error_out=False)


def paged(stmt: Select, counted: bool = False) -> Select:
    """A statement built once for ``prepared_page``: LIMIT and OFFSET as bound parameters;
    ``counted``: with the window count of all its rows beside each (as CountedPage)."""
    if counted:
        stmt = stmt.add_columns(func.count().over())
    return stmt.limit(bindparam("page_limit", type_=Integer)) \
        .offset(bindparam("page_offset", type_=Integer))


class PreparedPage(CountedPage):
    """A page of a statement built once (``paged``): the page's LIMIT and OFFSET are given
    with the statement's other parameters, so the statement, its cache key and its compiled
    form are the same on every request. Uncounted, it has no total (the caller knows how
    many pages there are)."""

    def _rows(self, limit: int, offset: int):
        params = {**self._query_args["params"], "page_limit": limit, "page_offset": offset}
        return self._query_args["session"].execute(self._query_args["select"], params).unique()

    def _query_items(self) -> list:
        result = self._rows(self.per_page, self._query_offset)
        if not self._query_args["counted"]:
            return list(result.scalars())
        return self._counted(result.all())

    def _query_count(self) -> int:
        if self._total is None:  # a page past the end: the count beside the first row
            first = self._rows(1, 0).all()
            self._total = first[0][-1] if first else 0
        return self._total


def prepared_page(stmt: Select, params: dict, page: int, per_page: int,
                  counted: bool = False) -> PreparedPage:
    return PreparedPage(select=stmt, params=params, counted=counted, session=db.session(),
                        page=page, per_page=per_page, error_out=False, count=counted)
