"""Rendered fragments remembered per process (kept in a ``memo.Memo``, keyed after the
``memo.key_context()``).

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
request (``forums.views.POSTS``).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Hashable, Iterable
from typing import Any, NamedTuple, TypeVar

from flask import current_app
from flask_login import current_user
from markupsafe import Markup, escape

from .memo import Memo, key_context
from .security import csrf_token
from .submissions import key_field, new_key

F = TypeVar("F")

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
            self._token = str(escape(csrf_token()))  # the layout's: signed once per session
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


#: forms without data or errors, one per form class (``blank_form``)
_BLANK_FORMS: Memo[Any] = Memo("blank forms", kept=64)


def blank_form(form_class: Callable[..., F]) -> F:
    """A ``form_class`` form without data or errors, one per process and never validated:
    the blank form a fragment shows (the same for everyone: its CSRF token and one-time key
    are the fragment's holes). Making one costs some 0.2 ms."""
    return _BLANK_FORMS.get((form_class,), lambda: form_class(formdata=None,
                                                              meta={"csrf": False}))


def _size(parts: tuple[str, ...]) -> int:
    return sum(map(len, parts))


#: every Fragments made (a test reads their templates' free names)
FRAGMENTS: list[Fragments] = []


class Fragments:
    """The fragments of one macro (``template``'s ``macro``), remembered by their views: at
    most ``kept`` of them, and at most ``kept_chars`` characters of HTML (the views hold
    about as much again: a post's view holds its HTML body)."""

    def __init__(self, template: str, macro: str, kept: int = 4096,
                 kept_chars: int = 8_000_000) -> None:
        self.template, self.macro = template, macro
        FRAGMENTS.append(self)
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

    def render_one(self, view: Hashable, remember: bool = True) -> Markup:
        """One view's fragment; not ``remember``: a view not worth remembering (a form as
        submitted, with its errors), rendered once with its holes filled in."""
        if remember:
            return self.render((view,))
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
