"""The events' Atom feed, and their entries in a city's feed: when and where, the
description; never the meeting link (confirmed registrants only)."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from ..feeds import FEED_SIZE, Entry, atom_response, external
from ..i18n import format_when
from ..page_cache import anonymous_page
from ..text import safe
from . import bp
from .models import Event
from .queries import latest


def entry(event: Event) -> Entry:
    place = event.address or (event.city.name if event.city else "")
    facts = [format_when(event.starts_dt), str(event.kind.label), str(event.attendance.label)]
    parts = [Markup("<p>%s</p>") % " · ".join(facts + ([place] if place else []))]
    title = event.title
    if event.cancelled_dt is not None:
        title = _("Cancelled: %(title)s", title=event.title)
        parts.append(Markup("<p>%s</p>") % event.cancel_reason)
    parts.append(safe(event.description_html))
    return Entry(title=title, url=external("events.show", event_id=event.id),
                 updated=event.cancelled_dt or event.created_dt, published=event.created_dt,
                 content=str(Markup("").join(parts)))


@bp.route("/events/feed.atom")
@anonymous_page
def atom():
    return atom_response(_("Events") + " · M100 Hub", external("events.index"),
                         [entry(e) for e in latest(None, FEED_SIZE)])
