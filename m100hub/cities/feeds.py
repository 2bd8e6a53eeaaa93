"""A city's Atom feed: what every feature adds to it (its consultations, events, threads)."""

from __future__ import annotations

from flask import abort

from ..features import feed_entries
from ..feeds import FEED_SIZE, atom_response, external
from ..page_cache import anonymous_page
from . import bp
from .queries import by_slug


@bp.route("/cities/<slug:slug>/feed.atom")
@anonymous_page
def atom(slug):
    city = by_slug(slug)
    if city is None:
        abort(404)
    return atom_response(f"{city.name} · M100 Hub", external("cities.show", slug=city.slug),
                         feed_entries("city", city, FEED_SIZE))
