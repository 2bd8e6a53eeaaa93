"""What consultations add to the hub's search: announced consultations and their proposals
(drafts never), by their folded ``search_text``."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, select

from ..features import SearchQuery, SearchSource
from ..folding import result_columns, word_starts
from .models import Consultation, Proposal


def _filtered(stmt, query: SearchQuery):
    stmt = stmt.where(Consultation.announced_dt.is_not(None))
    if query.city_id:
        stmt = stmt.where(Consultation.city_id == query.city_id)
    if query.sector:
        # sectors is a short JSON list of words; a quoted match is exact and portable
        stmt = stmt.where(cast(Consultation.sectors, String).contains(f'"{query.sector}"'))
    return stmt


def _consultations(query: SearchQuery):
    return _filtered(select(*result_columns(
        ident=Consultation.id, title=Consultation.title, body=Consultation.summary,
        sort_dt=Consultation.opens_dt, city_id=Consultation.city_id, words=query.words,
    )).where(word_starts(Consultation.search_text, query.words)), query)


def _proposals(query: SearchQuery):
    return _filtered(select(*result_columns(
        ident=Proposal.id, title=Proposal.title, body=Proposal.body, sort_dt=Proposal.created_dt,
        city_id=Consultation.city_id, words=query.words,
    )).join(Consultation, Consultation.id == Proposal.consultation_id)
        .where(word_starts(Proposal.search_text, query.words)), query)


SEARCH = [
    SearchSource("consultations", _l("Consultations"), _consultations,
                 lambda row: url_for("consultations.show", consultation_id=row.ident), order=10),
    SearchSource("proposals", _l("Proposals"), _proposals,
                 lambda row: url_for("consultations.proposal", proposal_id=row.ident), order=15),
]
