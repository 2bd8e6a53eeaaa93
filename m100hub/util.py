"""Small helpers with no better home."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from flask import Response, current_app, request, stream_with_context
from werkzeug.routing import BaseConverter, IntegerConverter

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 120) -> str:
    """``București Sector 2`` → ``bucuresti-sector-2`` (diacritics folded, ASCII only)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_WORD.sub("-", folded.lower()).strip("-")
    return slug[:max_length].strip("-") or "x"


#: the largest id the database's integer columns hold
MAX_ID = 2**31 - 1


def parse_id(text: str | None) -> int | None:
    """An id written in a form or a query string, or None when it is not one (not digits,
    zero, or too large for the database: it must never reach a query)."""
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


class IdConverter(IntegerConverter):
    """``<id:…>`` in a route: a positive id that fits the database's integer column.

    Anything else is a 404 at routing, before a query could overflow."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 (Werkzeug's signature)
        super().__init__(map, min=1, max=MAX_ID)


class SlugConverter(BaseConverter):
    """``<slug:…>``: what ``slugify`` makes; anything else is a 404 at routing."""

    regex = r"[a-z0-9][a-z0-9-]{0,159}"


def _adapter():
    base = urlsplit(current_app.config["BASE_URL"])
    return current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http")


def path_for(endpoint: str, **values) -> str:
    """A path on this site, in a request or not (text rendered by a task or a command)."""
    return _adapter().build(endpoint, values)


def absolute_url(endpoint: str, **values) -> str:
    """An address under BASE_URL, in a request or not (e-mails written by Celery tasks)."""
    return _adapter().build(endpoint, values, force_external=True)


def choice_arg(name: str, choices, default: str = "") -> str:
    """The query argument or form field ``name`` when it is one of ``choices`` (strings),
    else ``default``: a filter or an order as the page offers them, never a value of the
    address's own."""
    value = request.values.get(name, default)
    return value if value in choices else default


def page_arg(name: str = "page") -> int:
    """The ``page`` (or ``name``) query argument as a positive int; anything else is page 1."""
    value = request.args.get(name, "1")
    return int(value) if value.isascii() and value.isdigit() and 0 < int(value) < 100000 else 1


def csv_cell(value):
    """A value safe to open in a spreadsheet: text starting with = + - @ (or a tab or carriage
    return) would be read as a formula, so it gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


#: rows written per chunk of a streamed CSV (a few dozen kilobytes)
CSV_CHUNK_ROWS = 500


def csv_response(header: Sequence, rows: Iterable[Sequence], filename: str) -> Response:
    """A CSV download streamed as it is written: ``rows`` (a generator, say, reading the
    database in batches) is consumed while the response goes out, with the request's context
    and session kept for it, so memory stays the same whatever the number of rows. Every
    cell goes through ``csv_cell``."""

    def chunks():
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        for number, row in enumerate(rows, 1):
            writer.writerow([csv_cell(cell) for cell in row])
            if number % CSV_CHUNK_ROWS == 0:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    # text/csv: Werkzeug adds "; charset=utf-8" itself (naming it too said it twice)
    return Response(stream_with_context(chunks()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
