"""@mentions in forum posts: m100hub.text finds them in the parsed Markdown; this resolver
looks the handles up in one query and keeps the people found, who are the people linked."""

from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from ..text import render_markdown
from ..util import path_for


class PeopleMentioned:
    """A ``MentionResolver`` for render_markdown: handles → profile paths of the people who
    have them. Every person it finds is linked, so ``people`` are the ones to notify."""

    def __init__(self) -> None:
        self.people: list[User] = []

    def __call__(self, handles: list[str]) -> dict[str, str]:
        self.people = list(db.session.scalars(select(User).where(User.handle.in_(handles))))
        return {p.handle: path_for("accounts.profile", user_id=p.id) for p in self.people}


def render_post(source: str) -> tuple[str, list[User]]:
    """Clean HTML with the mentions linked, and the people linked (plain text only: not
    quotes, code or links)."""
    mentioned = PeopleMentioned()
    return render_markdown(source, mentions=mentioned), mentioned.people
