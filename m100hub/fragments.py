"""What this process remembers of what it rendered or formatted: one bounded memo
(``Memo``) for every such value, and the fragments of pages built on it (``Fragments``).

One memo. A value worth remembering — a page's fragment, a layout block, an address, a
formatted date or number, a signed form token — is kept in a ``Memo``: at most ``kept``
values and, where values differ much in size, at most ``kept_size`` of them in all; the
least recently used go first. A hit is one dictionary lookup without the lock (a page asks
some hundred addresses), and only a value in the older half is moved to the end; what is
stored, moved or dropped is changed under the lock, and what is made is made outside it (a
block may ask other memos, or its own). A value of what an application was built with (its
menu, its share image) is kept in a memo of that application's own (``AppMemo``).

One key context. ``key_context()`` is (language, time zone, root path): what ``_()``,
``format_datetime`` and ``url_for`` read besides their arguments. Every memo whose values
depend on any of them starts its keys with it, and its other parts name everything else the
value depends on; so a key is exact, nothing is ever stale, and there is nothing to
invalidate: an old key is simply never asked again and leaves the memo.

Fragments. A part of a page that many requests show alike (a forum post beside its
buttons) is rendered once and its HTML reused. A fragment is a Jinja macro called with one
argument, a *view*: a hashable value (a ``NamedTuple`` of plain values, other such tuples
inside) built from the rows the request has just read, holding everything the fragment
shows — the row's fields and the reader's flags about it (liked, may edit, moderator…). The
view *is* the key (after the key context): the macro reads nothing else (no
``current_user``, no rows; only the view and the ``holes`` it is given), so two requests
with equal views get the same HTML, and anything that changes what is shown — an edit, a
like, a rename, another reader's rights, the language — changes the key.

Holes. What must differ on every response is left out of the remembered HTML: the macro
writes ``holes.csrf_token`` (the form's CSRF token, one per request) and
``holes.submission_key`` (a one-time key's hidden field: a new key for each form, as
``submission_key()`` writes it); each is filled in per request when the fragment is shown.
A hole is a marker with a random part chosen when the process starts, so no text a person
wrote can pass for one.

Measured (bench/signed_in's seed, a 500-post thread's first page, signed in, in-process test
client, load average 4–5): the forum thread page's Python CPU 14.0–14.6 → 10.0–10.5 ms per
request (``forums.views.POSTS``). The one memo (2026-12-07, load average 3–4, timeit in a
test request): a hit 0.13 µs, ``key_context()`` 0.2 µs; an address's hit 1.24 → 1.01 µs and a
remembered moment's 2.7 → 0.46 µs against the six dictionaries before (their key contexts
read through Flask's proxies); a signed-in 20-post thread page's Python CPU unchanged within
the noise (3.2–3.4 ms either way).
"""

from __future__ import annotations

import math
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Generic, NamedTuple, TypeVar

from flask import Flask, current_app
from flask.globals import _cv_app, _cv_request
from flask_babel import get_locale, get_timezone
from flask_login import current_user
from markupsafe import Markup, escape

from .submissions import key_field, new_key

V = TypeVar("V")


class Memo(Generic[V]):
    """Values remembered by key in this process, ``make()``'s when first asked: at most
    ``kept`` of them and, given ``size`` (a value's size), at most ``kept_size`` in all (one
    larger than that alone is made, not kept). The least recently used go first, but a hit
    on a value in the newer half leaves it where it is: a hit is then a dictionary lookup and
    a comparison, without the lock. Keys are tuples of plain values, hashed and compared in
    C: each dictionary operation is then whole under the GIL, and a lookup without the lock
    never sees another thread's change halfway."""

    __slots__ = ("name", "kept", "kept_size", "_size", "_most", "_entries", "_total",
                 "_moves", "_recent", "_lock")

    def __init__(self, name: str, kept: int, kept_size: int | None = None,
                 size: Callable[[V], int] | None = None) -> None:
        self.name, self.kept, self.kept_size, self._size = name, kept, kept_size, size
        self._most = math.inf if kept_size is None else kept_size
        #: key → (value, stamp, size), the oldest first. A stamp is ``_moves`` when the value
        #: was stored or moved to the end: at most ``_moves - stamp`` values came after it, so
        #: one fewer than ``_recent`` (half of them) is in the newer half. An OrderedDict: a
        #: dict's oldest is found by a scan past those dropped before (3 µs at 20,000).
        self._entries: OrderedDict[Hashable, tuple[V, int, int]] = OrderedDict()
        self._total = self._moves = self._recent = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[..., V], *args: Any) -> V:
        """The value of ``key``, ``make(*args)`` if it has none yet."""
        found = self._entries.get(key)
        if found is None:
            return self._store(key, make(*args))  # made outside the lock: it may ask memos
        if self._moves - found[1] >= self._recent:
            self._use(key)
        return found[0]

    def _use(self, key: Hashable) -> None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:  # unless dropped meanwhile
                self._moves += 1
                self._entries[key] = (found[0], self._moves, found[2])
                self._entries.move_to_end(key)

    def _store(self, key: Hashable, value: V) -> V:
        size = 0 if self._size is None else self._size(value)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:  # made meanwhile by another thread: one value for all
                return found[0]
            if size > self._most:
                return value
            self._moves += 1
            self._entries[key] = (value, self._moves, size)
            self._total += size
            while len(self._entries) > self.kept or self._total > self._most:
                self._total -= self._entries.popitem(last=False)[1][2]
            self._recent = (len(self._entries) + 1) // 2
        return value

    @property
    def total_size(self) -> int:
        """The kept values' sizes together."""
        return self._total

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._total = self._recent = 0

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<Memo {self.name}: {len(self)} of {self.kept}>"


