"""Whole pages for visitors without a session, cached by Flask-Caching for
ANONYMOUS_PAGE_SECONDS: in Redis when it is in use (every web process shares them), in the
process otherwise. A page is filed under its path, its query string and its language, and a
change reaches such visitors that much later at most: nothing is invalidated.

A view opts in with ``@anonymous_page``, which files the pages it renders; the first work of
every request serves them, before the rate limiter, CSRF and the view (with the rate limits
on, a cached page then costs less than a bare /healthz). A page is filed only when nothing
about it is personal — a GET or HEAD without a session or a signed-in user, answered 200,
that put nothing in the session (no form token, no flash) and sets no cookie.
``Cache-Control`` says the same to a reverse proxy: ``public`` for such pages, ``private,
no-store`` for every response to a session. Redis comes and goes: when it fails, pages are
rendered as if uncached (a process keeps serving the copies it holds, until they expire).

A view whose answer is the same for everyone — no reader, session or language changes it (the
open-data API) — opts in with ``@anonymous_page(for_everyone=True)``: its answers are filed
and served whoever asks, under the path and query string alone, with the headers the view set
(ETag, Last-Modified, Link) and its own Cache-Control; they are served after the rate limits
(each request still counts) and the rest of the request's first work, not before it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from functools import wraps
from operator import itemgetter
from urllib.parse import urlencode

from flask import Flask, Response, current_app, g, request, session
from flask_login import current_user

from .config import redis_client_options
from .extensions import cache
from .i18n import select_locale

logger = logging.getLogger(__name__)

#: after a cache read or write fails, this process renders pages uncached for this long, so
#: that a Redis that hangs costs one timeout now and then instead of one on every page
RETRY_SECONDS = 5.0
#: how long a Redis command may take before the page is rendered without it
REDIS_TIMEOUT_SECONDS = 0.25
#: A page read from Redis is also kept in the process until its entry in Redis expires —
#: never longer, so a visitor still sees a change ANONYMOUS_PAGE_SECONDS late at most. A
#: popular page then costs each process one Redis round trip a period, not one a request
#: (each waits for Redis to get the CPU: on a busy machine that halved the throughput).
MAX_COPIES = 256
#: When this share of a page's time is left, one request of the process renders it again
#: (unless another process did) while the others are still served it: a popular page does
#: not expire under a crowd of requests that would all render it at once (on the bench,
#: expiring under load cost about a fifth of the throughput).
RENEW_SHARE = 0.25
#: the mark of a view that opted in; g's name for the key its page is filed under
_ANONYMOUS_PAGE, _KEY = "m100_anonymous_page", "m100_page_key"
#: the mark's values: a page for visitors without a session, an answer for everyone
_PAGE, _FOR_EVERYONE = "page", "for everyone"
#: the headers a view set that are filed with its answer (the rest are added on the way out)
FILED_HEADERS = ("ETag", "Last-Modified", "Link")
#: what is filed: (when it expires, body, content type, ((header, value), …))
Page = tuple[float, bytes, str, tuple[tuple[str, str], ...]]


def register(app: Flask) -> None:
    """The cache (Redis when in use, else in the process), the cached pages served before
    any other work of a request, and the Cache-Control headers."""
    if app.config["USE_REDIS"]:
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": app.config["REDIS_URL"],
                  "CACHE_OPTIONS": redis_client_options(REDIS_TIMEOUT_SECONDS)}
    else:
        config = {"CACHE_TYPE": "SimpleCache"}
    cache.init_app(app, config={**config, "CACHE_KEY_PREFIX": app.config["CACHE_KEY_PREFIX"]})
    app.extensions["m100_page_cache"] = {
        "unavailable_until": 0.0, "copies": {} if app.config["USE_REDIS"] else None,
        "renewing": {}}
    app.before_request_funcs.setdefault(None, []).insert(0, _serve_cached_page)
    app.before_request(_serve_cached_answer)  # after the rate limits
    app.teardown_request(_end_request)
    app.after_request(_cache_control)


def anonymous_page(view=None, *, for_everyone: bool = False):
    """The view's pages are cached for visitors without a session (see the module's
    docstring): served by _serve_cached_page before anything else of the request runs (the
    rate limiter, CSRF, the view), and filed here when the view renders one. With
    ``for_everyone``, the view's answers are the same whoever asks: filed and served (after
    the rate limits, by _serve_cached_answer) for every request, with their own headers."""
    if view is None:
        return lambda view: anonymous_page(view, for_everyone=for_everyone)

    @wraps(view)
    def filing_view(*args, **kwargs):
        key = g.get(_KEY)
        if key is None:  # not a request the cache serves
            return view(*args, **kwargs)
        response = current_app.make_response(view(*args, **kwargs))
        if not _shareable(response, for_everyone):
            return response
        seconds = current_app.config["ANONYMOUS_PAGE_SECONDS"]
        headers = tuple((name, response.headers[name]) for name in FILED_HEADERS
                        if name in response.headers)
        page = (time.time() + seconds, response.get_data(), response.content_type, headers)
        _keep_copy(key, page)
        # the page says when it expires; the backend keeps it a second longer (SimpleCache
        # counts whole seconds, and would drop a page filed at 10.9 s at 11 s)
        _use_cache(cache.set, key, page, timeout=seconds + 1)
        return response if for_everyone else _public(response, seconds)

    setattr(filing_view, _ANONYMOUS_PAGE, _FOR_EVERYONE if for_everyone else _PAGE)
    return filing_view


def _serve_cached_page() -> Response | None:
    """The first work of a request: for a visitor without a session asking for a page of a
    view that opted in, the page from the cache; else (None) the request goes on, and the
    view files the page it renders under g's key."""
    return _serve(_PAGE)


