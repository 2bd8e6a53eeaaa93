"""Template globals: the menu (from the features' entries), other features' page sections, and
the helpers templates may ask."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from .features import card_parts, page_sections, registry
from .memo import AppMemo, Memo, key_context
from .static_files import fingerprinted
from .text import safe, summary_text
from .util import absolute_url

#: built addresses by (key context, endpoint, arguments): a page builds a hundred, mostly the
#: same from one request to the next, and Werkzeug's builder costs some 15 µs each
_URLS: Memo[str] = Memo("addresses", kept=20_000)
_PLAIN = (int, str, float, bool, type(None))


def cached_url_for(endpoint: str, **values) -> str:
    """``url_for`` for templates, remembered for plain arguments (numbers, text): the same
    endpoint and arguments always build the same relative address in one installation."""
    if endpoint[0] == "." and request.blueprint:
        endpoint = request.blueprint + endpoint
    # _external, _scheme and _method depend on more than the arguments
    for name, value in values.items():
        if type(value) not in _PLAIN or (name[0] == "_" and name != "_anchor"):
            return url_for(endpoint, **values)
    # the arguments in the order the template gave them: a call site always gives one order
    key: tuple = (key_context(), endpoint, *values.items())
    if endpoint == "static":
        # a static file's address carries its content's fingerprint, which changes with the
        # file: the key holds it (a stat; Flask's builder costs ten times that, and a page
        # builds half a dozen: the stylesheet, scripts, logo, icons), and whether addresses
        # are fingerprinted at all
        if "filename" not in values:
            return url_for(endpoint, **values)
        key = (*key, current_app.config["STATIC_FINGERPRINTS"],
               fingerprinted(values["filename"]))
    return _URLS.get(key, lambda: url_for(endpoint, **values))


#: the layout's parts rendered once per exact inputs, per app: (key context, inputs) → HTML
_SHARED: AppMemo[Markup] = AppMemo("shared blocks", kept=5_000)


def shared(*inputs, caller) -> Markup:
    """``{% call shared("name", input, …) %}…{% endcall %}``: the block rendered once and its
    HTML kept for the same key context (language, time zone, root path) and ``inputs``,
    which must name every other value the block reads (the person's badge numbers, the
    page's endpoint…). For what is the same for every reader of a language: the menu, the
    header's labels, the footer — some 0.4 ms of each page's 5 (the layout outside a page's
    content cost 17% of an event page, 13% of a thread page; gettext, url_for and escaping of
    the same strings each time). Kept per app (tests make apps with other features, so
    other menus)."""
    return _SHARED.get((key_context(), inputs),
                       lambda: Markup(caller()))  # noqa: S704 (a template block's output)


def menu_entries() -> tuple[tuple[str, int], ...]:
    """(endpoint, badge number) of the main menu's entries the features declared that this
    person sees: what the menu's HTML depends on besides the language and the page's
    endpoint (``shared``'s key; ``menu_labels`` gives their names)."""
    return tuple((item.endpoint, item.badge() if item.badge else 0)
                 for item in registry().menu()
                 if item.visible is None or item.visible(current_user))


def menu_labels() -> dict[str, str]:
    """The menu entries' names by endpoint, in the reader's language."""
    return {item.endpoint: str(item.label) for item in registry().menu()}


@lru_cache(maxsize=4)
def _vendor_file_exists(static_folder: str) -> bool:
    return (Path(static_folder) / "vendor" / "socket.io.min.js").exists()


def live_updates_available() -> bool:
    return _vendor_file_exists(current_app.static_folder)


def icon(name: str, label: str | None = None, size: str = "") -> Markup:
    """An icon of the sprite (static/img/icons.svg): decorative unless it has a ``label``, which
    a screen reader then reads."""
    sprite = cached_url_for("static", filename="img/icons.svg")
    classes = escape(f"icon {size}".strip())
    if label:
        return Markup(f'<svg class="{classes}" role="img" aria-label="{escape(label)}" '  # noqa: S704
                      f'focusable="false"><use href="{escape(sprite)}#{escape(name)}"></use></svg>')
    return Markup(f'<svg class="{classes}" aria-hidden="true" focusable="false">'  # noqa: S704
                  f'<use href="{escape(sprite)}#{escape(name)}"></use></svg>')


def page_url() -> str:
    """The page's own address under BASE_URL (never the request's Host: pages are cached and
    shared), without its query string: what a shared link points to (og:url)."""
    if request.endpoint and request.url_rule is not None:
        return absolute_url(request.endpoint, **(request.view_args or {}))
    return current_app.config["BASE_URL"].rstrip("/") + request.path


def og_locale(language: str) -> str:
    """Open Graph's language_TERRITORY for one of the hub's languages."""
    return {"ro": "ro_RO", "en": "en_GB"}.get(str(language), str(language))


def pairs(items, value: str, label: str) -> list[tuple]:
    """(value, label) pairs of objects' attributes, for a select's options."""
    return [(getattr(item, value), getattr(item, label)) for item in items]


def register(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["safe_html"] = safe
    app.jinja_env.filters["summary_text"] = summary_text
    app.jinja_env.globals.update(
        url_for=cached_url_for,
        menu_entries=menu_entries,
        menu_labels=menu_labels,
        shared=shared,
        page_sections=page_sections,
        card_parts=card_parts,
        live_updates_available=live_updates_available,
        pairs=pairs,
        icon=icon,
        page_url=page_url,
        og_locale=og_locale,
    )
