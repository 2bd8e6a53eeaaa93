"""Rendered fragments for anonymous readers, cached in the process and keyed by everything
they show — so a changed post, like or name makes a new key and nothing needs invalidating.
(Signed-in readers see their own likes and buttons: theirs are always rendered.)"""

from __future__ import annotations

from types import SimpleNamespace

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


def thread_row(t) -> tuple:
    """What a category page shows of a thread (queries.category_page_key reads the same as
    plain rows)."""
    return (t.id, t.title, t.pinned, t.locked, t.hidden, tuple(t.tags or ()), t.post_count,
            t.reply_count, t.created_dt, t.last_post_dt,
            t.author.display_name if t.author else None,
            t.last_poster.display_name if t.last_poster else None)


def threads_key(locale: str, category, tag: str, threads) -> tuple:
    return ("threads", locale, category.id, category.slug, tag,
            tuple(thread_row(t) for t in threads))


#: what a thread page shows of its thread ("") and of what it links to: (relationship,
#: attributes); queries.thread_page_key reads the same as plain rows
THREAD_PAGE_SHOWS = (
    ("", ("id", "title", "pinned", "locked", "hidden", "tags", "next_number")),
    ("category", ("slug", "name", "name_en", "archived")),
    ("city", ("slug", "name")),
    ("consultation", ("id", "title")),
    ("event", ("id", "title")),
)
#: what a category page shows of its category (queries.category_page_key reads the same)
CATEGORY_PAGE_SHOWS = ("id", "slug", "name", "name_en", "description", "description_en",
                       "archived")


def thread_fields(thread) -> tuple:
    """THREAD_PAGE_SHOWS of a loaded thread."""
    values: list[object] = []
    for relation, names in THREAD_PAGE_SHOWS:
        source = getattr(thread, relation) if relation else thread
        values.extend(getattr(source, name) if source is not None else None for name in names)
    return tuple(values)


def thread_page_key(page_number: int, locale: str, fields, fingerprints) -> tuple:
    """The whole page's key: the thread, its category and links (THREAD_PAGE_SHOWS, read by
    queries.thread_page_key or thread_fields), and its posts' fingerprints."""
    return ("thread-page", page_number, locale,
            *(tuple(value) if isinstance(value, list) else value for value in fields),
            tuple(fingerprints))


def rendered_thread_page_key(page_number: int, locale: str, thread, posts) -> tuple:
    """The key of a page as rendered from loaded rows (see FragmentCache.get_or_make)."""
    return thread_page_key(page_number, locale, thread_fields(thread),
                           [post_fingerprint(p) for p in posts])


def is_listed_category_address(page, tag: str) -> bool:
    """A listed address (see is_listed_address) of a tag of the allowed form and a page that
    lists threads."""
    if not is_listed_address(page, tag=tag) or (tag and not TAG.match(tag)):
        return False
    return bool(page.items) or (page.page == 1 and not tag)


def category_page_key(address: str, locale: str, category_fields, page) -> tuple:
    """The whole page's key (queries.category_page_key: the page's items are thread_row()s).
    The address is part of what the page shows (the language links lead back to it)."""
    return ("category-page", address, locale, tuple(category_fields), page.page, page.pages,
            tuple(page.items))


def rendered_category_page_key(address: str, locale: str, category, page) -> tuple:
    """The key of a category page as rendered from loaded rows (FragmentCache.get_or_make)."""
    return category_page_key(
        address, locale, tuple(getattr(category, name) for name in CATEGORY_PAGE_SHOWS),
        SimpleNamespace(page=page.page, pages=page.pages,
                        items=[thread_row(t) for t in page.items]))
