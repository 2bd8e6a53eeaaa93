"""A page of rows and how many there are in all, from one query."""

from __future__ import annotations

from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import func

from .extensions import db


class CountedPage(SelectPagination):
    """Flask-SQLAlchemy's page, whose total comes as a window count beside each row instead
    of a second query (a page past the end still asks for the count)."""

    _total: int | None = None

    def _query_items(self) -> list:
        stmt = self._query_args["select"].add_columns(func.count().over())
        rows = self._query_args["session"].execute(
            stmt.limit(self.per_page).offset(self._query_offset)).unique().all()
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
