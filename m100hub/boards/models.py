"""Workshop boards: columns of sticky-note cards, dot votes, and the change log.

Every change to a board locks its row (``database.locked``), adds one to ``version`` and
writes one ``BoardChange`` in the same transaction: the version is the board's clock, and a
client that reconnects with the last version it saw is sent the changes after it. Card
positions are fractional-index keys (``fractional_indexing``): a move writes one card's key,
never the column's. Per-person dot budgets are kept under the same board lock.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import LabelledEnum, TimestampMixin, UTCDateTime, str_enum, utcnow
from ..extensions import Model, db
from ..moderation.models import ModeratedMixin
from ..people import OnePerPersonMixin

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..events.models import Event

#: a card's text, at most
CARD_LENGTH = 500
COLUMN_TITLE_LENGTH = 100
GROUP_TITLE_LENGTH = 100


class BoardAccess(LabelledEnum):
    REGISTRANTS = "registrants", _l("The workshop's confirmed participants")
    PUBLIC = "public", _l("Anyone signed in (visitors watch)")


class CardColour(LabelledEnum):
    YELLOW = "yellow", _l("Yellow")
    GREEN = "green", _l("Green")
    BLUE = "blue", _l("Blue")
    PINK = "pink", _l("Pink")
    ORANGE = "orange", _l("Orange")


class Board(TimestampMixin, Model):
    __tablename__ = "boards"
    __table_args__ = (
        CheckConstraint("vote_budget BETWEEN 0 AND 100", name="vote_budget_range"),
        CheckConstraint("version >= 0", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the workshop it belongs to
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    title: Mapped[str] = mapped_column(String(200))
    access: Mapped[BoardAccess] = mapped_column(str_enum(BoardAccess, "board_access"))
    #: nobody but the facilitators changes anything
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    #: authors are shown to nobody, facilitators and exports included
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    #: vote counts are hidden (each person sees their own dots) until revealed
    votes_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    #: dots each person may give on this board; several on one card when ``multiple_dots``
    vote_budget: Mapped[int] = mapped_column(Integer, default=5)
    multiple_dots: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the countdown everyone sees, when one runs
    timer_ends_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: grows by one with every change (BoardChange.version)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)

    event: Mapped[Event] = relationship("Event", lazy="raise")


class BoardFacilitator(OnePerPersonMixin, Model):
    """Someone a facilitator invited by handle: runs the board like the organisers."""

    __tablename__ = "board_facilitators"

    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"),
                                          primary_key=True)

    user: Mapped[User] = relationship("User", lazy="raise")


class BoardColumn(Model):
    __tablename__ = "board_columns"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"),
                                          index=True)
    title: Mapped[str] = mapped_column(String(COLUMN_TITLE_LENGTH))
    #: fractional-index key: columns sort by it (as strings, byte order)
    position: Mapped[str] = mapped_column(String(64))


class Card(ModeratedMixin, TimestampMixin, Model):
    __tablename__ = "board_cards"
    __table_args__ = (
        # a client's retried "add" (after a reconnect) finds the card it made
        UniqueConstraint("board_id", "client_key", name="uq_board_cards_client_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"),
                                          index=True)
    column_id: Mapped[int] = mapped_column(ForeignKey("board_columns.id", ondelete="CASCADE"),
                                           index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                  index=True)
    #: the card it is grouped under (stacked on), if any: that card heads the group
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("board_cards.id", ondelete="SET NULL"))
    #: the name of the group this card heads (the cards grouped under it), "" when unnamed
    group_title: Mapped[str] = mapped_column(String(GROUP_TITLE_LENGTH), default="",
                                             server_default="")
    text: Mapped[str] = mapped_column(String(CARD_LENGTH))
    colour: Mapped[CardColour] = mapped_column(str_enum(CardColour, "card_colour"))
    #: fractional-index key within its column
    position: Mapped[str] = mapped_column(String(64))
    #: the operation id the client chose when adding it
    client_key: Mapped[str] = mapped_column(String(64))
    #: board versions at which each field last changed, and who changed it (last write wins)
    text_version: Mapped[int] = mapped_column(Integer, default=0)
    text_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    colour_version: Mapped[int] = mapped_column(Integer, default=0)
    colour_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    #: dots given, counted under the board's lock
    vote_count: Mapped[int] = mapped_column(Integer, default=0)
    #: what it became: a forum thread or a consultation proposal ("thread:12", "proposal:3")
    outcome: Mapped[str] = mapped_column(String(40), default="")

    author: Mapped[User | None] = relationship("User", lazy="raise", foreign_keys=[author_id])


class Dot(OnePerPersonMixin, Model):
    """One person's dots on one card."""

    __tablename__ = "board_dots"
    __table_args__ = (CheckConstraint("dots >= 1", name="dots_positive"),
                      Index("ix_board_dots_board_user", "board_id", "user_id"))

    card_id: Mapped[int] = mapped_column(ForeignKey("board_cards.id", ondelete="CASCADE"),
                                         primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    dots: Mapped[int] = mapped_column(Integer, default=1)


class BoardChange(Model):
    """One change, as it was broadcast: what a reconnecting client missed."""

    __tablename__ = "board_changes"

    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"),
                                          primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: the event's name ("card.added"…) and its data
    kind: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(db.JSON)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
