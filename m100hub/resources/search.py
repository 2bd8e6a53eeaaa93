"""What the resources library adds to the hub's search: published items and funding calls,
insensitive to case and Romanian diacritics (``cladiri`` finds ``Clădiri``). Each keeps its
folded text in ``search_text`` (written by the services). Words match at their beginning
(``renov`` finds ``renovare``), as the forum's search; every word must occur."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from ..features import SearchQuery, SearchSource
from ..folding import result_columns, word_starts
from .models import Curation, FundingCall, Resource
from .queries import CallFilters, ResourceFilters, filtered_calls, filtered_resources

# ------------------------------------------------------------- the hub-wide search's sources

def _resources(query: SearchQuery):
    stmt = select(*result_columns(
        ident=Resource.id, title=Resource.title, body=Resource.summary,
        sort_dt=Resource.updated_dt, city_id=Resource.practice_city_id, words=query.words,
    )).where(Resource.status == Curation.PUBLISHED, word_starts(Resource.search_text, query.words))
    if query.city_id:
        stmt = stmt.where(or_(Resource.practice_city_id == query.city_id,
                              Resource.city_rows.any(city_id=query.city_id)))
    return filtered_resources(stmt, ResourceFilters(sector=query.sector))


def _calls(query: SearchQuery):
    if query.city_id:
        return None  # calls are national or European: none belongs to a city
    stmt = select(*result_columns(
        ident=FundingCall.id, title=FundingCall.title, body=FundingCall.summary,
        sort_dt=FundingCall.deadline_dt, words=query.words,
    )).where(FundingCall.status == Curation.PUBLISHED,
             word_starts(FundingCall.search_text, query.words))
    return filtered_calls(stmt, CallFilters(sector=query.sector))


SEARCH = [
    SearchSource("resources", _l("Resources"), _resources,
                 lambda row: url_for("resources.resource", resource_id=row.ident), order=50),
    SearchSource("funding_calls", _l("Funding calls"), _calls,
                 lambda row: url_for("resources.funding_call", call_id=row.ident), order=55),
]
