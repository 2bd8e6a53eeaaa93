"""Rendered fragments for anonymous readers, cached in the process and keyed by everything
they show — so a changed post, like or name makes a new key and nothing needs invalidating.
(Signed-in readers see their own likes and buttons: theirs are always rendered.)"""

from __future__ import annotations

from ..page_cache import (  # noqa: F401 (the forums' names for the shared cache)
    FragmentCache,
    is_listed_address,
    pages_cache,
    render_fragment,
)
from .forms import TAG

posts_cache = FragmentCache()
threads_cache = FragmentCache()


#: what a post shows (its fingerprint in the caches' keys); queries.thread_page_key reads
#: the same columns as plain rows
POST_FINGERPRINT = ("id", "number", "created_dt", "body_html", "edited_dt", "deleted_dt",
                    "hidden_dt", "hidden_by_id", "hidden_reason", "reaction_count", "author_id")


def fingerprint(values: tuple, author_name, author_handle) -> tuple:
    """A post's fingerprint: the body by its hash, and its author's name and handle."""
    body = POST_FINGERPRINT.index("body_html")
    return (*values[:body], hash(values[body]), *values[body + 1:], author_name, author_handle)


def post_fingerprint(p) -> tuple:
    return fingerprint(tuple(getattr(p, name) for name in POST_FINGERPRINT),
                       p.author.display_name if p.author else None,
                       p.author.handle if p.author else None)


def posts_key(locale: str, thread_id: int, page_number: int, posts) -> tuple:
    return ("posts", locale, thread_id, page_number, tuple(post_fingerprint(p) for p in posts))


def threads_key(locale: str, category, tag: str, threads) -> tuple:
    return ("threads", locale, category.id, category.slug, tag, tuple(
        (t.id, t.title, t.pinned, t.locked, t.hidden, tuple(t.tags or ()), t.post_count,
         t.reply_count, t.created_dt, t.last_post_dt, t.author.display_name if t.author else None,
         t.last_poster.display_name if t.last_poster else None)
        for t in threads))


def thread_page_key(page_number: int, locale: str, thread_fields, fingerprints) -> tuple:
    """The whole page's key: the thread, its category and links, and its posts' fingerprints
    (queries.thread_page_key)."""
    *fields, tags = thread_fields[:6]
    return ("thread-page", page_number, locale, *fields, tuple(tags or ()),
            *thread_fields[6:], tuple(fingerprints))


def is_listed_category_address(page, tag: str) -> bool:
    """A listed address (see is_listed_address) of a tag of the allowed form and a page that
    lists threads."""
    if not is_listed_address(page, tag=tag) or (tag and not TAG.match(tag)):
        return False
    return bool(page.items) or (page.page == 1 and not tag)


def category_page_key(address: str, locale: str, category_fields, page) -> tuple:
    """The whole page's key (queries.category_page_key). The address is part of what the page
    shows (the language links lead back to it)."""
    return ("category-page", address, locale, tuple(category_fields), page.page, page.pages,
            tuple(page.items))
