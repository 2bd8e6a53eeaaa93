"""Text folded for search: lower case without diacritics, so that ``cladiri`` finds
``clădiri`` (ș ş → s, ț ţ → t, ă â → a, î → i, and every Latin letter with a mark).

One ``fold`` for Python and its twin in SQL (``Folded``): PostgreSQL ``translate(lower(…))``
with a table made from ``fold`` itself, SQLite the same Python function registered on every
connection.

What the hub's search finds keeps its text folded once, when written, in ``search_text``:
models that take ``Searchable`` name their ``search_fields`` and a flush listener folds them
on every write through the ORM (create, edit, hide, ``flask m100 rerender``) — cities,
consultations, proposals, events, forum threads and the library's rows; the forum's posts
and the experts' rows fold theirs in their services (their text spans other rows). ``word_starts``
matches it: on PostgreSQL a ``simple`` text search with prefix terms that a GIN index
(``search_index_sql``, made by the migrations) answers, on SQLite a scan.
"""

from __future__ import annotations

import re
import unicodedata
from typing import ClassVar

from markupsafe import Markup, escape
from sqlalchemy import (
    Integer,
    String,
    Text,
    and_,
    case,
    cast,
    event,
    false,
    func,
    inspect,
    literal,
    literal_column,
    null,
    or_,
    type_coerce,
)
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.functions import FunctionElement

from .text import plain_text

WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 8


def fold(value: str | None) -> str:
    """Lower case without diacritics (ș ş → s, ț ţ → t, ă â → a, î → i)."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def searchable(*parts: str | None) -> str:
    """The folded text the search matches: the non-empty ``parts``, one per line."""
    return fold("\n".join(part for part in parts if part))


def terms(query: str | None) -> list[str]:
    """The query's distinct folded words (at most ``MAX_TERMS``)."""
    return list(dict.fromkeys(WORD.findall(fold(query or ""))))[:MAX_TERMS]


#: the letters with marks that SQL folds: those of Romanian and of the languages spoken in its
#: cities and written in its projects (Hungarian, German, French), upper and lower case.
#: PostgreSQL's translate() reads its table for every character of a text, so the table is
#: kept short; ``fold`` (Python, and SQLite through it) folds every Latin letter.
SQL_FOLDED = "ăâîșşțţáàäéèêëíìïóòôöőúùûüűçýÿ"
SQL_FOLDED += SQL_FOLDED.upper()


def _translation_table() -> tuple[str, str]:
    """(from, to) for SQL ``translate``: each letter of ``SQL_FOLDED`` and its fold."""
    return SQL_FOLDED, "".join(fold(ch) for ch in SQL_FOLDED)


#: the letters a folded word may stand for with a mark (a LIKE's ``_`` there)
LOOSE = frozenset(fold(SQL_FOLDED))


def loose_pattern(word: str) -> str:
    """A LIKE pattern (``\\`` escapes) that every text holding the folded ``word`` matches,
    whatever marks its letters carry (``cladiri`` → ``%_l_d_r_%``): a cheap first test."""
    def escaped(ch: str) -> str:
        return "\\" + ch if ch in "%_\\" else ch

    return "%" + "".join("_" if ch in LOOSE else escaped(ch) for ch in word) + "%"


TRANSLATE_FROM, TRANSLATE_TO = _translation_table()


class Folded(FunctionElement):
    """``fold(expression)`` in SQL."""

    type = String()
    inherit_cache = True
    name = "m100_fold"


@compiles(Folded)
def _folded_sqlite(element, compiler, **kw):
    return f"m100_fold({compiler.process(element.clauses, **kw)})"


@compiles(Folded, "postgresql")
def _folded_postgresql(element, compiler, **kw):
    # the marks first (upper case too: lower() of a C collation leaves non-ASCII alone)
    inner = compiler.process(element.clauses, **kw)
    return (f"lower(translate({inner}, '{TRANSLATE_FROM}', '{TRANSLATE_TO}'))")