class AppMemo(Generic[V]):
    """A ``Memo`` of each application's own, in its ``extensions`` (as long as the app, never
    keeping one alive): for values that depend on what the app was built with (tests build
    apps with other features, so other menus)."""

    def __init__(self, name: str, kept: int, kept_size: int | None = None,
                 size: Callable[[V], int] | None = None) -> None:
        self.name, self._slot = name, f"m100_memo:{name}"
        self._bounds = (kept, kept_size, size)

    def of(self, app: Flask) -> Memo[V]:
        memo = app.extensions.get(self._slot)
        if memo is None:
            memo = app.extensions.setdefault(self._slot, Memo(self.name, *self._bounds))
        return memo

    def get(self, key: Hashable, make: Callable[..., V], *args: Any) -> V:
        """The current application's value of ``key`` (``Memo.get``)."""
        return self.of(_cv_app.get().app).get(key, make, *args)


def key_context() -> tuple[str, str, str | None]:
    """(language, time zone, root path) of this request, or of the application context's
    e-mail (root path None): what a remembered value may depend on besides its own key.
    Looked up once per request, language and time zone (a ``refresh()`` or ``force_locale``
    gives new ones, and so a new lookup), and read from Flask's context variables rather
    than through its proxies, each of which costs more than the rest (a page asks some
    hundred times)."""
    context = _cv_app.get()
    request_context = _cv_request.get(None)
    babel = getattr(context.g, "_flask_babel", None)
    kept = getattr(babel, "m100_key_context", None)
    if (kept is not None and kept[2] is request_context
            and kept[0] is getattr(babel, "babel_locale", None)
            and kept[1] is getattr(babel, "babel_tzinfo", None)):
        return kept[3]
    key = (str(get_locale()), str(get_timezone()),
           None if request_context is None else request_context.request.root_path)
    babel = context.g._flask_babel  # made by Flask-Babel's lookups
    babel.m100_key_context = (babel.babel_locale, babel.babel_tzinfo, request_context, key)
    return key


#: the marker's random part: chosen per process, never in a stored text
_NONCE = secrets.token_hex(8)
_HOLE = re.compile("\x00" + _NONCE + r":(\w+)\x00")


class Holes(NamedTuple):
    """The markers a macro writes where a per-request value goes."""

    csrf_token: Markup
    submission_key: Markup


HOLES = Holes(*(Markup(f"\x00{_NONCE}:{name}\x00") for name in Holes._fields))  # noqa: S704


class _Fills:
    """A request's values for the holes: the CSRF token once, a submission key each time."""

    __slots__ = ("_signed_in", "_token")

    def __init__(self) -> None:
        self._token: str | None = None
        self._signed_in: bool | None = None

    def csrf_token(self) -> str:
        if self._token is None:
            # the layout's (signed once per session); security keeps its tokens in a Memo
            from .security import csrf_token

            self._token = str(escape(csrf_token()))
        return self._token

    def submission_key(self) -> str:
        # submissions.key_input, with the question "signed in?" asked once per request
        # rather than per form (through Flask-Login's proxy it costs ~8 µs, a key ~1 µs)
        if self._signed_in is None:
            self._signed_in = bool(current_user.is_authenticated)
        return key_field(new_key()) if self._signed_in else ""

    def holes(self) -> Holes:
        """The holes filled in, for a macro rendered without being remembered."""
        return Holes(Markup(self.csrf_token()), Markup(self.submission_key()))  # noqa: S704


def filled_holes() -> Holes:
    """This request's values of the holes (a new submission key)."""
    return _Fills().holes()


def _size(parts: tuple[str, ...]) -> int:
    return sum(map(len, parts))


class Fragments:
    """The fragments of one macro (``template``'s ``macro``), remembered by their views: at
    most ``kept`` of them, and at most ``kept_chars`` characters of HTML (the views hold
    about as much again: a post's view holds its HTML body)."""

    def __init__(self, template: str, macro: str, kept: int = 4096,
                 kept_chars: int = 8_000_000) -> None:
        self.template, self.macro = template, macro
        self.kept, self.kept_chars = kept, kept_chars
        #: (key context, view) → (text, hole name, text, hole name, …, text)
        self._memo: Memo[tuple[str, ...]] = Memo(f"{template} {macro}", kept, kept_chars,
                                                  _size)

    def render(self, views: Iterable[Hashable]) -> Markup:
        """The fragments of ``views``, one after another, with their holes filled in."""
        context = key_context()
        fills = _Fills()
        out: list[str] = []
        for view in views:
            parts = self._memo.get((context, view), self._parts, view)
            out.append(parts[0])
            for i in range(1, len(parts), 2):
                out.append(getattr(fills, parts[i])())
                out.append(parts[i + 1])
        return Markup("".join(out))  # noqa: S704 (macros' output: escaped as they wrote it)

    def render_once(self, view: Hashable) -> Markup:
        """The macro's HTML for a view not worth remembering (a form as submitted, with its
        errors), its holes filled in."""
        return self._macro()(view, filled_holes())

    def _parts(self, view: Hashable) -> tuple[str, ...]:
        return tuple(_HOLE.split(str(self._macro()(view, HOLES))))

    def _macro(self) -> Callable:
        # the template's module: its macros see the environment's globals, none of a
        # request's template context (current_user…)
        return getattr(current_app.jinja_env.get_template(self.template).module, self.macro)

    def clear(self) -> None:
        self._memo.clear()

    def __len__(self) -> int:
        return len(self._memo)