def _serve_cached_answer() -> Response | None:
    """The last before-request work (after the rate limits): an answer for everyone from the
    cache, whoever asks; else (None) the view files the one it makes."""
    return _serve(_FOR_EVERYONE)


def _serve(kind: str) -> Response | None:
    seconds = current_app.config["ANONYMOUS_PAGE_SECONDS"]
    view = current_app.view_functions.get(request.endpoint or "")
    if seconds <= 0 or getattr(view, _ANONYMOUS_PAGE, None) != kind \
            or request.method not in ("GET", "HEAD") \
            or (kind == _PAGE and not _without_session()):
        return None
    key = _page_key(with_language=kind == _PAGE)
    found = _cached_page(key)
    if found is not None and _claims_renewal(key, found[0], seconds):
        found = _renewed_elsewhere(key, found)
    if found is not None:
        _expires, body, content_type, headers = found
        response = current_app.response_class(body, content_type=content_type,
                                              headers=headers)
        return response if kind == _FOR_EVERYONE else _public(response, seconds)
    setattr(g, _KEY, key)
    return None


def _public(response: Response, seconds: int) -> Response:
    """A reverse proxy may keep the page as long, apart for each cookie and language."""
    response.headers["Cache-Control"] = f"public, max-age={seconds}"
    response.headers["Vary"] = "Cookie, Accept-Language"
    return response


def _claims_renewal(key: str, expires: float, seconds: int) -> bool:
    """Whether this request renders the page again before it expires: the first one of the
    process when RENEW_SHARE of its time is left, while the others are still served it."""
    if expires - time.time() > seconds * RENEW_SHARE:
        return False
    renewing, me = current_app.extensions["m100_page_cache"]["renewing"], threading.get_ident()
    if renewing.setdefault(key, me) != me:
        return False
    g.m100_renewing = key
    return True


def _renewed_elsewhere(key: str, page: Page):
    """The page another process filed since this one kept its copy (so that the processes
    sharing Redis render a popular page about once a period between them), or None: this
    request renders it again."""
    if current_app.extensions["m100_page_cache"]["copies"] is None:
        return None
    found = _filed(key)
    if found is None or found[0] <= page[0]:
        return None
    _keep_copy(key, found)
    return found


def _end_request(exc) -> None:
    """However the request ended (filed, not shareable, refused before the view, failed),
    its key is forgotten and its claim to renew a page given back."""
    g.pop(_KEY, None)
    key = g.pop("m100_renewing", None)
    if key is not None:
        current_app.extensions["m100_page_cache"]["renewing"].pop(key, None)


def _without_session() -> bool:
    """Nothing personal to show: no session (no flash, no form token) and nobody signed in."""
    return not session and not current_user.is_authenticated


def _shareable(response: Response, for_everyone: bool = False) -> bool:
    # a streamed body (a CSV export) is never filed: that would read it whole into memory
    return (response.status_code == 200 and "Set-Cookie" not in response.headers
            and not response.is_streamed and (for_everyone or _without_session()))


def _page_key(with_language: bool = True) -> str:
    """The path, the query string (its arguments sorted by name, each name's values in their
    order: the first one is the one a view reads) and the language, hashed: junk query
    strings make keys of bounded length, which expire with the rest."""
    query = urlencode(sorted(request.args.items(multi=True), key=itemgetter(0)))
    language = select_locale() if with_language else "*"
    address = f"{language} {request.path}?{query}"
    return "page:" + hashlib.blake2b(address.encode(), digest_size=20).hexdigest()


def _cached_page(key: str) -> Page | None:
    """The page filed under ``key`` and not yet expired: this process's copy, else the
    cache's."""
    copies = current_app.extensions["m100_page_cache"]["copies"]
    found = copies.get(key) if copies is not None else None
    if found is None or found[0] <= time.time():
        found = _filed(key)
        if found is not None:
            _keep_copy(key, found)
    return found


def _filed(key: str) -> Page | None:
    """The cache's page under ``key``; None when there is none, it expired or another
    version of this code filed it (rendered again)."""
    found = _use_cache(cache.get, key)
    if not (isinstance(found, tuple) and len(found) == 4) or found[0] <= time.time():
        return None
    return found


def _keep_copy(key: str, page: Page) -> None:
    copies = current_app.extensions["m100_page_cache"]["copies"]
    if copies is None:
        return
    if len(copies) >= MAX_COPIES:
        now = time.time()
        for old_key, (expires, *_) in list(copies.items()):
            if expires <= now:
                copies.pop(old_key, None)
        if len(copies) >= MAX_COPIES:
            copies.clear()
    copies[key] = page


def _use_cache(operation, *args, **kwargs):
    """``operation``'s answer, or None when the cache fails (Redis down or slow): the page is
    then rendered, and the cache left alone for RETRY_SECONDS."""
    state = current_app.extensions["m100_page_cache"]
    if time.monotonic() < state["unavailable_until"]:
        return None
    try:
        return operation(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 (whatever the backend raises, the page must not fail)
        state["unavailable_until"] = time.monotonic() + RETRY_SECONDS
        logger.warning("the page cache failed (%r); pages are rendered without it for %s s",
                       error, RETRY_SECONDS)
        return None


def _cache_control(response: Response) -> Response:
    """``private, no-store`` on every response to a session, unless it says its own (a
    cached page, static files, calendar feeds)."""
    if "Cache-Control" not in response.headers and (
            session or current_app.config["SESSION_COOKIE_NAME"] in request.cookies):
        response.headers["Cache-Control"] = "private, no-store"
    return response