@event.listens_for(Engine, "connect")
def _register_fold(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.create_function("m100_fold", 1, fold, deterministic=True)


def word_starts(folded_text, words: list[str]):
    """A clause: every folded word begins a word of the already folded ``folded_text`` (a
    stored ``search_text``): ``renov`` finds ``renovare``, ``nova`` does not.

    PostgreSQL: ``to_tsvector('simple', …) @@ 'w1:* & w2:*'``, which the GIN index made by
    ``search_index_sql`` answers (the configuration is written inline, as in the index, so
    the planner matches the two); SQLite: LIKE at the start, GLOB after any other
    character (a scan, with the same results)."""
    from .extensions import db

    if db.engine.dialect.name == "postgresql":
        vector = func.to_tsvector(literal_column("'simple'"), folded_text)
        return vector.op("@@")(func.to_tsquery(literal_column("'simple'"),
                                               " & ".join(f"{w}:*" for w in words)))
    # terms() keeps letters, digits and "_": "_" is LIKE's one wildcard among them, GLOB's none
    return and_(*(or_(folded_text.like(w.replace("_", "\\_") + "%", escape="\\"),
                      folded_text.op("GLOB")(f"*[^a-z0-9]{w}*")) for w in words))


def search_index_sql(name: str, table: str, column: str = "search_text") -> str:
    """The PostgreSQL DDL of the GIN index ``word_starts`` uses (for the migrations; its
    name goes in ``database.HAND_WRITTEN_SCHEMA``)."""
    return f"CREATE INDEX {name} ON {table} USING gin (to_tsvector('simple', {column}))"


class Searchable:
    """A model whose rows the hub's search finds: ``search_text`` holds its
    ``search_fields`` folded (``searchable``), written by the flush listener below whenever
    a row is added or changed through the ORM — so no write path can forget it."""

    #: the attributes folded into ``search_text``, in order
    search_fields: ClassVar[tuple[str, ...]] = ()
    #: deferred: only the search reads it (by SQL), never a page
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="",
                                             deferred=True)

    def folded_search_text(self) -> str:
        return searchable(*(getattr(self, name) for name in self.search_fields))


def refold_all(session, batch: int = 500) -> int:
    """Fold every ``Searchable`` row's text again (``flask m100 rerender``: after a change of
    ``fold`` or rows written behind the ORM's back); returns how many rows."""
    from sqlalchemy import select

    from .extensions import Model

    count = 0
    for mapper in Model.registry.mappers:
        model = mapper.class_
        if not issubclass(model, Searchable) or mapper.inherits is not None:
            continue
        for row in session.scalars(select(model).execution_options(yield_per=batch)):
            row.search_text = row.folded_search_text()
            count += 1
    return count


@event.listens_for(Session, "before_flush")
def _fold_search_texts(session, flush_context, instances) -> None:
    with session.no_autoflush:
        for obj in session.new:
            if isinstance(obj, Searchable):
                obj.search_text = obj.folded_search_text()
        # changed rows, only when a searched field changed: a reply's counters on its thread
        # must not rewrite the text and its GIN index entry
        for obj in session.dirty:
            if isinstance(obj, Searchable) and obj not in session.deleted:
                state = inspect(obj)
                if any(name not in state.attrs or state.attrs[name].history.has_changes()
                       for name in obj.search_fields):
                    obj.search_text = obj.folded_search_text()


def text_has_words(expression, words: list[str]):
    """A clause: ``expression`` (not folded) holds every word, folded in the query — only
    where case-insensitive LIKEs with the marked letters left open matched every word first
    (CASE keeps that order: folding is the costly part)."""
    loose = and_(*(expression.ilike(loose_pattern(word), escape="\\") for word in words))
    folded = Folded(expression)
    return case((loose, and_(*(folded.contains(word, autoescape=True) for word in words))),
                else_=false())


#: characters of a result's text shown, and of its Markdown read to find them (a bounded
#: cost whatever the text's length: the page parses a few hundred characters per result)
SNIPPET = 300
SNIPPET_SOURCE = 4 * SNIPPET


def snippet(body: str | None) -> tuple[str, bool]:
    """The start of a Markdown text as plain text (no Markdown marks), and whether more
    follows."""
    body = body or ""
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


def result_columns(*, ident, title, body, sort_dt, city_id=None, ref=None, words=()):
    """The columns of a search result, labelled and typed alike for every source (a UNION):
    its id, a reference its address needs (a slug, a parent's id), title, text, city, date,
    and ``rank`` (0 when the title alone holds every word, else 1)."""
    from .database import UTCDateTime

    def nothing(kind):
        return cast(null(), kind)

    return (
        type_coerce(ident, Integer).label("ident"),
        (cast(ref, String) if ref is not None else nothing(String)).label("ref"),
        type_coerce(title, String).label("title"),
        type_coerce(body, String).label("body"),
        (type_coerce(city_id, Integer) if city_id is not None else nothing(Integer)
         ).label("city_id"),
        type_coerce(sort_dt, UTCDateTime).label("sort_dt"),
        case((text_has_words(title, list(words)), literal(0)), else_=literal(1)).label("rank"),
    )
