"""The resources library: knowledge items (guides, case studies, templates, reports, datasets,
videos, good practices) and funding opportunities, suggested by verified organisation members
and curated by the secretariat; who follows which calls, and the deadline reminders sent.

Both kinds of item keep ``search_text``: title and text folded whenever written (lower case,
no diacritics: ``folding.Searchable``), for the hub-wide search (``search.py``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..cities.models import ClimateSector
from ..database import LabelledEnum, TimestampMixin, UTCDateTime, str_enum, utcnow
from ..extensions import Model
from ..folding import Searchable
from ..people import OnePerPersonMixin

if TYPE_CHECKING:
    from ..cities.models import City
    from ..organisations.models import Organisation


class ResourceKind(LabelledEnum):
    GUIDE = "guide", _l("Guide")
    CASE_STUDY = "case_study", _l("Case study")
    GOOD_PRACTICE = "good_practice", _l("Good practice")
    TEMPLATE = "template", _l("Template")
    REPORT = "report", _l("Report")
    DATASET = "dataset", _l("Dataset")
    VIDEO = "video", _l("Video")


class Language(LabelledEnum):
    RO = "ro", _l("Romanian")
    EN = "en", _l("English")
    OTHER = "other", _l("Other language")


class Applicant(LabelledEnum):
    """Who may apply to a funding call."""

    MUNICIPALITY = "municipality", _l("Municipalities")
    COMPANY = "company", _l("Companies")
    NGO = "ngo", _l("NGOs")
    ACADEMIA = "academia", _l("Academia")
    ASSOCIATION = "association", _l("Citizens' associations")


class Curation(LabelledEnum):
    PENDING = "pending", _l("Waiting for approval")
    PUBLISHED = "published", _l("Published")
    RETIRED = "retired", _l("Retired")


class CallStatus(LabelledEnum):
    """Derived from the dates, never stored."""

    UPCOMING = "upcoming", _l("Upcoming")
    OPEN = "open", _l("Open")
    CLOSED = "closed", _l("Closed")


#: the item that a resource's rows (its sectors, cities, replications) or a funding call's
#: belong to: the first half of the row's primary key, gone with the item
ResourceKey = Annotated[int, mapped_column(ForeignKey("resources.id", ondelete="CASCADE"),
                                           primary_key=True)]
CallKey = Annotated[int, mapped_column(ForeignKey("funding_calls.id", ondelete="CASCADE"),
                                       primary_key=True)]
#: one of an item's climate sectors, the second half of its sector rows' primary key (indexed:
#: a sector's items)
SectorKey = Annotated[ClimateSector, mapped_column(str_enum(ClimateSector, "climate_sector"),
                                                   primary_key=True, index=True)]


class Curated(Searchable, TimestampMixin):
    """What a suggested, approved and retired item has: its state, who suggested it for
    which organisation, and its folded text for search (``Searchable``)."""

    #: pending (a suggestion), published, or retired (kept, no longer listed)
    status: Mapped[Curation] = mapped_column(str_enum(Curation, "curation_status"),
                                             default=Curation.PENDING)
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @declared_attr
    def suggested_by_id(cls) -> Mapped[int | None]:
        #: the person who suggested it (None once their account is gone)
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    @declared_attr
    def organisation_id(cls) -> Mapped[int | None]:
        #: the publisher organisation
        return mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"), index=True)

    @declared_attr
    def organisation(cls) -> Mapped[Organisation | None]:
        return relationship("Organisation", lazy="raise")

    @property
    def is_published(self) -> bool:
        return self.status == Curation.PUBLISHED


class ResourceFile(TimestampMixin, Model):
    """An uploaded PDF; its bytes are deferred (pages read the name and size only)."""

    __tablename__ = "resource_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the name shown and offered for download (made safe: ASCII letters, digits, - _ .)
    filename: Mapped[str] = mapped_column(String(120))
    #: bytes
    size: Mapped[int] = mapped_column(Integer)
    #: SHA-256 of the bytes
    digest: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


class Resource(Curated, Model):
    """A knowledge item; a good practice carries its city, contract action and outcome."""

    __tablename__ = "resources"
    search_fields = ("title", "summary", "tags", "result")
    __table_args__ = (
        CheckConstraint("url <> '' OR file_id IS NOT NULL", name="link_or_file"),
        CheckConstraint("kind <> 'good_practice' OR practice_city_id IS NOT NULL",
                        name="practice_has_city"),
        Index("ix_resources_listing", "status", "kind", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ResourceKind] = mapped_column(str_enum(ResourceKind, "resource_kind"))
    title: Mapped[str] = mapped_column(String(200))
    #: Markdown source and its cleaned HTML (for a good practice: what was done)
    summary: Mapped[str] = mapped_column(Text, default="")
    summary_html: Mapped[str] = mapped_column(Text, default="")
    #: http(s) address of the item, or empty when it is an uploaded file
    url: Mapped[str] = mapped_column(String(500), default="")
    file_id: Mapped[int | None] = mapped_column(
        ForeignKey("resource_files.id", ondelete="SET NULL"))
    language: Mapped[Language] = mapped_column(str_enum(Language, "resource_language"))
    #: free keywords, comma separated as typed (folded into search_text)
    tags: Mapped[str] = mapped_column(String(300), default="")
    #: good practice: the city that did it, its contract action, cost, result and contact
    practice_city_id: Mapped[int | None] = mapped_column(
        ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("contract_actions.id", ondelete="SET NULL"), index=True)
    cost: Mapped[str] = mapped_column(String(200), default="")
    result: Mapped[str] = mapped_column(Text, default="")
    result_html: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
    #: demo data (the seed): described as an example, never as a real item
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    file: Mapped[ResourceFile | None] = relationship(ResourceFile, lazy="raise")
    practice_city: Mapped[City | None] = relationship("City", lazy="raise")
    #: its sectors and cities, for readers that load them with the item (the open-data API)
    sector_rows: Mapped[list[ResourceSector]] = relationship(
        "ResourceSector", lazy="raise", viewonly=True, order_by="ResourceSector.sector")
    city_rows: Mapped[list[ResourceCity]] = relationship(
        "ResourceCity", lazy="raise", viewonly=True, order_by="ResourceCity.city_id")


class ResourceSector(Model):
    __tablename__ = "resource_sectors"

    resource_id: Mapped[ResourceKey]
    sector: Mapped[SectorKey]


class ResourceCity(Model):
    """A city the item is about (a good practice's own city among them)."""

    __tablename__ = "resource_cities"

    resource_id: Mapped[ResourceKey]
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)

    city: Mapped[City] = relationship("City", lazy="raise")


