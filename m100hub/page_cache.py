"""Rendered pages and fragments for anonymous readers, cached in the process under keys made
of everything they show — so a changed title, count or name makes a new key and nothing needs
invalidating. Signed-in readers (their buttons, their names) are always rendered."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict

from flask import current_app, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

MAX_ENTRIES = 512


def render_fragment(template: str, **context) -> Markup:
    """A template's output, to be placed in another template as it is: Jinja autoescaped it."""
    return Markup(render_template(template, **context))  # noqa: S704 (escaped by Jinja)


class FragmentCache:
    def __init__(self, size: int = MAX_ENTRIES):
        self.size = size
        self._items: OrderedDict[str, Markup] = OrderedDict()
        #: address → (the digest of the key its page was last served under, when checked)
        self._checked: OrderedDict[tuple, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._checked.clear()

    def recent(self, address: tuple, seconds: float) -> Markup | None:
        """The page last served at ``address`` (see get_or_make), if its key was checked
        against the database less than ``seconds`` ago: served again without a query."""
        if seconds <= 0:
            return None
        with self._lock:
            checked = self._checked.get(address)
            if checked is None or time.monotonic() - checked[1] >= seconds:
                return None
            found = self._items.get(checked[0])
            if found is not None:
                self.hits += 1
            return found

    def render(self, key_parts: tuple, template: str, **context) -> Markup:
        return self.get_or_make(key_parts, lambda: render_fragment(template, **context))

    def get_or_make(self, key_parts: tuple, make, address: tuple | None = None) -> Markup:
        """The entry under the key, or ``make()``'s, filed under the key. ``make`` may return
        (the page, the key of what it shows) when it reads the rows again to render: the page
        is then filed under what it shows, so a change between the two reads cannot file a
        newer page under an older key (which an undo, an unlike say, would then find).
        With ``address``, the page is remembered as checked now for ``recent()``."""
        found = self.get(key_parts)
        if found is None:
            made = make()
            found, key_parts = made if isinstance(made, tuple) else (made, key_parts)
            self.put(key_parts, found)
        if address is not None:
            with self._lock:
                self._checked[address] = (_digest(key_parts), time.monotonic())
                self._checked.move_to_end(address)
                while len(self._checked) > self.size:
                    self._checked.popitem(last=False)
        return found

    def get(self, key_parts: tuple) -> Markup | None:
        key = _digest(key_parts)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
            return found

    def put(self, key_parts: tuple, html: Markup) -> None:
        key = _digest(key_parts)
        with self._lock:
            self._items[key] = html
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def _digest(key_parts: tuple) -> str:
    return hashlib.blake2b(repr(key_parts).encode(), digest_size=16).hexdigest()


#: whole pages for visitors without a session (no flashes, no tokens, no name): forum
#: threads and categories, lists of consultations and events
pages_cache = FragmentCache(size=256)


def is_listed_address(page, **shown: str) -> bool:
    """Whether the address is one the site links to: only ``page`` and the ``shown``
    arguments, each once and as shown. Only such pages are cached, so junk query strings or
    page numbers cannot fill the cache or leak into a cached page's links."""
    args = request.args
    if set(args) - {"page", *shown} or any(len(args.getlist(name)) > 1 for name in args):
        return False
    if args.get("page", "1") != str(page.page):
        return False
    return all(args.get(name, "") == value for name, value in shown.items())


def recent_page(cache: FragmentCache) -> tuple[tuple, Markup | None]:
    """(this address in this language, the page last served at it if it was checked less
    than ANONYMOUS_PAGE_SECONDS ago): a popular page costs the database one query a second
    at most, and an anonymous reader sees a change that much later at most."""
    address = (request.full_path, str(get_locale()))
    return address, cache.recent(address, current_app.config["ANONYMOUS_PAGE_SECONDS"])


def for_anonymous_reader() -> bool:
    """A visitor without a session: nothing personal on the page, no token, no flash."""
    return not current_user.is_authenticated and not session
