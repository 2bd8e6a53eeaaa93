"""Event tables.

Capacity is kept by the database: registering and cancelling lock the event row (SELECT …
FOR UPDATE on PostgreSQL; SQLite's writing transactions begin IMMEDIATE), and the counters
``confirmed_count``/``waitlist_count`` move in that transaction. A partial unique index lets
a person hold at most one active (confirmed or waitlisted) registration per event.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import LabelledEnum, TimestampMixin, UTCDateTime, str_enum, utcnow
from ..extensions import Model, db
from ..folding import Searchable
from ..media.models import WithImage
from ..people import OnePerPersonMixin

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..cities.models import City
    from ..organisations.models import Organisation


class EventKind(LabelledEnum):
    WORKSHOP = "workshop", _l("Workshop")
    WEBINAR = "webinar", _l("Webinar")
    CONFERENCE = "conference", _l("Conference")
    SITE_VISIT = "site_visit", _l("Site visit")
    TRAINING = "training", _l("Training")


class Attendance(LabelledEnum):
    IN_PERSON = "in_person", _l("In person")
    ONLINE = "online", _l("Online")
    HYBRID = "hybrid", _l("In person and online")


class RegistrationStatus(LabelledEnum):
    CONFIRMED = "confirmed", _l("Confirmed")
    WAITLISTED = "waitlisted", _l("On the waiting list")
    CANCELLED = "cancelled", _l("Cancelled")


class Event(Searchable, WithImage, TimestampMixin, Model):
    __tablename__ = "events"
    search_fields = ("title", "description")
    __table_args__ = (
        CheckConstraint("ends_dt > starts_dt", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
        CheckConstraint("confirmed_count >= 0 AND waitlist_count >= 0", name="counts_positive"),
        Index("ix_events_listing", "starts_dt", "cancelled_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, "event_kind"))
    title: Mapped[str] = mapped_column(String(200))
    #: Markdown source and its cleaned HTML
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"), index=True)
    #: climate sectors concerned (values of ClimateSector)
    sectors: Mapped[list] = mapped_column(db.JSON, default=list)
    #: when (UTC; entered and shown in Europe/Bucharest)
    starts_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    attendance: Mapped[Attendance] = mapped_column(str_enum(Attendance, "attendance"))
    #: where, for people who come in person
    address: Mapped[str] = mapped_column(String(300), default="")
    #: the meeting link: shown to confirmed registrants (and the organisers) only
    online_url: Mapped[str] = mapped_column(String(500), default="")
    #: places; NULL: no limit (nobody waits)
    capacity: Mapped[int | None] = mapped_column(Integer)
    #: registration window; NULL opening: at once, NULL deadline: the start
    registration_opens_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: counters kept with the registrations, under the event's row lock
    confirmed_count: Mapped[int] = mapped_column(Integer, default=0)
    waitlist_count: Mapped[int] = mapped_column(Integer, default=0)
    #: after the event: slides, notes, links (Markdown and cleaned HTML)
    materials: Mapped[str] = mapped_column(Text, default="")
    materials_html: Mapped[str] = mapped_column(Text, default="")
    cancelled_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    #: the organiser (co-organisers: EventOrganiser) and the organisation it is held for
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"))

    city: Mapped[City | None] = relationship("City", lazy="raise")
    organisation: Mapped[Organisation | None] = relationship("Organisation", lazy="raise")

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.confirmed_count >= self.capacity

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.confirmed_count, 0)

    def registration_open_at(self, now: datetime) -> bool:
        opens = self.registration_opens_dt
        closes = self.registration_closes_dt or self.starts_dt
        return (self.cancelled_dt is None and (opens is None or opens <= now) and now < closes
                and now < self.starts_dt)

    @property
    def registration_open(self) -> bool:
        return self.registration_open_at(utcnow())

    @property
    def is_past(self) -> bool:
        return self.ends_dt <= utcnow()

    @property
    def has_started(self) -> bool:
        return self.starts_dt <= utcnow()

    @property
    def registration_not_open_yet(self) -> bool:
        return self.registration_opens_dt is not None and utcnow() < self.registration_opens_dt


class EventOrganiser(OnePerPersonMixin, Model):
    """A co-organiser: manages the event like the person who created it."""

    __tablename__ = "event_organisers"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          primary_key=True)

    user: Mapped[User] = relationship("User", lazy="raise")


class Registration(TimestampMixin, Model):
    __tablename__ = "event_registrations"
    __table_args__ = (
        # at most one active registration per person and event
        Index("uq_event_registrations_active", "event_id", "user_id", unique=True,
              postgresql_where=text("status <> 'cancelled'"),
              sqlite_where=text("status <> 'cancelled'")),
        # the waiting list in arrival order
        Index("ix_event_registrations_queue", "event_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(
        str_enum(RegistrationStatus, "registration_status"))
    #: the short code on the ticket (typed or scanned at the door); unique
    code: Mapped[str] = mapped_column(String(12), unique=True)
    confirmed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the 24-hour reminder, sent once
    reminded_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship("Event", lazy="raise")
    user: Mapped[User] = relationship("User", lazy="raise")

    @property
    def active(self) -> bool:
        return self.status != RegistrationStatus.CANCELLED


class CalendarFeed(Model):
    """A person's secret calendar address (their confirmed events); revocable."""

    __tablename__ = "event_calendar_feeds"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
