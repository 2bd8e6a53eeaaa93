"""The consultations' Atom feed, and their entries in a city's feed: announced consultations
only (never a draft), each updated when its results are published."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from ..features import FeedSource
from ..feeds import FEED_SIZE, Entry, atom_response, external
from ..page_cache import anonymous_page
from ..text import safe
from . import bp
from .models import Consultation
from .queries import of_city_for_feed


def entry(consultation: Consultation) -> Entry:
    place = consultation.city.name if consultation.city else _("National")
    parts = [Markup("<p>%s</p>") % consultation.summary,
             Markup("<p>%s</p>") % f"{place}", safe(consultation.body_html)]
    title = consultation.title
    if consultation.published_dt is not None:
        title = _("Results: %(title)s", title=consultation.title)
        results = external("consultations.results_page", consultation_id=consultation.id)
        parts += [Markup('<p><a href="%s">%s</a></p>') % (results, _("See the results")),
                  safe(consultation.response_html)]
    return Entry(
        title=title, url=external("consultations.show", consultation_id=consultation.id),
        updated=consultation.published_dt or consultation.announced_dt,  # type: ignore[arg-type]
        published=consultation.announced_dt, content=str(Markup("").join(parts)))


@bp.route("/consultations/feed.atom")
@anonymous_page
def atom():
    return atom_response(_("Public consultations") + " · M100 Hub",
                         external("consultations.index"),
                         [entry(c) for c in of_city_for_feed(None, FEED_SIZE)])


FEEDS: list[FeedSource] = [FeedSource("city", lambda city, limit: [
    entry(c) for c in of_city_for_feed(city.id, limit)])]
