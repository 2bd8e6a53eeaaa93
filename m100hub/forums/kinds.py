"""Notification kinds and activity verbs of the forums."""

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..activity.verbs import register_verb
from ..notifications.kinds import Delivery, register_audience, register_kind
from .models import CATEGORY_FOLLOWS, THREAD_FOLLOWS


def _named(facts: dict, key: str) -> str:
    """A category's name as the reader's language has it: the English one, when the fact
    was recorded with one (``<key>_en``), for English readers; the Romanian one otherwise."""
    english = facts.get(f"{key}_en")
    return english if english and str(get_locale()) == "en" else facts[key]


def _post_url(payload: dict) -> str:
    return url_for("forums.post", post_id=payload["post_id"])


register_kind(
    "forum_reply",
    lambda p: _("%(person)s replied in “%(thread)s”.", person=p["person"], thread=p["thread"]),
    _post_url,
    label=_l("Replies in threads you follow"), email=Delivery.DAILY,
)
register_kind(
    "forum_mention",
    lambda p: _("%(person)s mentioned you in “%(thread)s”.", person=p["person"],
                thread=p["thread"]),
    _post_url,
    label=_l("Mentions of you"), email=Delivery.DAILY,
)
register_kind(
    "forum_new_thread",
    lambda p: _("%(person)s started “%(thread)s” in %(category)s.", person=p["person"],
                thread=p["thread"], category=_named(p, "category")),
    _post_url,
    label=_l("New threads in categories you follow"), email=Delivery.DAILY,
)
register_audience("forum_thread_followers", THREAD_FOLLOWS.people)
register_audience("forum_category_followers", CATEGORY_FOLLOWS.people)

register_verb("forum_post_hidden", lambda f: _("hid post #%(number)s in thread %(target)s",
                                                number=f["number"], target=f["target"]))
register_verb("forum_post_shown", lambda f: _("restored post #%(number)s in thread %(target)s",
                                               number=f["number"], target=f["target"]))
register_verb("forum_reports_dismissed", lambda f: _(
    "kept post #%(number)s in thread %(target)s visible after reports", number=f["number"],
    target=f["target"]))
register_verb("forum_category_created",
              lambda f: _("added the forum category %(target)s", target=_named(f, "target")))
register_verb("forum_category_updated",
              lambda f: _("changed the forum category %(target)s", target=_named(f, "target")))
register_verb("forum_thread_locked", lambda f: _("locked “%(target)s”", target=f["target"]))
register_verb("forum_thread_unlocked", lambda f: _("unlocked “%(target)s”", target=f["target"]))
register_verb("forum_thread_pinned", lambda f: _("pinned “%(target)s”", target=f["target"]))
register_verb("forum_thread_unpinned", lambda f: _("unpinned “%(target)s”", target=f["target"]))
register_verb("forum_thread_moved", lambda f: _(
    "moved “%(target)s” from %(source)s to %(destination)s", target=f["target"],
    source=_named(f, "source"), destination=_named(f, "destination")))
