"""The confirmation e-mail, in the person's language, with the event's calendar file."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .. import mail
from ..accounts.models import User
from ..extensions import db
from ..util import absolute_url
from .calendar import event_ics
from .models import Event


def send_confirmation(event: Event, user_id: int, promoted: bool) -> None:
    """Written to the outbox with the registration (nothing is sent if it rolls back)."""
    user = db.session.get_one(User, user_id)
    subject = (_l("A place came free: you are registered for “%(title)s”", title=event.title)
               if promoted else _l("You are registered for “%(title)s”", title=event.title))
    message = mail.compose(user.email, subject, "event_confirmed", user.locale, user=user,
                           event=event, promoted=promoted,
                           link=absolute_url("events.show", event_id=event.id))
    message["attachments"] = [(f"event-{event.id}.ics", "text/calendar",
                               event_ics(event, with_link=True).decode())]
    mail.queue(message)
