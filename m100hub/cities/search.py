"""What cities add to the hub's search: the cities, by name, county and summary (folded in
``City.search_text``)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..features import SearchQuery, SearchSource
from ..folding import result_columns, word_starts
from .models import City


def _cities(query: SearchQuery):
    if query.sector:
        return None  # a city is about every sector
    stmt = select(*result_columns(
        ident=City.id, ref=City.slug, title=City.name, body=City.summary,
        sort_dt=City.created_dt, city_id=City.id, words=query.words,
    )).where(word_starts(City.search_text, query.words))
    if query.city_id:
        stmt = stmt.where(City.id == query.city_id)
    return stmt


SEARCH = [SearchSource("cities", _l("Cities"), _cities,
                       lambda row: url_for("cities.show", slug=row.ref), order=5)]
