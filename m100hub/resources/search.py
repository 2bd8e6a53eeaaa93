"""Finding library items and funding calls by words, insensitive to case and Romanian
diacritics as the forum search is (its ``fold`` and ``terms``): ``cladiri`` finds
``Clădiri``. Each item keeps its folded text in ``search_text`` (written by the services);
the hub-wide search calls ``search_resources`` and ``search_calls``.

Words match at their beginning (``renov`` finds ``renovare``), every word must occur."""

from __future__ import annotations

from sqlalchemy import and_, func, literal_column, or_

from ..extensions import db
from ..folding import terms
from .models import Curation, FundingCall, Resource


def _matching(column, query: str):
    """A clause: every word of ``query`` begins a word of the folded text (PostgreSQL: a
    ``simple`` text search with prefix terms, as the forum's; SQLite: LIKE on word starts),
    or None when the query has no word."""
    words = terms(query)
    if not words:
        return None
    if db.engine.dialect.name == "postgresql":
        vector = func.to_tsvector(literal_column("'simple'"), column)
        return vector.op("@@")(func.to_tsquery(literal_column("'simple'"),
                                               " & ".join(f"{w}:*" for w in words)))
    # terms() keeps letters, digits and "_": "_" is LIKE's one wildcard among them, GLOB's none
    return and_(*(or_(column.like(w.replace("_", "\\_") + "%", escape="\\"),
                      column.op("GLOB")(f"*[^a-z0-9]{w}*")) for w in words))


def search_resources(query: str, limit: int = 20) -> list[Resource]:
    """Published library items whose text has every word of ``query``, newest first."""
    clause = _matching(Resource.search_text, query)
    if clause is None:
        return []
    return list(db.session.scalars(db.select(Resource).where(
        Resource.status == Curation.PUBLISHED, clause).order_by(Resource.id.desc())
        .limit(limit)))


def search_calls(query: str, limit: int = 20) -> list[FundingCall]:
    """Published funding calls whose text has every word of ``query``, latest deadline first."""
    clause = _matching(FundingCall.search_text, query)
    if clause is None:
        return []
    return list(db.session.scalars(db.select(FundingCall).where(
        FundingCall.status == Curation.PUBLISHED, clause)
        .order_by(FundingCall.deadline_dt.desc()).limit(limit)))
