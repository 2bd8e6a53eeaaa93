"""What the experts' feature adds to the hub's search: listed profiles and requests for
expertise (their folded ``search_text`` was written with them)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..features import SearchQuery, SearchSource
from ..folding import result_columns, word_starts
from .models import ExpertiseRequest, ExpertProfile
from .queries import json_has, serves_city


def _experts(query: SearchQuery):
    stmt = (select(*result_columns(
        ident=ExpertProfile.id, title=User.display_name + " — " + ExpertProfile.headline,
        body=ExpertProfile.bio, sort_dt=ExpertProfile.updated_dt, words=query.words))
        .join(User, User.id == ExpertProfile.user_id)
        .where(ExpertProfile.listed.is_(True), word_starts(ExpertProfile.search_text, query.words)))
    if query.city_id:
        stmt = stmt.where(serves_city(query.city_id))
    if query.sector:
        stmt = stmt.where(json_has(ExpertProfile.sectors, query.sector))
    return stmt


def _requests(query: SearchQuery):
    stmt = select(*result_columns(
        ident=ExpertiseRequest.id, title=ExpertiseRequest.title, body=ExpertiseRequest.body,
        sort_dt=ExpertiseRequest.created_dt, city_id=ExpertiseRequest.city_id,
        words=query.words)).where(word_starts(ExpertiseRequest.search_text, query.words))
    if query.city_id:
        stmt = stmt.where(ExpertiseRequest.city_id == query.city_id)
    if query.sector:
        stmt = stmt.where(json_has(ExpertiseRequest.sectors, query.sector))
    return stmt


SEARCH = [
    SearchSource("experts", _l("Experts"), _experts,
                 lambda row: url_for("experts.show", profile_id=row.ident), order=40),
    SearchSource("expertise_requests", _l("Requests for expertise"), _requests,
                 lambda row: url_for("experts.request_page", request_id=row.ident), order=45),
]
