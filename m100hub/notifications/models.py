from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import Model
from ..people import Person

PENDING = text("fanned_out_dt IS NULL")
#: notifications still to e-mail (at once or in a digest)
MAIL_DUE = text("digested_dt IS NULL AND delivery IN ('immediate', 'daily', 'weekly')")


class Happening:
    """What happened: an event's columns, which each of its notifications repeats (the fan-out
    copies them from the event into every recipient's row)."""

    #: what happened, a key of notifications.kinds.KINDS
    kind: Mapped[str] = mapped_column(String(50))
    #: who caused it, if a person
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: what it is about (table name and id)
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column(Integer)
    #: what the message needs (names, titles), captured when it happened
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    #: the city it is about (the target's), NULL for the whole hub: the digests group by it
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id", ondelete="SET NULL"))
    #: when it happened (UTC)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotificationEvent(Happening, Model):
    """One row per thing that happened and whom it concerns, written in the transaction that
    causes it: the recipients' rows are written with it (a few named people) or, for an
    audience (a thread's followers…), by the fan-out task in batches afterwards."""

    __tablename__ = "notification_events"
    __table_args__ = (
        # the sweep's query: events whose fan-out has not finished
        Index("ix_notification_events_pending", "created_dt",
              postgresql_where=PENDING, sqlite_where=PENDING),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: who is told: a key of notifications.kinds.AUDIENCES and its argument (the thread's id…);
    #: NULL when the recipients' rows were written with the event
    audience: Mapped[str | None] = mapped_column(String(50))
    audience_id: Mapped[int | None] = mapped_column(Integer)
    #: people of the audience not to tell (the actor, those told otherwise): a few ids
    excluded: Mapped[list] = mapped_column(JSON, default=list)
    #: the fan-out goes through the audience in id order; the highest id done so far
    fanned_out_to: Mapped[int] = mapped_column(Integer, default=0)
    #: when every recipient's row was written; NULL while the fan-out is due
    fanned_out_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Notification(Happening, Model):
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
        # exactly once per event and person, however often the fan-out runs
        UniqueConstraint("event_id", "recipient_id"),
        # the digests' beat: the people with notifications to e-mail, by delivery, in id order
        Index("ix_notifications_mail_due", "delivery", "recipient_id", "created_dt",
              postgresql_where=MAIL_DUE, sqlite_where=MAIL_DUE),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: who is told
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: the event this row tells of (NULL for rows written before events existed)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification_events.id", ondelete="CASCADE"))
    #: when the recipient read it; NULL while unread
    read_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when it went out by e-mail or in a digest (or was left out, read already); NULL until
    #: then
    digested_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: how the recipient is told (notifications.kinds.Delivery), fixed when it was written:
    #: "app", or the e-mail that takes it ("immediate", "daily", "weekly")
    delivery: Mapped[str] = mapped_column(String(10), default="app", server_default="app")

    #: a ``User`` (accounts, a higher layer: see m100hub.people)
    actor: Mapped[Person | None] = relationship("User", foreign_keys="Notification.actor_id",
                                                  lazy="raise")


class NotificationPreference(Model):
    """How a person wants to be told of one kind; kinds without a row follow their default."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    #: a key of notifications.kinds.KINDS
    kind: Mapped[str] = mapped_column(String(50), primary_key=True)
    #: a notifications.kinds.Delivery value
    delivery: Mapped[str] = mapped_column(String(10))


class DigestSchedule(Model):
    """When a person's digests go out, if not at the hub's DIGEST_HOUR on DIGEST_WEEKDAY:
    an hour of the day and a day of the week in DIGEST_TIMEZONE."""

    __tablename__ = "digest_schedules"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    #: 0–23, the local hour of the daily digest (and of the weekly one)
    hour: Mapped[int] = mapped_column(SmallInteger)
    #: 0 (Monday) – 6 (Sunday), the day of the weekly digest
    weekday: Mapped[int] = mapped_column(SmallInteger)


class DigestRun(Model):
    """One e-mail of notifications to a person for one period ("d2026-12-07" daily,
    "w2026-12-07" weekly, "i2026-12-07T08:05" at once): written when the beat queues its task,
    done when the e-mail is in the outbox. The key makes a second run for the period a no-op,
    whether the task was delivered twice or its worker was killed mid-run."""

    __tablename__ = "digest_runs"
    __table_args__ = (
        # runs whose task was lost (Redis down, the worker killed): queued again by the beat
        Index("ix_digest_runs_pending", "created_dt", postgresql_where=text("done_dt IS NULL"),
              sqlite_where=text("done_dt IS NULL")),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    period: Mapped[str] = mapped_column(String(20), primary_key=True)
    #: when the beat queued it (UTC)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: when its e-mail was written to the outbox (or found nothing new); NULL while due
    done_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: how many notifications it carried
    items: Mapped[int] = mapped_column(Integer, default=0)
    #: its e-mail's row in the outbox (m100hub.mail), once written
    mail_id: Mapped[int | None] = mapped_column(Integer)
