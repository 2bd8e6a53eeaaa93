from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from m100hub.database import TimestampMixin, UTCDateTime
from m100hub.extensions import db


class Note(TimestampMixin, db.Model):
    __tablename__ = "sample_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    hidden_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")
    deleted_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author = None  # the queue shows an author when there is one

    @property
    def visible(self) -> bool:
        return self.hidden_dt is None and self.deleted_dt is None
