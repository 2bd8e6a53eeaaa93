"""Rendered fragments for anonymous readers, cached in the process and keyed by everything
they show — so a changed post, like or name makes a new key and nothing needs invalidating.
(Signed-in readers see their own likes and buttons: theirs are always rendered.)"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from flask import render_template, request
from markupsafe import Markup

from .forms import TAG

MAX_ENTRIES = 512


def render_fragment(template: str, **context) -> Markup:
    """A template's output, to be placed in another template as it is: Jinja autoescaped it."""
    return Markup(render_template(template, **context))  # noqa: S704 (escaped by Jinja)


class FragmentCache:
    def __init__(self, size: int = MAX_ENTRIES):
        self.size = size
        self._items: OrderedDict[str, Markup] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def render(self, key_parts: tuple, template: str, **context) -> Markup:
        return self.get_or_make(key_parts, lambda: render_fragment(template, **context))

    def get_or_make(self, key_parts: tuple, make) -> Markup:
        key = hashlib.blake2b(repr(key_parts).encode(), digest_size=16).hexdigest()
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return found
        html = make()
        with self._lock:
            self.misses += 1
            self._items[key] = html
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return html


posts_cache = FragmentCache()
threads_cache = FragmentCache()
#: whole thread and category pages for visitors without a session (no flashes, no tokens,
#: no name)
pages_cache = FragmentCache(size=256)


def posts_key(locale: str, thread_id: int, page_number: int, posts) -> tuple:
    return ("posts", locale, thread_id, page_number, tuple(
        (p.id, p.number, p.created_dt, hash(p.body_html), p.edited_dt, p.deleted_dt, p.hidden_dt,
         p.hidden_by_id, p.hidden_reason,
         p.reaction_count, p.author_id, p.author.display_name if p.author else None,
         p.author.handle if p.author else None)
        for p in posts))


def threads_key(locale: str, category, tag: str, threads) -> tuple:
    return ("threads", locale, category.id, category.slug, tag, tuple(
        (t.id, t.title, t.pinned, t.locked, t.hidden, tuple(t.tags or ()), t.post_count,
         t.reply_count, t.created_dt, t.last_post_dt, t.author.display_name if t.author else None,
         t.last_poster.display_name if t.last_poster else None)
        for t in threads))


def thread_page_key(page_number: int, locale: str, thread, posts) -> tuple:
    category, city = thread.category, thread.city
    return ("thread-page", page_number, locale, thread.id, thread.title, thread.pinned,
            thread.locked, thread.hidden, tuple(thread.tags or ()), thread.next_number,
            category.slug, category.name, category.name_en, category.archived,
            (city.slug, city.name) if city else None,
            (thread.consultation.id, thread.consultation.title) if thread.consultation else None,
            (thread.event.id, thread.event.title) if thread.event else None,
            posts_key(locale, thread.id, 0, posts))


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


def is_listed_category_address(page, tag: str) -> bool:
    """A listed address (see is_listed_address) of a tag of the allowed form and a page that
    lists threads."""
    if not is_listed_address(page, tag=tag) or (tag and not TAG.match(tag)):
        return False
    return bool(page.items) or (page.page == 1 and not tag)


def category_page_key(address: str, locale: str, category, tag: str, page) -> tuple:
    """The address is part of what the page shows (the language links lead back to it)."""
    return ("category-page", address, locale, category.id, category.slug, category.name,
            category.name_en, category.description, category.description_en, category.archived,
            page.page, page.pages, threads_key(locale, category, tag, page.items))
