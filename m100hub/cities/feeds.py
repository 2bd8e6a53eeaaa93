"""A city's Atom feed: what every feature adds to it (its consultations, events, threads)."""

from __future__ import annotations

from ..features import feed_entries
from ..feeds import FEED_SIZE, atom_response, external
from ..page_cache import anonymous_page
from . import bp
from .views import city_or_404


@bp.route("/cities/<slug:slug>/feed.atom")
@anonymous_page
def atom(slug):
    city = city_or_404(slug)
    return atom_response(f"{city.name} · M100 Hub", external("cities.show", slug=city.slug),
                         feed_entries("city", city, FEED_SIZE))
