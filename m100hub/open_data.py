"""The read-only open-data API under ``/api/v1/``: what every feature's endpoints share.

A feature contributes endpoints by declaring a flask-smorest ``Blueprint`` made with
``api_blueprint(...)`` in its ``Feature(api=[...])``; flask-smorest builds the OpenAPI document
(``/api/v1/openapi.json``) from their marshmallow schemas. Here, once for all of them:

- keyset pagination on a stable key (``after`` / ``limit``), a ``next`` address in the body
  and in a ``Link`` header;
- ``ETag`` (a hash of the body) and ``Last-Modified`` (when this body was first served,
  remembered in the shared cache), with ``304 Not Modified`` on conditional requests, so
  clients can poll cheaply;
- the JSON answers kept in the shared page cache (page_cache.py, ``for_everyone``) for
  ANONYMOUS_PAGE_SECONDS with those headers, whoever asks: the answer does not depend on the
  reader; a conditional request is answered 304 from the cached headers;
- CORS for reading (GET, HEAD, OPTIONS from any origin, never with credentials);
- a rate limit per client address (``RATE_LIMIT_API``);
- JSON errors for the API's own requests (the site's pages keep their HTML error pages).

The views read public data only, as an anonymous visitor would see it, whoever asks.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from flask import Blueprint as FlaskBlueprint
from flask import Flask, current_app, g, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import Select
from werkzeug.exceptions import HTTPException

from .extensions import cache, db, limiter
from .page_cache import _use_cache, anonymous_page
from .security import limit_in_force
from .util import MAX_ID, SlugConverter, csv_response

PREFIX = "/api/v1"
#: items per page when the client does not say, and at most
DEFAULT_LIMIT, MAX_LIMIT = 50, 100
#: how long the moment a body was first served is remembered (its Last-Modified)
FIRST_SEEN_SECONDS = 7 * 24 * 3600
#: what a browser on another site may read and send
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Link, Retry-After, "
                                     "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset",
    "Access-Control-Max-Age": "86400",
}
#: the headers of a conditional request (as WSGI names them): answered 304 or 412
CONDITIONS = frozenset(("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH"))
RATE_LIMIT_SETTING = "RATE_LIMIT_API"
RATE_LIMIT_DEFAULT = "120 per minute;3000 per hour"


#: the browsable page of the document (Swagger UI, served from static/vendor/)
pages = FlaskBlueprint("open_data", __name__)


@pages.route("/open-data")
@anonymous_page
def docs():
    return render_template("open_data/docs.html")


class OpenDataApi(Api):
    """flask-smorest's Api, whose JSON error handler answers the API's requests only: its
    own registers one for every HTTP error of the whole app."""

    def _register_error_handlers(self):
        pass


class ApiBlueprint(Blueprint):
    """A feature's part of the API, whose routes answer with an ETag, a Last-Modified and a
    Link, kept in the shared page cache (``cached=False``: never, a streamed CSV)."""

    def route(self, rule, *, parameters=None, tags=None, cached: bool = True, **options):
        register = super().route(rule, parameters=parameters, tags=tags, **options)
        if not cached:
            return register
        return lambda view: register(anonymous_page(_tagged(view), for_everyone=True))


def api_blueprint(name: str, import_name: str, description: str) -> Blueprint:
    """A feature's part of the API: its endpoints are under /api/v1/, rate limited per client
    (one allowance for the whole API), their answers cached."""
    blp = ApiBlueprint(f"api_{name}", import_name, url_prefix=PREFIX, description=description)
    limiter.shared_limit(_allowed, scope="open-data-api", key_func=get_remote_address,
                         methods=["GET", "HEAD"])(blp)
    return blp


def _json_error(error: HTTPException):
    """flask-smorest's JSON error for the API's addresses (errors.py asks), None elsewhere."""
    if not request.path.startswith(PREFIX + "/"):
        return None
    return current_app.extensions["m100_open_data"].handle_http_exception(error)


def _allowed() -> str:
    return limit_in_force(current_app.config[RATE_LIMIT_SETTING])


class ListArgs(Schema):
    """The query arguments of every list: a feature's list adds its filters."""

    after = fields.Integer(validate=validate.Range(min=0, max=MAX_ID), metadata={
        "description": "Continue after this key (the `next` address carries it)."})
    limit = fields.Integer(load_default=DEFAULT_LIMIT,
                           validate=validate.Range(min=1, max=MAX_LIMIT),
                           metadata={"description": f"Items per page, 1–{MAX_LIMIT}."})


