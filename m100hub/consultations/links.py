"""Consultations and proposals as items a city's decisions link to ("you said, we did"):
their public titles and addresses, what an official may link, and who took part (voters and
commenters of a consultation; the author, supporters and commenters of a proposal)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..features import Linkable, LinkedItem
from .models import Comment, Consultation, Participant, Proposal, Support

#: how many an official picks from (the newest)
CANDIDATES = 200


def _consultations(ids: list[int]) -> dict[int, LinkedItem]:
    rows = db.session.execute(
        select(Consultation.id, Consultation.title, Consultation.city_id)
        .where(Consultation.id.in_(ids), Consultation.announced_dt.is_not(None)))
    return {ident: LinkedItem(title, url_for("consultations.show", consultation_id=ident),
                              city_id) for ident, title, city_id in rows}


def _consultation_candidates(city_id: int) -> list[tuple[int, str]]:
    return [(ident, title) for ident, title in db.session.execute(
        select(Consultation.id, Consultation.title)
        .where(Consultation.city_id == city_id, Consultation.announced_dt.is_not(None))
        .order_by(Consultation.opens_dt.desc(), Consultation.id.desc()).limit(CANDIDATES))]


def _consultation_participants(ids):
    return [select(Participant.user_id).where(Participant.consultation_id.in_(ids)),
            select(Comment.author_id).where(Comment.consultation_id.in_(ids),
                                            Comment.proposal_id.is_(None),
                                            Comment.author_id.is_not(None))]


def _proposals(ids: list[int]) -> dict[int, LinkedItem]:
    rows = db.session.execute(
        select(Proposal.id, Proposal.title, Consultation.city_id)
        .join(Consultation, Consultation.id == Proposal.consultation_id)
        .where(Proposal.id.in_(ids), Consultation.announced_dt.is_not(None)))
    return {ident: LinkedItem(title, url_for("consultations.proposal", proposal_id=ident),
                              city_id) for ident, title, city_id in rows}


def _proposal_candidates(city_id: int) -> list[tuple[int, str]]:
    return [(ident, title) for ident, title in db.session.execute(
        select(Proposal.id, Proposal.title)
        .join(Consultation, Consultation.id == Proposal.consultation_id)
        .where(Consultation.city_id == city_id, Consultation.announced_dt.is_not(None))
        .order_by(Proposal.id.desc()).limit(CANDIDATES))]


def _proposal_participants(ids):
    return [select(Support.user_id).where(Support.proposal_id.in_(ids)),
            select(Proposal.author_id).where(Proposal.id.in_(ids),
                                             Proposal.author_id.is_not(None)),
            select(Comment.author_id).where(Comment.proposal_id.in_(ids),
                                            Comment.author_id.is_not(None))]


LINKABLES = [
    Linkable("consultation", _l("Consultation"), "consultation", _consultations,
             _consultation_candidates, _consultation_participants, search="consultations"),
    Linkable("proposal", _l("Proposal"), "proposal", _proposals, _proposal_candidates,
             _proposal_participants, search="proposals"),
]
