"""What events add to the hub's search: every event (they are public once created)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, select

from ..features import SearchQuery, SearchSource
from ..folding import result_columns, word_starts
from .models import Event


def _events(query: SearchQuery):
    stmt = select(*result_columns(
        ident=Event.id, title=Event.title, body=Event.description, sort_dt=Event.starts_dt,
        city_id=Event.city_id, words=query.words,
    )).where(word_starts(Event.search_text, query.words))
    if query.city_id:
        stmt = stmt.where(Event.city_id == query.city_id)
    if query.sector:
        # sectors is a short JSON list of words; a quoted match is exact and portable
        stmt = stmt.where(cast(Event.sectors, String).contains(f'"{query.sector}"'))
    return stmt


SEARCH = [SearchSource("events", _l("Events"), _events,
                       lambda row: url_for("events.show", event_id=row.ident), order=20)]
