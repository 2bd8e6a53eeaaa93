from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import TimestampMixin, UTCDateTime, str_enum
from ..extensions import db


class OrgKind(enum.StrEnum):
    MUNICIPALITY = "municipality"
    PUBLIC_INSTITUTION = "public_institution"
    COMPANY = "company"
    NGO = "ngo"
    ACADEMIA = "academia"


ORG_KIND_LABELS = {
    OrgKind.MUNICIPALITY: _l("Municipality"),
    OrgKind.PUBLIC_INSTITUTION: _l("Public institution"),
    OrgKind.COMPANY: _l("Company"),
    OrgKind.NGO: _l("NGO"),
    OrgKind.ACADEMIA: _l("Academia"),
}


class Status(enum.StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


STATUS_LABELS = {
    Status.PENDING: _l("Pending"),
    Status.VERIFIED: _l("Verified"),
    Status.REJECTED: _l("Rejected"),
}


class MembershipRole(enum.StrEnum):
    MEMBER = "member"
    MANAGER = "manager"


ROLE_LABELS = {MembershipRole.MEMBER: _l("Member"), MembershipRole.MANAGER: _l("Manager")}


class Organisation(TimestampMixin, db.Model):
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

    city = relationship("City", lazy="raise")

    @property
    def kind_label(self) -> str:
        return str(ORG_KIND_LABELS[self.kind])

    @property
    def is_verified(self) -> bool:
        return self.status == Status.VERIFIED


class Membership(TimestampMixin, db.Model):
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

    user = relationship("User", foreign_keys=[user_id], lazy="raise")
    organisation = relationship("Organisation", lazy="raise")

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS[self.role])
