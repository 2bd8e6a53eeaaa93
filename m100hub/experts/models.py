"""Experts and requests for expertise.

A person offers expertise in one profile (on their own or for an organisation they are a
verified member of); they may hide it from the directory at any time. Officials of a city
post a request for expertise; experts answer it once each, and the officials mark who helped.
People write to an expert through the hub (``ExpertMessage``): nobody's e-mail address is
shown. Texts are folded for search once, when written (``search_text``, m100hub.folding).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import LabelledEnum, TimestampMixin, UTCDateTime, utcnow
from ..extensions import Model, db

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..cities.models import City
    from ..organisations.models import Organisation


class Language(LabelledEnum):
    """Languages an expert works in (those of Romania's cities and of European projects)."""

    RO = "ro", _l("Romanian")
    EN = "en", _l("English")
    HU = "hu", _l("Hungarian")
    DE = "de", _l("German")
    FR = "fr", _l("French")
    IT = "it", _l("Italian")
    ES = "es", _l("Spanish")


class ExpertProfile(TimestampMixin, Model):
    """What a person offers; one per person."""

    __tablename__ = "expert_profiles"
    __table_args__ = (Index("ix_expert_profiles_listing", "listed", "updated_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the expert (the profile goes with their account)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    #: the organisation they offer it for (one they are a verified member of), if any
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    #: one line: what they do
    headline: Mapped[str] = mapped_column(String(200))
    #: Markdown source and its cleaned HTML
    bio: Mapped[str] = mapped_column(Text, default="")
    bio_html: Mapped[str] = mapped_column(Text, default="")
    #: climate sectors (values of ClimateSector), a short JSON list
    sectors: Mapped[list] = mapped_column(db.JSON, default=list)
    #: topics as typed ("eficiență energetică"), and the same folded between bars
    #: ("|eficienta energetica|"), for an exact filter whatever the diacritics
    topics: Mapped[list] = mapped_column(db.JSON, default=list)
    topics_key: Mapped[str] = mapped_column(String(1200), default="")
    #: languages they work in (values of Language)
    languages: Mapped[list] = mapped_column(db.JSON, default=list)
    #: they serve every city (else those in ExpertCity)
    all_cities: Mapped[bool] = mapped_column(Boolean, default=False)
    #: shown in the directory and in search; the expert hides it at any time
    listed: Mapped[bool] = mapped_column(Boolean, default=True)
    #: name, headline, topics and bio folded (m100hub.folding), for search
    search_text: Mapped[str] = mapped_column(Text, default="")
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship("User", lazy="raise")
    organisation: Mapped[Organisation | None] = relationship("Organisation", lazy="raise")


class ExpertCity(Model):
    """A city an expert can serve."""

    __tablename__ = "expert_cities"

    profile_id: Mapped[int] = mapped_column(
        ForeignKey("expert_profiles.id", ondelete="CASCADE"), primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)


class ExpertiseRequest(TimestampMixin, Model):
    """What a city needs, by when: posted by one of its officials."""

    __tablename__ = "expertise_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    #: the official who posted it; NULL once they deleted their account (it stays the city's)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                  index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: Markdown source and its cleaned HTML
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    #: climate sectors (values of ClimateSector)
    sectors: Mapped[list] = mapped_column(db.JSON, default=list)
    #: the day the city needs it by (Europe/Bucharest)
    needed_by: Mapped[date] = mapped_column(Date)
    #: when an official closed it (no more answers)
    closed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer_count: Mapped[int] = mapped_column(default=0)
    #: title and body folded, for search
    search_text: Mapped[str] = mapped_column(Text, default="")

    city: Mapped[City] = relationship("City", lazy="raise")
    author: Mapped[User | None] = relationship("User", lazy="raise")

    @property
    def is_open(self) -> bool:
        return self.closed_dt is None


class ExpertiseAnswer(TimestampMixin, Model):
    """An expert's offer to help with a request: one per expert and request."""

    __tablename__ = "expertise_answers"
    __table_args__ = (UniqueConstraint("request_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("expertise_requests.id", ondelete="CASCADE"), index=True)
    #: the expert (their answer goes with their account)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    #: when an official of the city marked that this expert helped, and who
    helped_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    helped_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship("User", lazy="raise", foreign_keys=[user_id])


class ExpertMessage(TimestampMixin, Model):
    """A message written through the hub to an expert (or the expert's reply): delivered as a
    notification and an e-mail, and read on its page; no address is ever shown."""

    __tablename__ = "expert_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                           index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                              index=True)
    #: the message this one answers
    reply_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("expert_messages.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)

    sender: Mapped[User] = relationship("User", lazy="raise", foreign_keys=[sender_id])
    recipient: Mapped[User] = relationship("User", lazy="raise", foreign_keys=[recipient_id])
