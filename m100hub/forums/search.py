"""Forum search, ignoring letter case and Romanian diacritics (``m100hub.folding``):
``cladiri`` finds ``clădiri`` (and, as words are matched by their beginning, ``clădirile``).

Text is folded once, when written (``Post.search_text``); a query is folded the same way.
PostgreSQL matches with ``to_tsvector('simple', …)`` over a GIN index, SQLite with an FTS5
table (both made by migration 0002); one function, ``search_posts``, hides which.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal, literal_column, select, text, union
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..features import SearchQuery, SearchSource
from ..folding import (
    MAX_TERMS,
    SNIPPET,
    fold,
    highlight,
    result_columns,
    snippet,
    terms,
    word_starts,
)
from .models import Category, Post, Thread

__all__ = ["MAX_TERMS", "SEARCH", "SNIPPET", "fold", "highlight", "search_posts", "search_text",
           "snippet", "terms"]


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


def _threads(query: SearchQuery):
    """Visible threads whose title (``Thread.search_text``), or visible opening post
    (``Post.search_text``, the title included), holds every word at word starts: the two
    index lookups in a UNION, so that neither table is scanned."""
    opening_visible = and_(Post.deleted_dt.is_(None), Post.hidden_dt.is_(None))
    matching = union(
        select(Thread.id).where(word_starts(Thread.search_text, query.words)),
        select(Post.thread_id).where(Post.number == 1, opening_visible,
                                     word_starts(Post.search_text, query.words)))
    stmt = (
        select(*result_columns(
            ident=Thread.id, title=Thread.title, sort_dt=Thread.last_post_dt,
            body=case((opening_visible, Post.body), else_=literal("")),
            city_id=Thread.city_id, words=query.words))
        .join(Post, and_(Post.thread_id == Thread.id, Post.number == 1))
        .where(Thread.hidden.is_(False), Thread.id.in_(matching))
    )
    if query.city_id:
        stmt = stmt.where(Thread.city_id == query.city_id)
    if query.sector:
        stmt = stmt.join(Category, Category.id == Thread.category_id).where(
            Category.sector == query.sector)
    return stmt


SEARCH = [SearchSource("threads", _l("Forum threads"), _threads,
                       lambda row: url_for("forums.thread", thread_id=row.ident), order=30)]
