from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import Model
from ..people import Person


class ActivityEntry(Model):
    """Public record of what officials, moderators and admins did."""

    __tablename__ = "activity_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: who acted
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: what they did, a key of activity.verbs.VERBS
    verb: Mapped[str] = mapped_column(String(50))
    #: on what (table name, id) and its name at the time
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column(Integer)
    target_label: Mapped[str] = mapped_column(String(200), default="")
    #: the public reason they gave, if any
    reason: Mapped[str] = mapped_column(String(500), default="")
    #: extra facts for the message (e.g. the person a role was granted to)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    #: when (UTC)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    #: a ``User`` (accounts, a higher layer: see m100hub.people)
    actor: Mapped[Person | None] = relationship("User", lazy="raise")
