"""A person's part of the experts' feature in their data download, and what deleting the
account does: their profile, answers and messages go (the requests' counters follow); the
requests they posted stay their city's, no longer naming them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update

from ..extensions import db
from ..features import PersonalData, Records, iso
from .models import ExpertiseAnswer, ExpertiseRequest, ExpertMessage, ExpertProfile
from .queries import city_ids_served


def _profile_records(person) -> list[dict]:
    profile = db.session.scalar(select(ExpertProfile).where(ExpertProfile.user_id == person.id))
    if profile is None:
        return []
    return [{"headline": profile.headline, "bio": profile.bio, "sectors": profile.sectors,
             "topics": profile.topics, "languages": profile.languages,
             "all_cities": profile.all_cities, "city_ids": city_ids_served(profile.id),
             "listed": profile.listed, "organisation_id": profile.organisation_id,
             "created": iso(profile.created_dt), "updated": iso(profile.updated_dt)}]


def export(person) -> list[Records]:
    requests = db.session.scalars(select(ExpertiseRequest).where(
        ExpertiseRequest.author_id == person.id).order_by(ExpertiseRequest.id))
    answers = db.session.scalars(select(ExpertiseAnswer).where(
        ExpertiseAnswer.user_id == person.id).order_by(ExpertiseAnswer.id))
    messages = db.session.scalars(select(ExpertMessage).where(or_(
        ExpertMessage.sender_id == person.id, ExpertMessage.recipient_id == person.id))
        .order_by(ExpertMessage.id))
    return [
        Records("expert_profile", _l("Your expert profile"), _profile_records(person)),
        Records("expertise_requests", _l("Requests for expertise you posted"), [
            {"title": r.title, "text": r.body, "city_id": r.city_id,
             "needed_by": r.needed_by.isoformat(), "closed": iso(r.closed_dt),
             "created": iso(r.created_dt)} for r in requests]),
        Records("expertise_answers", _l("Your answers to requests for expertise"), [
            {"request_id": a.request_id, "text": a.body, "helped": iso(a.helped_dt),
             "created": iso(a.created_dt)} for a in answers]),
        Records("expert_messages", _l("Messages through the experts' directory"), [
            {"sent": m.sender_id == person.id, "text": m.body, "created": iso(m.created_dt)}
            for m in messages]),
    ]


def erase(person) -> None:
    answered = list(db.session.scalars(select(ExpertiseAnswer.request_id).where(
        ExpertiseAnswer.user_id == person.id)))
    if answered:
        db.session.execute(update(ExpertiseRequest).where(ExpertiseRequest.id.in_(answered))
                           .values(answer_count=ExpertiseRequest.answer_count - 1))
    db.session.execute(delete(ExpertiseAnswer).where(ExpertiseAnswer.user_id == person.id))
    db.session.execute(update(ExpertiseAnswer).where(ExpertiseAnswer.helped_by_id == person.id)
                       .values(helped_by_id=None))
    db.session.execute(delete(ExpertMessage).where(or_(
        ExpertMessage.sender_id == person.id, ExpertMessage.recipient_id == person.id)))
    db.session.execute(delete(ExpertProfile).where(ExpertProfile.user_id == person.id))
    db.session.execute(update(ExpertiseRequest).where(ExpertiseRequest.author_id == person.id)
                       .values(author_id=None))
    db.session.flush()


PERSONAL_DATA = PersonalData(export, erase, models=(
    ExpertProfile, ExpertiseRequest, ExpertiseAnswer, ExpertMessage))
