"""Search that ignores letter case and Romanian diacritics: ``cladiri`` finds ``clădiri`` (and,
as words are matched by their beginning, ``clădirile``).

Text is folded once, when written (``Post.search_text``); a query is folded the same way.
PostgreSQL matches with ``to_tsvector('simple', …)`` over a GIN index, SQLite with an FTS5
table (both made by migration 0002); one function, ``search_posts``, hides which.
"""

from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup, escape
from sqlalchemy import func, literal_column, select, text
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..text import plain_text
from .models import Post, Thread

WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8


def fold(value: str) -> str:
    """Lower case without diacritics (ș ş → s, ț ţ → t, ă â → a, î → i)."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def terms(query: str) -> list[str]:
    return list(dict.fromkeys(WORD.findall(fold(query))))[:MAX_TERMS]


def search_text(title: str, body: str) -> str:
    return fold(f"{title}\n{body}")


def _match_clause(words: list[str]):
    """(where-clause, rank expression) for the current database."""
    if db.engine.dialect.name == "postgresql":
        vector = func.to_tsvector(literal_column("'simple'"), Post.search_text)
        query = func.to_tsquery(literal_column("'simple'"), " & ".join(f"{w}:*" for w in words))
        return vector.op("@@")(query), func.ts_rank(vector, query).desc()
    fts_query = " ".join(f'"{w}"*' for w in words)
    matching = text("forum_posts.id IN (SELECT rowid FROM forum_posts_fts "
                    "WHERE forum_posts_fts MATCH :fts)").bindparams(fts=fts_query)
    rank = text("(SELECT bm25(forum_posts_fts) FROM forum_posts_fts "
                "WHERE forum_posts_fts MATCH :fts2 AND rowid = forum_posts.id)"
                ).bindparams(fts2=fts_query)
    return matching, rank


def search_posts(query: str, visible_thread_filter, page: int, per_page: int):
    """Visible posts whose text has every word of ``query``, best first, paginated.

    ``visible_thread_filter`` is a clause on Thread (what the reader may see)."""
    words = terms(query)
    if not words:
        return None
    matching, rank = _match_clause(words)
    stmt = (
        select(Post)
        .options(joinedload(Post.author))
        .join(Thread, Thread.id == Post.thread_id)
        .where(matching, Post.deleted_dt.is_(None), Post.hidden_dt.is_(None),
               visible_thread_filter)
        .order_by(rank, Post.id.desc())
    )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


#: characters of a result's text shown, and of its Markdown read to find them (a bounded
#: cost whatever the post's length: the page parses a few hundred characters per result)
SNIPPET = 300
SNIPPET_SOURCE = 4 * SNIPPET


def snippet(body: str) -> tuple[str, bool]:
    """The start of a post as plain text (no Markdown marks), and whether more follows."""
    text = plain_text(body[:SNIPPET_SOURCE])
    more = len(text) > SNIPPET or len(body) > SNIPPET_SOURCE
    return text[:SNIPPET], more


def highlight(value: str, words: list[str], limit: int | None = None) -> Markup:
    """``value`` escaped, with every occurrence of the folded ``words`` in <mark>.

    Folding keeps one character per original character here (NFKD then dropping marks maps
    ă → a), so positions in the folded text are positions in the original."""
    value = value[:limit] if limit else value
    folded = "".join(fold(ch)[:1] or ch for ch in value)
    spans: list[tuple[int, int]] = []
    for word in words:
        spans.extend(m.span() for m in re.finditer(re.escape(word), folded))
    out, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            continue
        out.append(escape(value[last:start]))
        out.append(Markup("<mark>%s</mark>") % value[start:end])
        last = end
    out.append(escape(value[last:]))
    return Markup("").join(out)