def city_arg() -> fields.Field:
    """The ``city`` filter: a city's slug (nothing else can name one)."""
    return fields.String(validate=validate.Regexp(f"^{SlugConverter.regex}$"),
                         metadata={"description": "A city's slug"})


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """The schema of a list's page: its items and the address of the next page (null on the
    last)."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item), required=True),
        "next": fields.String(required=True, allow_none=True,
                              metadata={"description": "The next page's address, or null."}),
    }, name=name)


def related_slug(path: str, nullable: bool = False, description: str = "slug") -> fields.Field:
    """A related row's slug (``"city"``, ``"contract.city"``), or null when there is none."""

    def slug(obj) -> str | None:
        for name in path.split("."):
            obj = getattr(obj, name)
            if obj is None:
                return None
        return obj.slug

    return fields.Function(slug, required=True, allow_none=nullable, metadata={
        "type": "string", "nullable": nullable, "description": description})


def page_address(endpoint: str, **attributes: str) -> fields.Field:
    """The object's page on the hub: ``endpoint`` with its values from the object's
    attributes (``consultation_id="id"``)."""
    return fields.Function(lambda obj: url_for(endpoint, _external=True, **{
        name: getattr(obj, attribute) for name, attribute in attributes.items()}),
        required=True, metadata={"type": "string", "description": "Its page on the hub"})


def keyset_page(stmt: Select, key, args: dict, descending: bool = False) -> dict[str, Any]:
    """One page of ``stmt``'s rows in the order of the unique ``key`` column, after the key
    ``args["after"]``: the order never changes under a client paging through, whatever is
    added meanwhile. One query (one row more than the page tells whether another follows)."""
    limit, after = args["limit"], args.get("after")
    if after is not None:
        stmt = stmt.where(key < after if descending else key > after)
    stmt = stmt.order_by(key.desc() if descending else key).limit(limit + 1)
    rows = list(db.session.scalars(stmt).unique())
    following = None
    if len(rows) > limit:
        rows = rows[:limit]
        following = url_for(request.endpoint or "", _external=True, **{
            **(request.view_args or {}), **request.args.to_dict(),
            "after": getattr(rows[-1], key.key)})
        g.api_next_page = following
    return {"items": rows, "next": following}


#: rows read per query of a CSV download
CSV_BATCH = 500


def list_endpoint(blp: Blueprint, path: str, args: type[Schema], item: type[Schema], key, *,
                  descending: bool = False):
    """Declare a list of the API: decorates ``listing(args) → select`` (its docstring the
    operation's summary) and makes of it the JSON list at ``path`` (keyset pages, documented)
    and its CSV download at ``path.csv`` (every row, the same filters and columns)."""
    name = item.__name__.removesuffix("Schema")

    def declare(listing):
        @blp.route(path, endpoint=listing.__name__)
        @blp.arguments(args, location="query", as_kwargs=False)
        @blp.response(200, page_schema(item, f"{name}Page"))
        @wraps(listing)
        def json_list(arguments):
            return keyset_page(listing(arguments), key, arguments, descending)

        def csv_list(arguments):
            schema = item()
            header = [field.data_key or field_name
                      for field_name, field in schema.dump_fields.items()]
            rows = (_csv_row(schema.dump(row), header)
                    for row in _every_row(listing(arguments), key, descending))
            return csv_response(header, rows, f"m100-{path.strip('/').replace('/', '-')}.csv")

        csv_list.__doc__ = f"{(listing.__doc__ or '').strip()} Every row, as CSV."
        blp.route(f"{path}.csv", endpoint=f"{listing.__name__}_csv", cached=False)(
            blp.arguments(args(exclude=("after", "limit")), location="query",
                          as_kwargs=False)(
                blp.response(200, {"type": "string"}, content_type="text/csv",
                             description="Every row, as CSV")(csv_list)))
        return json_list

    return declare


