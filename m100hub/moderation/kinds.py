"""Notification kinds of moderation: its author is told that an item was hidden (with the
public reason), its reporters what was decided. Worded by the item's reportable kind."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..notifications.kinds import Delivery, register_kind
from .reportables import reportables

#: for a reportable kind that brings no words of its own
_GENERIC = {
    "author_told": _l("A moderator hid what you wrote in “%(title)s”. Public reason: "
                      "%(reason)s"),
    "reporter_hidden": _l("What you reported in “%(title)s” was hidden. Public reason: "
                          "%(reason)s"),
    "reporter_kept": _l("What you reported in “%(title)s” was kept visible by the "
                        "moderators."),
}


def words(kind: str, key: str) -> str:
    """The message ``key`` in the words of the reportable ``kind`` (KeyError when the kind
    is gone: the centre shows a generic line)."""
    reportable = reportables()[kind]
    return str(reportable.messages.get(key, _GENERIC[key]))


def _message(key: str):
    return lambda p: words(p["item"], key) % {"title": p["title"], "reason": p["reason"]}


def _link(payload: dict) -> str:
    return reportables()[payload["item"]].link(payload["id"])


register_kind("moderation_hidden", _message("author_told"), _link,
    label=_l("Moderation of what you wrote"), email=Delivery.DAILY)
register_kind(
    "moderation_report_decided",
    lambda p: _message("reporter_hidden" if p["outcome"] == "hidden" else "reporter_kept")(p),
    _link,
    label=_l("Decisions on your reports"), email=Delivery.DAILY,
)
