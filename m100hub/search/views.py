"""The search page (its box is in every page's header)."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user

from ..cities.models import ClimateSector
from ..cities.queries import all_cities, by_slug
from ..features import SearchQuery
from ..folding import highlight, snippet, terms
from ..page_cache import anonymous_page
from ..util import choice_arg, page_arg
from . import bp, queries

#: characters a query may have (more is cut)
MAX_QUERY = 200


@bp.route("/search")
@anonymous_page
def index():
    text = request.args.get("q", "").strip()[:MAX_QUERY]
    words = terms(text)
    known = queries.sources()
    kind = choice_arg("kind", list(known))
    sector = choice_arg("sector", [s.value for s in ClimateSector])
    city = by_slug(request.args.get("city", "")) if request.args.get("city") else None
    page = None
    if words:
        query = SearchQuery(words=words, viewer=current_user, city_id=city.id if city else None,
                            sector=sector)
        page = queries.search(query, kind, page_arg(), current_app.config["PER_PAGE"])
    return render_template(
        "search/index.html", query=text, words=words, page=page, kind=kind, kinds=known,
        sector=sector, sectors=list(ClimateSector), city=city, cities=all_cities(),
        highlight=highlight, snippet=snippet)