def _every_row(stmt: Select, key, descending: bool) -> Iterator:
    """Every row of ``stmt`` in ``key`` order, read CSV_BATCH at a time."""
    after = None
    while True:
        batch = stmt if after is None else stmt.where(key < after if descending else key > after)
        rows = list(db.session.scalars(
            batch.order_by(key.desc() if descending else key).limit(CSV_BATCH)).unique())
        yield from rows
        if len(rows) < CSV_BATCH:
            return
        after = getattr(rows[-1], key.key)


def _csv_row(record: dict, header: list[str]) -> list:
    """A dumped item as CSV cells: lists of words joined, nested data as JSON."""
    cells = []
    for name in header:
        value = record.get(name)
        if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
            value = "; ".join(str(v) for v in value)
        elif isinstance(value, list | dict):
            value = json.dumps(value, ensure_ascii=False)
        cells.append(value)
    return cells


def _first_served(etag: str) -> datetime:
    """When a body with this ETag was first served (now, if never or the cache fails)."""
    now = datetime.now(UTC).replace(microsecond=0)
    key = f"api-etag:{etag}"
    seen = _use_cache(cache.get, key)
    if isinstance(seen, datetime):
        return seen
    _use_cache(cache.set, key, now, timeout=FIRST_SEEN_SECONDS)
    return now


def _tagged(view):
    """The view's answer with its Link, ETag and Last-Modified: set before the page cache
    files it, so that a cached answer has them."""

    @wraps(view)
    def tagged_view(*args, **kwargs):
        return _tag(current_app.make_response(view(*args, **kwargs)))

    return tagged_view


def _tag(response):
    """Link, ETag and Last-Modified on a JSON answer."""
    if g.get("api_next_page"):
        response.headers["Link"] = f'<{g.api_next_page}>; rel="next"'
    if response.status_code == 200 and response.mimetype == "application/json":
        etag = hashlib.sha256(response.get_data()).hexdigest()[:32]
        response.set_etag(etag)
        response.last_modified = _first_served(etag)
    return response


def _finish(response):
    """CORS on the API's answers (cached or not), its tags on the JSON ones the views did not
    tag (the OpenAPI document), and 304 when the client already holds this body."""
    if not request.path.startswith(PREFIX + "/"):
        return response
    headers = response.headers
    # the answers' own: nothing set them before (add costs less than set, which looks first)
    headers.extend(CORS_HEADERS)
    # a response to a session stays private (page_cache said so: a cookie may go with it)
    headers.setdefault("Cache-Control", "public, no-cache")
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        if "ETag" not in headers:
            _tag(response)
        # werkzeug's comparison (and its parsing) only for a request that asks for one
        if "ETag" in headers and not CONDITIONS.isdisjoint(request.environ):
            response.make_conditional(request)
    return response


def _slug_schema(converter) -> dict:
    return {"type": "string", "pattern": f"^{SlugConverter.regex}$"}


def register(app: Flask, blueprints: list[Blueprint]) -> None:
    """The API's document and every feature's endpoints (after the features are installed)."""
    app.config.setdefault(RATE_LIMIT_SETTING,
                          os.environ.get(RATE_LIMIT_SETTING, RATE_LIMIT_DEFAULT))
    app.config.update({
        "API_TITLE": "M100 Hub open data", "API_VERSION": "v1", "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": PREFIX, "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {"info": {"description": (
            "Read-only public data of M100 Hub: cities and their climate contracts, "
            "consultations with aggregated results, events and the public activity log. "
            "Lists are paged by key (`after`, `limit`; the `next` address and a `Link` "
            "header); every answer has an `ETag` and a `Last-Modified` for conditional "
            "requests (304); requests are rate limited per client address.")}},
    })
    api = app.extensions["m100_open_data"] = OpenDataApi(app)
    app.extensions["m100_json_errors"] = _json_error
    api.register_converter(SlugConverter, _slug_schema)
    for blp in blueprints:
        api.register_blueprint(blp)
    app.after_request(_finish)
    app.register_blueprint(pages)
