"""How rows and the lowest layers refer to a person (an ``accounts.models.User``)."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column


class Person(Protocol):
    """The part of a user that notifications and the activity log (and their templates) read.
    They sit below ``accounts``, whose services notify and log, so their rows name the User
    model only as a string and may not import it, not even for types: this is the type of
    their ``actor``."""

    @property
    def id(self) -> int: ...

    @property
    def display_name(self) -> str: ...

    @property
    def handle(self) -> str: ...


class OnePerPersonMixin:
    """A row a person has at most one of per thing (a vote, a follow, a like, a co-organiser's
    seat): the person is the second half of the primary key, the thing's id the first; indexed
    for everything of one person, and gone with their account."""

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
