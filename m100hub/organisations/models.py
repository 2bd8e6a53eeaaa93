from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import LabelledEnum, TimestampMixin, UTCDateTime, str_enum
from ..extensions import Model

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..cities.models import City


class OrgKind(LabelledEnum):
    MUNICIPALITY = "municipality", _l("Municipality")
    PUBLIC_INSTITUTION = "public_institution", _l("Public institution")
    COMPANY = "company", _l("Company")
    NGO = "ngo", _l("NGO")
    ACADEMIA = "academia", _l("Academia")


class Status(LabelledEnum):
    PENDING = "pending", _l("Pending")
    VERIFIED = "verified", _l("Verified")
    REJECTED = "rejected", _l("Rejected")


class MembershipRole(LabelledEnum):
    MEMBER = "member", _l("Member")
    MANAGER = "manager", _l("Manager")


class Organisation(TimestampMixin, Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: name as the organisation writes it
    name: Mapped[str] = mapped_column(String(160))
    #: URL name; unique, so the same organisation cannot be requested twice
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    #: municipality, public institution, company, NGO or academia
    kind: Mapped[OrgKind] = mapped_column(str_enum(OrgKind, "org_kind"))
    #: the city it belongs to; required for municipalities
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"), index=True)
    #: pending until an admin verifies the request that created it
    status: Mapped[Status] = mapped_column(str_enum(Status, "org_status"), default=Status.PENDING)
    #: public web site
    website: Mapped[str] = mapped_column(String(300), default="")
    #: who asked for it
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    city: Mapped[City | None] = relationship("City", lazy="raise")

    @property
    def is_verified(self) -> bool:
        return self.status == Status.VERIFIED


class Membership(TimestampMixin, Model):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "organisation_id"),
        Index("ix_memberships_status", "status", "created_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the person
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: the organisation
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    #: member, or manager (verifies other members)
    role: Mapped[MembershipRole] = mapped_column(
        str_enum(MembershipRole, "membership_role"), default=MembershipRole.MEMBER
    )
    #: pending until verified by an admin or a verified manager
    status: Mapped[Status] = mapped_column(
        str_enum(Status, "membership_status"), default=Status.PENDING
    )
    #: who decided, when, and why (shown to the person on rejection)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(500), default="")

    user: Mapped[User] = relationship("User", foreign_keys=[user_id], lazy="raise")
    organisation: Mapped[Organisation] = relationship("Organisation", lazy="raise")
