"""Notification kinds and activity verbs of events."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..activity.verbs import register_verb
from ..notifications.kinds import Delivery, register_audience, register_kind
from .models import Registration, RegistrationStatus


def _event_url(payload: dict) -> str:
    return url_for("events.show", event_id=payload["event_id"])


register_kind("event_confirmed", lambda p: _(
    "You are registered for “%(title)s”.", title=p["title"]), _event_url,
    label=_l("Confirmations of your event registrations"), email=Delivery.APP)
register_kind("event_promoted", lambda p: _(
    "A place came free: you moved up from the waiting list and are registered for "
    "“%(title)s”.", title=p["title"]), _event_url,
    label=_l("A place came free at an event"), email=Delivery.IMMEDIATE)
register_kind("event_cancelled", lambda p: _(
    "“%(title)s” is cancelled: %(reason)s", title=p["title"], reason=p["reason"]), _event_url,
    label=_l("Cancellations of events you attend"), email=Delivery.IMMEDIATE)
register_kind("event_message", lambda p: _(
    "%(person)s about “%(title)s”: %(message)s", person=p["person"], title=p["title"],
    message=p["message"]), _event_url,
    label=_l("Messages and changes from organisers of events you attend"), email=Delivery.IMMEDIATE)
register_kind("event_reminder", lambda p: _(
    "Reminder: “%(title)s” starts within 24 hours.", title=p["title"]), _event_url,
    label=_l("Reminders of events you attend"), email=Delivery.IMMEDIATE)

register_verb("event_created", lambda f: _("created the event “%(target)s”", target=f["target"]))
register_verb("event_cancelled",
              lambda f: _("cancelled the event “%(target)s”", target=f["target"]))

register_audience("event_registrants", lambda event_id: select(Registration.user_id).where(
    Registration.event_id == event_id, Registration.status != RegistrationStatus.CANCELLED))
