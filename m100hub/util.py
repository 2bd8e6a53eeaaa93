"""Small helpers with no better home."""

from __future__ import annotations

import re
import unicodedata

from flask import request

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 120) -> str:
    """``București Sector 2`` → ``bucuresti-sector-2`` (diacritics folded, ASCII only)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_WORD.sub("-", folded.lower()).strip("-")
    return slug[:max_length].strip("-") or "x"


def page_arg() -> int:
    """The ``page`` query argument as a positive int; anything else is page 1."""
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) < 100000 else 1
