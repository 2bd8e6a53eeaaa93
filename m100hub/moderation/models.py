"""Reports to the moderators, about anything a feature declares reportable."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..database import TimestampMixin, UTCDateTime
from ..extensions import Model


class ModeratedMixin:
    """The columns of an item people may report (a forum post, a consultation comment…): the
    reports' counter, moderation's hiding with its public reason, the author's deletion."""

    if TYPE_CHECKING:  # every reportable table's own primary key
        id: Mapped[int]

    deleted_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: hidden by moderation (or by reports, until a moderator decides), with a public reason
    hidden_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")
    #: open reports by distinct people
    report_count: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def visible(self) -> bool:
        return self.deleted_dt is None and self.hidden_dt is None

    @property
    def hidden_by_moderator(self) -> bool:
        """Hidden with a moderator's (required) public reason, not by reports awaiting one."""
        return self.hidden_dt is not None and bool(self.hidden_reason)

    @classmethod
    def awaiting_moderator(cls) -> ColumnElement[bool]:
        """SQL condition: hidden by reports, a moderator's decision (and reason) still to come
        (``Reportable.awaiting`` of the kinds that keep no hiding moderator)."""
        return cls.hidden_dt.is_not(None) & (cls.hidden_reason == "")


class Report(TimestampMixin, Model):
    """One person's report about one item (a forum post, a consultation comment…)."""

    __tablename__ = "reports"
    __table_args__ = (
        # one open report per person and item: after a decision it may be reported again
        Index("uq_reports_open", "kind", "target_id", "reporter_id", unique=True,
              postgresql_where=text("resolved_dt IS NULL"),
              sqlite_where=text("resolved_dt IS NULL")),
        Index("ix_reports_target", "kind", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the reportable kind (``Reportable.kind``: "post", "comment"…)
    kind: Mapped[str] = mapped_column(String(32))
    #: the reported item's id in its feature's table
    target_id: Mapped[int] = mapped_column(Integer)
    #: who reported; NULL once they deleted their account (the report still counts)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(500))
    #: when a moderator decided on the item; NULL while open
    resolved_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    reporter: Mapped[User | None] = relationship(lazy="raise")

    @classmethod
    def about(cls, kind: str, target_id):
        """The condition "reports about this item"."""
        return (cls.kind == kind) & (cls.target_id == target_id)
