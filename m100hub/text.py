"""User text → safe HTML. The only place user-written HTML is produced and cleaned.

Markdown is rendered with markdown-it-py (raw HTML disabled), then cleaned with one bleach
allow-list; links are linkified and get ``rel="nofollow ugc noopener"``. Rendering happens
when text is written; pages show the stored HTML.
"""

from __future__ import annotations

from functools import lru_cache

import bleach
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
        "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6", "a",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel"], "th": ["align"], "td": ["align"], "ol": ["start"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"


def _set_rel(attrs, new=False):
    href_key = (None, "href")
    if href_key not in attrs:
        return attrs
    attrs[(None, "rel")] = LINK_REL
    return attrs


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # Headings start at h2: the page owns h1.
    md.core.ruler.push("shift_headings", _shift_headings)
    return md


def _shift_headings(state) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"


def _linkify(source):
    return LinkifyFilter(source, callbacks=[_set_rel], skip_tags={"pre", "code"})


@lru_cache(maxsize=1)
def _cleaner() -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[_linkify],
    )


def render_markdown(source: str) -> str:
    """Markdown source → clean HTML string, ready to store beside the source."""
    html = _markdown().render(source or "")
    return _cleaner().clean(html).strip()


def safe(html: str | None) -> Markup:
    """Mark stored, already-cleaned HTML as safe for a template."""
    return Markup(html or "")  # noqa: S704 (only HTML that render_markdown cleaned is stored)
