"""What the resources library adds to the hub's search: published items and funding calls,
insensitive to case and Romanian diacritics (``cladiri`` finds ``Clădiri``). Each keeps its
folded text in ``search_text`` (written by the services). Words match at their beginning
(``renov`` finds ``renovare``), as the forum's search; every word must occur."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, literal_column, or_, select

from ..extensions import db
from ..features import SearchQuery, SearchSource
from ..folding import result_columns
from .models import CallSector, Curation, FundingCall, Resource, ResourceCity, ResourceSector


def _matching(column, words: list[str]):
    """A clause: every folded word begins a word of the folded text (PostgreSQL: a
    ``simple`` text search with prefix terms, served by the GIN index of migration 0019, as
    the forum's; SQLite: LIKE on word starts)."""
    if db.engine.dialect.name == "postgresql":
        vector = func.to_tsvector(literal_column("'simple'"), column)
        return vector.op("@@")(func.to_tsquery(literal_column("'simple'"),
                                               " & ".join(f"{w}:*" for w in words)))
    # terms() keeps letters, digits and "_": "_" is LIKE's one wildcard among them, GLOB's none
    return and_(*(or_(column.like(w.replace("_", "\\_") + "%", escape="\\"),
                      column.op("GLOB")(f"*[^a-z0-9]{w}*")) for w in words))


# ------------------------------------------------------------- the hub-wide search's sources

def _resources(query: SearchQuery):
    stmt = select(*result_columns(
        ident=Resource.id, title=Resource.title, body=Resource.summary,
        sort_dt=Resource.updated_dt, city_id=Resource.practice_city_id, words=query.words,
    )).where(Resource.status == Curation.PUBLISHED, _matching(Resource.search_text, query.words))
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
             _matching(FundingCall.search_text, query.words))
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
