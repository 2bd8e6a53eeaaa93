"""Taking part beyond the ballot: proposals, supports, comments and their votes.

Each "one per person" rule is a primary key; counters move in the same transaction by
relative UPDATEs, so concurrent supports and votes never lose a count."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from ..database import insert_on_conflict, locked, rows_changed, utcnow
from ..extensions import db
from ..notifications.services import notify
from ..text import render_markdown
from .models import FOLLOWS, Comment, CommentVote, Consultation, Phase, Proposal, Support
from .services import Conflict

#: replies nest this deep; a reply to the deepest comment joins its parent's level
MAX_DEPTH = 3


def submit_proposal(author, consultation: Consultation, title: str, body: str) -> Proposal:
    if consultation.phase != Phase.OPEN:
        raise Conflict(consultation.phase.value)
    proposal = Proposal(consultation_id=consultation.id, author_id=author.id, title=title,
                        body=body, body_html=render_markdown(body))
    db.session.add(proposal)
    db.session.execute(update(Consultation).where(Consultation.id == consultation.id)
                       .values(proposal_count=Consultation.proposal_count + 1))
    FOLLOWS.follow(author.id, consultation.id)
    db.session.flush()
    return proposal


def support(user, consultation: Consultation, proposal: Proposal) -> None:
    """One support per person (the primary key); twice, or one's own, is a Conflict."""
    if consultation.phase != Phase.OPEN:
        raise Conflict(consultation.phase.value)
    if proposal.author_id == user.id:
        raise Conflict("own proposal")
    try:
        with db.session.begin_nested():
            db.session.add(Support(proposal_id=proposal.id, user_id=user.id))
    except IntegrityError as exc:
        raise Conflict("already supported") from exc
    db.session.execute(update(Proposal).where(Proposal.id == proposal.id)
                       .values(support_count=Proposal.support_count + 1))


def withdraw_support(user, consultation: Consultation, proposal: Proposal) -> None:
    if consultation.phase != Phase.OPEN:
        raise Conflict(consultation.phase.value)
    gone = rows_changed(delete(Support).where(
        Support.proposal_id == proposal.id, Support.user_id == user.id))
    if gone != 1:
        raise Conflict("not supported")
    db.session.execute(update(Proposal).where(Proposal.id == proposal.id)
                       .values(support_count=Proposal.support_count - 1))


def add_comment(author, consultation: Consultation, body: str, proposal: Proposal | None = None,
                parent: Comment | None = None) -> Comment:
    if consultation.phase not in (Phase.SCHEDULED, Phase.OPEN):
        raise Conflict(consultation.phase.value)
    if parent is not None and (parent.consultation_id != consultation.id
                               or parent.proposal_id != (proposal.id if proposal else None)
                               or not parent.visible):
        raise LookupError(parent.id)
    depth = min(parent.depth + 1, MAX_DEPTH) if parent is not None else 0
    comment = Comment(consultation_id=consultation.id, proposal_id=proposal.id if proposal
                      else None, parent_id=parent.id if parent else None, depth=depth,
                      author_id=author.id, body=body, body_html=render_markdown(body))
    db.session.add(comment)
    target = Proposal if proposal is not None else Consultation
    db.session.execute(update(target).where(target.id == (proposal or consultation).id)
                       .values(comment_count=target.comment_count + 1))
    FOLLOWS.follow(author.id, consultation.id)
    db.session.flush()
    if parent is not None and parent.author_id:
        notify([parent.author_id], "consultation_comment_reply", comment, actor=author,
               payload={"person": author.display_name, "title": consultation.title,
                        "comment_id": comment.id}, city=consultation.city_id)
    return comment


def vote_comment(user, comment: Comment, value: int) -> int:
    """Up (+1), down (−1) or take back (0) one's vote (who may: permissions); returns the
    previous value. A hidden or deleted comment takes no votes."""
    if not comment.visible:
        raise Conflict("not votable")
    locked(Comment, comment.id)  # one person's two quick clicks count one after the other
    previous = db.session.scalar(select(CommentVote.value).where(
        CommentVote.comment_id == comment.id, CommentVote.user_id == user.id)
        .with_for_update()) or 0
    if previous == value:
        return previous
    if value == 0:
        db.session.execute(delete(CommentVote).where(CommentVote.comment_id == comment.id,
                                                     CommentVote.user_id == user.id))
    else:
        db.session.execute(insert_on_conflict(CommentVote).values(
            comment_id=comment.id, user_id=user.id, value=value).on_conflict_do_update(
            index_elements=[CommentVote.comment_id, CommentVote.user_id], set_={"value": value}))
    up = (value == 1) - (previous == 1)
    down = (value == -1) - (previous == -1)
    db.session.execute(update(Comment).where(Comment.id == comment.id).values(
        up_count=Comment.up_count + up, down_count=Comment.down_count + down))
    return previous


def delete_comment(comment: Comment) -> None:
    """The author withdraws a comment: a placeholder keeps the replies readable."""
    if comment.deleted_dt is not None:
        raise Conflict("deleted")
    comment.deleted_dt = utcnow()
    db.session.flush()
    recount(comment.consultation_id, comment.proposal_id)


def recount(consultation_id: int, proposal_id: int | None) -> None:
    """Visible comments of the consultation (or the proposal), after hiding or showing."""
    target, key = (Proposal, proposal_id) if proposal_id else (Consultation, consultation_id)
    shown = select(func.count()).where(
        Comment.consultation_id == consultation_id, Comment.proposal_id.is_(None) if not
        proposal_id else Comment.proposal_id == proposal_id,
        Comment.hidden_dt.is_(None), Comment.deleted_dt.is_(None)).scalar_subquery()
    db.session.execute(update(target).where(target.id == key).values(comment_count=shown))
