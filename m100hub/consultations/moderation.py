"""Consultation comments as a reportable kind: m100hub.moderation keeps the reports and the
queue (shared with the forums' posts) and decides; this says how a comment is found, shown,
hidden and logged."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ..activity.services import log
from ..database import utcnow
from ..extensions import db
from ..moderation import Reportable
from . import permissions
from .models import Comment, Consultation
from .participation import recount
from .participation_views import comment_url


def set_hidden(comment: Comment, hidden: bool, by=None, reason: str = "") -> None:
    """Hide (a reason from a moderator; none when reports hid it) or show, and recount."""
    comment.hidden_dt = utcnow() if hidden else None
    comment.hidden_reason = reason.strip() if hidden else ""
    db.session.flush()
    recount(comment.consultation_id, comment.proposal_id)


def _find(comment_id: int) -> Comment | None:
    """The comment with its consultation, when the reader may see the consultation."""
    comment = db.session.get(Comment, comment_id,
                             options=[joinedload(Comment.author), joinedload(Comment.consultation)],
                             populate_existing=True)
    if comment is None or not permissions.can_see(current_user, comment.consultation):
        return None
    return comment


def _log(moderator, action: str, comment: Comment, reason: str) -> None:
    consultation = db.session.get_one(Consultation, comment.consultation_id)
    verb = {"hidden": "consultation_comment_hidden", "shown": "consultation_comment_shown",
            "reports_dismissed": "consultation_comment_reports_dismissed"}[action]
    log(moderator, verb, consultation, reason=reason, label=_title(comment),
        comment_id=comment.id)


def _title(comment: Comment) -> str:
    """What the log and the notices name: the consultation (a draft's title is not public:
    its number then)."""
    consultation = db.session.get_one(Consultation, comment.consultation_id)
    return consultation.title if consultation.announced_dt is not None else f"#{consultation.id}"


REPORTABLE: Reportable = Reportable(
    kind="comment", model=Comment, label=_l("Comments in consultations"),
    empty=_l("No comment is waiting."), find=_find, can_report=permissions.can_report_comment,
    set_hidden=set_hidden, log=_log,
    url=comment_url,
    awaiting=Comment.awaiting_moderator,
    template="consultations/_report_item.html",
    report_title=lambda comment: _("Report a comment"),
    report_help=_l("Tell the moderators what is wrong. After several reports a comment is "
                   "hidden until a moderator decides."),
    messages={"thanks": _l("Thank you: the moderators will look at this comment."),
              "hidden": _l("The comment is hidden."),
              "shown": _l("The comment is visible again."),
              "reason_needed": _l("Give a public reason when you hide a comment."),
              "hide_warning": _l("Everyone will read “This comment was hidden by a "
                                 "moderator:” and your reason in its place (its replies stay "
                                 "readable); its author and those who reported it are told, "
                                 "with the reason."),
              "author_told": _l("A moderator hid your comment in “%(title)s”. Public reason: "
                                "%(reason)s"),
              "reporter_hidden": _l("The comment you reported in “%(title)s” was hidden. "
                                    "Public reason: %(reason)s"),
              "reporter_kept": _l("The comment you reported in “%(title)s” was kept visible "
                                  "by the moderators.")},
    title=_title,
    link=lambda ident: url_for("consultations.comment", comment_id=ident),
    queue_options=lambda: [joinedload(Comment.author), joinedload(Comment.consultation)],
)
