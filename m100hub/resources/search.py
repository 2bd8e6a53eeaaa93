"""Finding library items and funding calls by words, insensitive to case and Romanian
diacritics as the forum search is (its ``fold`` and ``terms``): ``cladiri`` finds
``Clădiri``. Each item keeps its folded text in ``search_text`` (written by the services);
the hub-wide search calls ``search_resources`` and ``search_calls``.

Words match at their beginning (``renov`` finds ``renovare``), every word must occur."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, literal_column, or_, select

from ..extensions import db
from ..features import SearchQuery, SearchSource
from ..folding import has_words, result_columns, terms
from .models import CallSector, Curation, FundingCall, Resource, ResourceCity, ResourceSector


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


# ------------------------------------------------------------- the hub-wide search's sources

def _resources(query: SearchQuery):
    stmt = select(*result_columns(
        ident=Resource.id, title=Resource.title, body=Resource.summary,
        sort_dt=Resource.updated_dt, city_id=Resource.practice_city_id, words=query.words,
    )).where(Resource.status == Curation.PUBLISHED, has_words(Resource.search_text, query.words))
    if query.city_id:
        stmt = stmt.where(or_(Resource.practice_city_id == query.city_id, exists().where(
            ResourceCity.resource_id == Resource.id, ResourceCity.city_id == query.city_id)))
    if query.sector:
        stmt = stmt.where(exists().where(ResourceSector.resource_id == Resource.id,
                                         ResourceSector.sector == query.sector))
    return stmt


def _calls(query: SearchQuery):
    if query.city_id:
        return None  # calls are national or European: none belongs to a city
    stmt = select(*result_columns(
        ident=FundingCall.id, title=FundingCall.title, body=FundingCall.summary,
        sort_dt=FundingCall.deadline_dt, words=query.words,
    )).where(FundingCall.status == Curation.PUBLISHED,
             has_words(FundingCall.search_text, query.words))
    if query.sector:
        stmt = stmt.where(exists().where(CallSector.call_id == FundingCall.id,
                                         CallSector.sector == query.sector))
    return stmt


SEARCH = [
    SearchSource("resources", _l("Resources"), _resources,
                 lambda row: url_for("resources.resource", resource_id=row.ident), order=50),
    SearchSource("funding_calls", _l("Funding calls"), _calls,
                 lambda row: url_for("resources.funding_call", call_id=row.ident), order=55),
]
