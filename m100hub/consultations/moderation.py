"""Reported comments share the forums' moderation queue (one place for moderators) and its
rule: the third distinct report hides a comment until a moderator decides."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..activity.services import log
from ..database import locked, utcnow
from ..extensions import db
from ..forums.models import Report
from ..forums.services import REPORTS_TO_HIDE
from .models import Comment, Consultation, Proposal
from .services import Conflict


def recount(consultation_id: int, proposal_id: int | None) -> None:
    """Visible comments of the consultation (or the proposal), after hiding or showing."""
    target, key = (Proposal, proposal_id) if proposal_id else (Consultation, consultation_id)
    shown = select(func.count()).where(
        Comment.consultation_id == consultation_id, Comment.proposal_id.is_(None) if not
        proposal_id else Comment.proposal_id == proposal_id,
        Comment.hidden_dt.is_(None), Comment.deleted_dt.is_(None)).scalar_subquery()
    db.session.execute(update(target).where(target.id == key).values(comment_count=shown))


def _set_hidden(comment: Comment, hidden: bool, reason: str = "") -> None:
    comment.hidden_dt = utcnow() if hidden else None
    comment.hidden_reason = reason.strip() if hidden else ""
    db.session.flush()
    recount(comment.consultation_id, comment.proposal_id)


def report(user, comment: Comment, reason: str) -> bool:
    """Returns whether the comment was hidden now."""
    comment = locked(Comment, comment.id)  # concurrent reports count one after the other
    if comment.author_id == user.id or not comment.visible:
        raise Conflict("not reportable")
    try:
        with db.session.begin_nested():
            db.session.add(Report(comment_id=comment.id, reporter_id=user.id,
                                  reason=reason.strip()))
    except IntegrityError as exc:
        raise Conflict("already reported") from exc
    comment.report_count = db.session.scalar(select(func.count()).where(
        Report.comment_id == comment.id, Report.resolved_dt.is_(None)))
    hide_now = comment.report_count >= REPORTS_TO_HIDE
    if hide_now:
        _set_hidden(comment, True)
    db.session.flush()
    return hide_now


def _resolve_reports(comment: Comment) -> None:
    db.session.execute(update(Report).where(Report.comment_id == comment.id,
                                            Report.resolved_dt.is_(None))
                       .values(resolved_dt=utcnow()))
    comment.report_count = 0


def hide(moderator, comment: Comment, reason: str) -> None:
    _resolve_reports(comment)
    _set_hidden(comment, True, reason)
    _log(moderator, "consultation_comment_hidden", comment, reason)


def keep_visible(moderator, comment: Comment, reason: str = "") -> None:
    was_hidden = comment.hidden_dt is not None
    _resolve_reports(comment)
    if was_hidden:
        _set_hidden(comment, False)
    db.session.flush()
    _log(moderator, "consultation_comment_shown" if was_hidden
         else "consultation_comment_reports_dismissed", comment, reason)


def _log(moderator, verb: str, comment: Comment, reason: str) -> None:
    consultation = db.session.get(Consultation, comment.consultation_id)
    log(moderator, verb, consultation, reason=reason, label=consultation.title,
        comment_id=comment.id)
