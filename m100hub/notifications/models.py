from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import Model
from ..people import Person


class Notification(Model):
    """One row per recipient: the durable outbox that the centre and the digests read."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_recipient_created", "recipient_id", "created_dt"),
        Index(
            "ix_notifications_unread",
            "recipient_id",
            postgresql_where=text("read_dt IS NULL"),
            sqlite_where=text("read_dt IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: who is told
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: what happened, a key of notifications.kinds.KINDS
    kind: Mapped[str] = mapped_column(String(50))
    #: who caused it, if a person
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: what it is about (table name and id)
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column(Integer)
    #: what the message needs (names, titles), captured when it happened
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    #: when it happened (UTC)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: when the recipient read it; NULL while unread
    read_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when it went out by e-mail or in a digest; NULL until then
    digested_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    #: a ``User`` (accounts, a higher layer: see m100hub.people)
    actor: Mapped[Person | None] = relationship("User", foreign_keys=[actor_id], lazy="raise")
