"""Notification kinds and activity verbs of the consultations."""

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..activity.verbs import register_verb
from ..i18n import format_datetime
from ..notifications.kinds import Delivery, register_audience, register_kind
from .models import FOLLOWS, Follower, Participant, ProposalStatus


def _status_label(code: str) -> str:
    return ProposalStatus(code).label


def _consultation_url(payload: dict) -> str:
    return url_for("consultations.show", consultation_id=payload["consultation_id"])


def _results_url(payload: dict) -> str:
    return url_for("consultations.results_page", consultation_id=payload["consultation_id"])


def _proposal_url(payload: dict) -> str:
    return url_for("consultations.proposal", proposal_id=payload["proposal_id"])


register_kind("consultation_opened", lambda p: _(
    "Voting has opened in the consultation “%(title)s”.", title=p["title"]), _consultation_url,
    label=_l("Voting opens in a consultation you follow"), email=Delivery.DAILY)
register_kind("consultation_closing", lambda p: _(
    "The consultation “%(title)s” closes in less than 48 hours.", title=p["title"]),
    _consultation_url,
    label=_l("A consultation you follow is about to close"), email=Delivery.DAILY)
register_kind("consultation_published", lambda p: _(
    "The results of “%(title)s” and the official response are published.", title=p["title"]),
    _results_url,
    label=_l("Results and responses of consultations you took part in"), email=Delivery.DAILY)
register_kind("consultation_proposal_status", lambda p: _(
    "Your proposal “%(proposal)s” is now: %(status)s.", proposal=p["proposal"],
    status=_status_label(p["status"])), _proposal_url,
    label=_l("Decisions on your proposals"), email=Delivery.DAILY)
register_kind("consultation_comment_reply", lambda p: _(
    "%(person)s replied to your comment in “%(title)s”.", person=p["person"], title=p["title"]),
    lambda p: url_for("consultations.comment", comment_id=p["comment_id"]),
    label=_l("Replies to your comments in consultations"), email=Delivery.DAILY)

register_verb("consultation_announced",
              lambda f: _("announced the consultation “%(target)s”", target=f["target"]))
register_verb("consultation_withdrawn", lambda f: _(
    "took the consultation “%(target)s” back to draft", target=f["target"]))
register_verb("consultation_edited_while_open", lambda f: _(
    "corrected the text of the open consultation “%(target)s” (%(what)s)", target=f["target"],
    what=f["what"]))
register_verb("consultation_extended", lambda f: _(
    "extended the consultation “%(target)s” until %(until)s", target=f["target"],
    until=format_datetime(datetime.fromisoformat(f["until"]), "short")))
register_verb("consultation_closed_early", lambda f: _(
    "closed voting in the consultation “%(target)s” before its planned end",
    target=f["target"]))
register_verb("consultation_published", lambda f: _(
    "published the results of “%(target)s” with the official response", target=f["target"]))
register_verb("consultation_proposal_status", lambda f: _(
    "answered the proposal “%(target)s”: %(status)s", target=f["target"],
    status=_status_label(f["status"])))
register_verb("consultation_comment_hidden", lambda f: _(
    "hid a comment in the consultation “%(target)s”", target=f["target"]))
register_verb("consultation_comment_shown", lambda f: _(
    "restored a comment in the consultation “%(target)s”", target=f["target"]))
register_verb("consultation_comment_reports_dismissed", lambda f: _(
    "kept a reported comment in the consultation “%(target)s” visible", target=f["target"]))

register_audience("consultation_followers", FOLLOWS.people)
#: "voting has opened" is news only to those who have not voted yet
register_audience("consultation_voterless_followers", lambda consultation_id: FOLLOWS.people(
    consultation_id).where(
    ~select(Participant.user_id).where(Participant.consultation_id == consultation_id,
                                       Participant.user_id == Follower.user_id).exists()))
