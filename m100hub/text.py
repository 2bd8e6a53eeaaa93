"""User text → safe HTML. The only place user-written HTML is produced and cleaned.

Markdown is rendered with markdown-it-py (raw HTML disabled), then cleaned with one bleach
allow-list; links are linkified and get ``rel="nofollow ugc noopener"``. Rendering happens
when text is written; pages show the stored HTML.

@mentions are found by a markdown-it rule in the parsed text, so the parser decides what is
quoted, code or a link: only plain text mentions, and only the people the caller's resolver
knows are linked (``<a class="mention">``, the one class the allow-list keeps).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache

import bleach
from bleach.linkifier import URL_RE, LinkifyFilter
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
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
#: the one class a link may carry; only the mention rule sets it (Markdown cannot write a
#: class), and a mention links to a profile here, so it needs no ``rel``
MENTION_CLASS = "mention"

#: ``@handle`` as accounts.models.HANDLE_RE allows it, in any letter case, up to
#: MAX_HANDLE_LENGTH: not inside a word, an e-mail address or a path; a sentence's final dot
#: is not part of it, and a handle cannot be the start of a longer word ("@ana_", "@anaș")
MENTION = re.compile(r"(?<![\w@/])@([a-zA-Z0-9](?:[a-zA-Z0-9._]*[a-zA-Z0-9])?)(?![\w@])")
MAX_HANDLE_LENGTH = 30
#: distinct handles looked up per text; further ones stay text
MAX_MENTIONS = 20

#: handles (lower case, distinct, in order of appearance) → paths of the people who have them;
#: called at most once per text, and only when there are handles
MentionResolver = Callable[[list[str]], Mapping[str, str]]


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if tag == "a" and name == "class":
        return value == MENTION_CLASS
    return name in ALLOWED_ATTRIBUTES.get(tag, ())


def _set_rel(attrs, new=False):
    href_key = (None, "href")
    if href_key not in attrs or attrs.get((None, "class")) == MENTION_CLASS:
        return attrs
    attrs[(None, "rel")] = LINK_REL
    return attrs


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # Headings start at h2: the page owns h1.
    md.core.ruler.push("shift_headings", _shift_headings)
    md.core.ruler.push("mentions", _link_mentions)
    return md


def _shift_headings(state) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"


def _mentions_in(text: str) -> Iterator[tuple[re.Match, str]]:
    """Each ``@handle`` of the text with its lower-cased handle, except inside a web address
    (which the cleaner will link, as it finds them with the same URL_RE)."""
    if "@" not in text:
        return
    addresses = [m.span() for m in URL_RE.finditer(text)]
    for match in MENTION.finditer(text):
        handle = match.group(1).lower()
        inside = any(start <= match.start() < end for start, end in addresses)
        if len(handle) <= MAX_HANDLE_LENGTH and not inside:
            yield match, handle


def _plain_texts(tokens: list[Token]) -> list[tuple[list[Token], int]]:
    """(an inline token's children, index of a text child) for all text a mention counts
    in: outside every quote at any depth (quoted words are someone else's) and outside links.
    Code spans, fenced and indented code, and images' alt text are other tokens, never seen."""
    found, quotes = [], 0
    for token in tokens:
        if token.type in ("blockquote_open", "blockquote_close"):
            quotes += token.nesting
        elif token.type == "inline" and token.children and not quotes:
            links = 0
            for index, child in enumerate(token.children):
                if child.type in ("link_open", "link_close"):
                    links += child.nesting
                elif child.type == "text" and not links:
                    found.append((token.children, index))
    return found


def _link_mentions(state: StateCore) -> None:
    """Core rule: link the mentions of people the resolver in ``env["mentions"]`` knows. It
    is asked once, with the first MAX_MENTIONS distinct handles; every handle it returns a
    path for is linked wherever it is mentioned."""
    resolve: MentionResolver | None = state.env.get("mentions")
    if resolve is None:
        return
    texts = _plain_texts(state.tokens)
    handles = list(dict.fromkeys(
        handle for children, i in texts for _, handle in _mentions_in(children[i].content)))
    if not handles:
        return
    handles = handles[:MAX_MENTIONS]
    found = resolve(handles)
    paths = {handle: found[handle] for handle in handles if handle in found}
    for children, i in reversed(texts):  # later children first: earlier indexes stay valid
        children[i:i + 1] = _split_mentions(children[i], paths)


def _split_mentions(text: Token, paths: Mapping[str, str]) -> list[Token]:
    """A text token as text and mention links (``@handle``, lower case)."""
    pieces, done, source = [], 0, text.content
    for match, handle in _mentions_in(source):
        if handle not in paths:
            continue
        link = Token("link_open", "a", 1, attrs={"class": MENTION_CLASS, "href": paths[handle]})
        pieces += [_text(source[done:match.start()]), link, _text(f"@{handle}"),
                   Token("link_close", "a", -1)]
        done = match.end()
    if not pieces:
        return [text]
    return [piece for piece in [*pieces, _text(source[done:])]
            if piece.type != "text" or piece.content]


def _text(content: str) -> Token:
    return Token("text", "", 0, content=content)


def _linkify(source):
    return LinkifyFilter(source, callbacks=[_set_rel], skip_tags={"pre", "code"})


@lru_cache(maxsize=1)
def _cleaner() -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=_allowed_attribute,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[_linkify],
    )


def render_markdown(source: str, mentions: MentionResolver | None = None) -> str:
    """Markdown source → clean HTML string, ready to store beside the source. With a
    ``mentions`` resolver, the @handles it finds people for are linked to their profiles."""
    html = _markdown().render(source or "", {"mentions": mentions})
    return _cleaner().clean(html).strip()


#: block ends that separate what follows by a blank line, and by a line break
_PARAGRAPH_ENDS = frozenset({"paragraph_close", "heading_close", "blockquote_close",
                             "bullet_list_close", "ordered_list_close", "table_close"})
_LINE_ENDS = frozenset({"list_item_close", "tr_close", "hr"})


def plain_text(source: str) -> str:
    """Markdown source → the text a person reads, without its marks (``**``, ``#``, ``>``,
    link targets), for places that take no HTML: calendar files, search snippets. Walks
    markdown-it's tokens; cells are separated by spaces, list items by lines."""
    out: list[str] = []
    for token in _markdown().parse(source or "", {}):
        if token.type == "inline":
            out.extend(_inline_text(token.children or []))
        elif token.type in ("fence", "code_block"):
            out.append(token.content.rstrip("\n") + "\n\n")
        elif token.type in _PARAGRAPH_ENDS and not token.hidden:  # a tight list's items: lines
            out.append("\n\n")
        elif token.type in _LINE_ENDS:
            out.append("\n")
        elif token.type in ("th_close", "td_close"):
            out.append(" ")
    lines = (line.strip() for line in "".join(out).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _inline_text(children: list[Token]) -> Iterator[str]:
    for child in children:
        if child.type in ("text", "code_inline"):
            yield child.content
        elif child.type == "softbreak":
            yield " "
        elif child.type == "hardbreak":
            yield "\n"
        elif child.type == "image":
            yield from _inline_text(child.children or [])


def safe(html: str | None) -> Markup:
    """Mark stored, already-cleaned HTML as safe for a template."""
    return Markup(html or "")  # noqa: S704 (only HTML that render_markdown cleaned is stored)



#: how much Markdown source is read for a summary: plain text never grows longer than its
#: source, and a page's description needs only its first sentences
_SOURCE_PER_CHARACTER = 4


def summary_text(markdown: str | None, limit: int = 200) -> str:
    """Markdown → one line of plain text of at most ``limit`` characters (a meta description,
    a feed's summary): the words as a reader sees them, without markup, links' addresses or
    images, whitespace collapsed, cut at a word with "…" (``plain_text`` keeps the lines, for
    calendars and snippets). Only the first ``limit`` × 4 characters of the source are read,
    and the result is remembered per source (a page shown a thousand times parses its text
    once)."""
    return _summary_text((markdown or "")[:limit * _SOURCE_PER_CHARACTER], limit)


@lru_cache(maxsize=2048)
def _summary_text(source: str, limit: int) -> str:
    text = " ".join(plain_text(source).split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:.—-") + "…"
