"""A person's ballots, proposals, comments, supports and follows in their data download, and
what deleting the account does to them.

What a person put into a consultation stays counted: ballots stay in the tallies and the
turnout, unlinked from the person (no longer anyone's); supports and comment votes keep their
counts (their rows, keyed by the person, go). A proposal or a comment others answered —
supported, commented, replied to, or answered by the officials — stays, shown as by a
deleted account; one nobody answered goes, text and all."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import aliased, joinedload

from ..database import utcnow
from ..extensions import db
from ..features import PersonalData, Records, iso
from .counting import decode
from .models import (
    Ballot,
    Comment,
    CommentVote,
    Consultation,
    Follower,
    Option,
    Participant,
    Proposal,
    ProposalStatus,
    Question,
    Support,
)
from .participation import recount


def export(person) -> list[Records]:
    return [_ballots(person.id), *_contributions(person.id), *_ties(person.id)]


def _ballots(user_id: int) -> Records:
    ballots = db.session.execute(
        select(Ballot, Question, Consultation.title)
        .join(Question, Question.id == Ballot.question_id)
        .join(Consultation, Consultation.id == Question.consultation_id)
        .where(Ballot.user_id == user_id).order_by(Ballot.id)).all()
    option_ids = {option_id for ballot, question, _t in ballots
                  for option_id in decode(question.kind.value, ballot.choice_key)}
    labels = {o.id: o.title for o in db.session.scalars(
        select(Option).where(Option.id.in_(option_ids)))} if option_ids else {}
    return Records("ballots", _l("Your ballots"), [
        {"consultation": title, "question": question.text,
         "choices": [labels.get(i, i) for i in decode(question.kind.value, ballot.choice_key)],
         "sector": ballot.sector.value, "cast": iso(ballot.created_dt),
         "changed": iso(ballot.changed_dt)} for ballot, question, title in ballots])


def _contributions(user_id: int) -> list[Records]:
    proposals = db.session.execute(select(Proposal, Consultation.title).join(
        Consultation, Consultation.id == Proposal.consultation_id)
        .where(Proposal.author_id == user_id).order_by(Proposal.id)).all()
    comments = db.session.scalars(select(Comment).options(joinedload(Comment.consultation))
                                  .where(Comment.author_id == user_id).order_by(Comment.id))
    created = db.session.scalars(select(Consultation).where(Consultation.created_by_id == user_id)
                                 .order_by(Consultation.id))
    return [
        Records("proposals", _l("Your proposals"), [
            {"consultation": title, "title": p.title, "text": p.body,
             "supports": p.support_count, "answer": p.status.value,
             "answer_reason": p.status_reason, "written": iso(p.created_dt)}
            for p, title in proposals]),
        Records("consultation_comments", _l("Your comments on consultations"), [
            {"consultation": c.consultation.title, "proposal": c.proposal_id, "text": c.body,
             "written": iso(c.created_dt), "deleted": iso(c.deleted_dt),
             "hidden": iso(c.hidden_dt), "hidden_reason": c.hidden_reason} for c in comments]),
        Records("consultations_created", _l("Consultations you created"), [
            {"title": c.title, "created": iso(c.created_dt)} for c in created]),
    ]


def _ties(user_id: int) -> list[Records]:
    def titled(model, key):
        return db.session.execute(select(Consultation.title, model.created_dt).join(
            Consultation, Consultation.id == key).where(model.user_id == user_id)).all()

    supports = db.session.execute(select(Proposal.title, Support.created_dt).join(
        Proposal, Proposal.id == Support.proposal_id).where(Support.user_id == user_id)).all()
    votes = db.session.execute(select(CommentVote.comment_id, CommentVote.value)
                               .where(CommentVote.user_id == user_id)).all()
    return [
        Records("consultations_voted", _l("Consultations you voted in"), [
            {"consultation": t, "since": iso(d)}
            for t, d in titled(Participant, Participant.consultation_id)]),
        Records("consultations_followed", _l("Consultations you follow"), [
            {"consultation": t, "since": iso(d)}
            for t, d in titled(Follower, Follower.consultation_id)]),
        Records("supports", _l("Proposals you support"), [
            {"proposal": t, "since": iso(d)} for t, d in supports]),
        Records("comment_votes", _l("Your votes on comments"), [
            {"comment": c, "vote": v} for c, v in votes]),
    ]


def erase(person) -> None:
    user_id = person.id
    # counted, and stays counted: tallies, turnout and counters are not touched
    db.session.execute(update(Ballot).where(Ballot.user_id == user_id).values(user_id=None))
    for model in (Participant, Follower, Support, CommentVote):
        db.session.execute(delete(model).where(model.user_id == user_id))
    _remove_unanswered_comments(user_id)
    _remove_unanswered_proposals(user_id)
    db.session.flush()


def _remove_unanswered_comments(user_id: int) -> None:
    reply = aliased(Comment)
    unanswered = db.session.execute(select(Comment.id, Comment.consultation_id,
                                           Comment.proposal_id).where(
        Comment.author_id == user_id, ~exists().where(reply.parent_id == Comment.id))).all()
    if not unanswered:
        return
    db.session.execute(update(Comment).where(Comment.id.in_([c for c, _k, _p in unanswered]))
                       .values(deleted_dt=func.coalesce(Comment.deleted_dt, utcnow()),
                               body="", body_html=""))
    for consultation_id, proposal_id in sorted({(k, p or 0) for _c, k, p in unanswered}):
        recount(consultation_id, proposal_id or None)


def _remove_unanswered_proposals(user_id: int) -> None:
    unanswered = db.session.execute(select(Proposal.id, Proposal.consultation_id).where(
        Proposal.author_id == user_id, Proposal.support_count == 0,
        Proposal.status == ProposalStatus.NONE,
        ~exists().where(Comment.proposal_id == Proposal.id))).all()
    for proposal_id, consultation_id in unanswered:
        db.session.execute(delete(Proposal).where(Proposal.id == proposal_id))
        db.session.execute(update(Consultation).where(Consultation.id == consultation_id)
                           .values(proposal_count=Consultation.proposal_count - 1))


PERSONAL_DATA = PersonalData(export, erase, models=(
    Consultation, Ballot, Participant, Follower, Proposal, Support, Comment, CommentVote))