class Replication(Model):
    """Another city wants to replicate a good practice: one row per (practice, city)."""

    __tablename__ = "resource_replications"

    resource_id: Mapped[ResourceKey]
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"),
                                         primary_key=True)
    #: the official who said so (None once their account is gone)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    city: Mapped[City] = relationship("City", lazy="raise")


class FundingCall(Curated, Model):
    """A funding opportunity. Money is whole units of ``currency``; the deadline is stored in
    UTC and typed and shown in Europe/Bucharest."""

    __tablename__ = "funding_calls"
    search_fields = ("title", "programme", "funder", "call_identifier", "summary")
    __table_args__ = (
        CheckConstraint("amount_min IS NULL OR amount_min >= 0", name="min_not_negative"),
        CheckConstraint("amount_max IS NULL OR amount_min IS NULL OR amount_max >= amount_min",
                        name="max_not_below_min"),
        CheckConstraint("cofinancing_rate IS NULL OR cofinancing_rate BETWEEN 0 AND 100",
                        name="rate_percent"),
        CheckConstraint("url LIKE 'http://%' OR url LIKE 'https://%'", name="url_http"),
        Index("ix_funding_calls_listing", "status", "deadline_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    programme: Mapped[str] = mapped_column(String(200))
    funder: Mapped[str] = mapped_column(String(200))
    #: the funder's identifier of the call (e.g. HORIZON-MISS-2025-CIT-01-01)
    call_identifier: Mapped[str] = mapped_column(String(120), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    summary_html: Mapped[str] = mapped_column(Text, default="")
    amount_min: Mapped[int | None] = mapped_column(BigInteger)
    amount_max: Mapped[int | None] = mapped_column(BigInteger)
    #: ISO 4217 code
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    #: the share of the cost the applicant pays itself, percent (None: not stated)
    cofinancing_rate: Mapped[int | None] = mapped_column(Integer)
    opens_on: Mapped[date | None] = mapped_column(Date)
    #: when submissions close (UTC)
    deadline_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: the official call page (http or https only)
    url: Mapped[str] = mapped_column(String(500))
    #: demo data: a real programme described factually, its dates examples only
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)

    sector_rows: Mapped[list[CallSector]] = relationship(
        "CallSector", lazy="raise", viewonly=True, order_by="CallSector.sector")
    applicant_rows: Mapped[list[CallApplicant]] = relationship(
        "CallApplicant", lazy="raise", viewonly=True, order_by="CallApplicant.applicant")


class CallSector(Model):
    __tablename__ = "funding_call_sectors"

    call_id: Mapped[CallKey]
    sector: Mapped[SectorKey]


class CallApplicant(Model):
    __tablename__ = "funding_call_applicants"

    call_id: Mapped[CallKey]
    applicant: Mapped[Applicant] = mapped_column(str_enum(Applicant, "funding_applicant"),
                                                 primary_key=True, index=True)


class FundingFollow(OnePerPersonMixin, Model):
    """What a person follows: ``call:<id>``, ``sector:<sector>`` or ``applicant:<type>``."""

    __tablename__ = "funding_follows"

    topic: Mapped[str] = mapped_column(String(60), primary_key=True, index=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FundingReminder(OnePerPersonMixin, Model):
    """A deadline reminder sent: one row per (person, call, days before), so each is sent
    exactly once whatever runs the task how often."""

    __tablename__ = "funding_reminders"

    call_id: Mapped[CallKey]
    days_before: Mapped[int] = mapped_column(Integer, primary_key=True)
    sent_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
