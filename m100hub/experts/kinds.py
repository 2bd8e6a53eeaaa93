"""Notification kinds and activity verbs of the experts' feature."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..activity.verbs import register_verb
from ..notifications.kinds import Delivery, register_kind


def _request_url(payload: dict) -> str:
    return url_for("experts.request_page", request_id=payload["request_id"])


register_kind("expert_message", lambda p: _(
    "%(name)s wrote to you through the experts' directory.", name=p["sender"]),
    lambda p: url_for("experts.message", message_id=p["message_id"]),
    # the message itself is e-mailed at once (services.send_message): the app tells the rest
    label=_l("Messages written to you through the experts' directory"), email=Delivery.APP)
register_kind("expertise_answer", lambda p: _(
    "%(name)s offered to help with “%(title)s”.", name=p["expert"], title=p["title"]),
    _request_url, label=_l("Offers of help on your city's requests for expertise"),
    email=Delivery.IMMEDIATE)
register_kind("expertise_helped", lambda p: _(
    "The city marked that you helped with “%(title)s”. Thank you!", title=p["title"]),
    _request_url, label=_l("A city marked that you helped"), email=Delivery.DAILY)

register_verb("expertise_request_posted", lambda f: _(
    "asked experts for help: “%(target)s”", target=f["target"]))
register_verb("expertise_request_closed", lambda f: _(
    "closed the request for expertise “%(target)s”", target=f["target"]))
register_verb("expertise_helped", lambda f: _(
    "marked an expert who helped with “%(target)s”", target=f["target"]))
