"""@mentions: found in the Markdown source, linked in the stored HTML."""

from __future__ import annotations

import re

from markupsafe import escape
from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from ..util import path_for

MENTION = re.compile(r"(?<![\w@/])@([a-z0-9](?:[a-z0-9._-]{0,28}[a-z0-9])?)", re.IGNORECASE)
MAX_MENTIONS = 20
#: text inside these elements is left alone (a quote's mentions were someone else's)
SKIP = re.compile(r"(<(code|pre|a|blockquote)\b.*?</\2>)", re.DOTALL | re.IGNORECASE)
TAG = re.compile(r"(<[^>]+>)")


def mentioned_people(source: str) -> list[User]:
    handles = list(dict.fromkeys(m.lower() for m in MENTION.findall(source or "")))[:MAX_MENTIONS]
    if not handles:
        return []
    return list(db.session.scalars(select(User).where(User.handle.in_(handles))))


def link_mentions(html: str, people: list[User]) -> tuple[str, list[User]]:
    """Turn ``@handle`` of known people into links to their profiles, outside code, links and
    quotes; returns the HTML and the people actually linked (the ones to notify)."""
    if not people:
        return html, []
    urls = {p.handle: path_for("accounts.profile", user_id=p.id) for p in people}
    linked: set[str] = set()

    def replace_text(segment: str) -> str:
        def one(match):
            handle = match.group(1).lower()
            if handle not in urls:
                return match.group(0)
            linked.add(handle)
            return f'<a class="mention" href="{escape(urls[handle])}">@{escape(handle)}</a>'

        return MENTION.sub(one, segment)

    pieces = SKIP.split(html)
    out = []
    skip_next = 0
    for piece in pieces:
        if skip_next:
            skip_next -= 1
            continue
        if SKIP.fullmatch(piece or ""):
            out.append(piece)
            skip_next = 1  # the tag-name group that re.split also returns
            continue
        out.append("".join(part if TAG.fullmatch(part) else replace_text(part)
                           for part in TAG.split(piece)))
    return "".join(out), [p for p in people if p.handle in linked]
