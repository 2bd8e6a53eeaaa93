"""A city's Climate City Contract: its ambition and target, the action plan with updates and
funding lines (the investment plan), and the city's yearly emission inventories.

Money is whole euros and emissions whole tonnes of CO2 equivalent (integers: the figures are
estimates, and exact integers add up the same on every database). The numeric rules live in
check constraints, so no code path can store a negative amount or a progress of 120 %.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..cities.models import ClimateSector
from ..database import LabelledEnum, TimestampMixin, UTCDateTime, str_enum, utcnow
from ..extensions import Model
from ..follows import FollowerMixin, Follows

if TYPE_CHECKING:
    from ..cities.models import City
    from ..organisations.models import Organisation

_SECTOR = {member.name: member for member in ClimateSector}


class ContractSector(LabelledEnum):
    """The five M100 sectors (as ``ClimateSector``) and two more a contract plans for."""

    ENERGY = "energy", _SECTOR["ENERGY"]._label
    TRANSPORT = "transport", _SECTOR["TRANSPORT"]._label
    BUILDINGS = "buildings", _SECTOR["BUILDINGS"]._label
    INDUSTRY = "industry", _SECTOR["INDUSTRY"]._label
    AGRICULTURE = "agriculture", _SECTOR["AGRICULTURE"]._label
    WASTE = "waste", _l("Waste")
    NATURE = "nature", _l("Nature-based solutions")


class ActionStatus(LabelledEnum):
    PLANNED = "planned", _l("Planned")
    IN_PROGRESS = "in_progress", _l("In progress")
    DONE = "done", _l("Done")
    DROPPED = "dropped", _l("Dropped")


class FundingKind(LabelledEnum):
    OWN_BUDGET = "own_budget", _l("City's own budget")
    NATIONAL = "national", _l("National funds")
    EU_PROGRAMME = "eu_programme", _l("EU programme")
    PRIVATE = "private", _l("Private")
    OTHER = "other", _l("Other")


class CommitmentStatus(LabelledEnum):
    PROPOSED = "proposed", _l("Awaiting the city's answer")
    ACCEPTED = "accepted", _l("Accepted")
    DECLINED = "declined", _l("Declined")


class Contract(TimestampMixin, Model):
    """One per city: the commitments part (ambition, target) and the emission baseline."""

    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint("target_year > baseline_year", name="target_after_baseline"),
        CheckConstraint("baseline_year BETWEEN 1990 AND 2100", name="baseline_year_range"),
        CheckConstraint("target_year BETWEEN 1990 AND 2100", name="target_year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"),
                                         unique=True)
    #: the city's ambition statement, Markdown source and its cleaned HTML
    ambition: Mapped[str] = mapped_column(Text, default="")
    ambition_html: Mapped[str] = mapped_column(Text, default="")
    #: the year the city is climate neutral (2030 EU mission, 2035 mirror cities)
    target_year: Mapped[int] = mapped_column(Integer)
    #: the year of the reference inventory the path to zero starts from
    baseline_year: Mapped[int] = mapped_column(Integer)
    #: demo data: its figures are illustrative, and every page showing them says so
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    #: when the contract's text or years last changed (UTC)
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    city: Mapped[City] = relationship("City", lazy="raise")


class Action(TimestampMixin, Model):
    """An item of the action plan; its cost and funding lines make the investment plan."""

    __tablename__ = "contract_actions"
    __table_args__ = (
        # a double submit of the same form finds the first action, never makes a second
        UniqueConstraint("contract_id", "title", name="uq_contract_actions_title"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"),
        CheckConstraint("cost IS NULL OR cost >= 0", name="cost_not_negative"),
        CheckConstraint("expected_reduction IS NULL OR expected_reduction >= 0",
                        name="reduction_not_negative"),
        CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on",
                        name="ends_after_start"),
        CheckConstraint("status <> 'dropped' OR dropped_reason <> ''", name="dropped_has_reason"),
        Index("ix_contract_actions_listing", "contract_id", "sector"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    sector: Mapped[ContractSector] = mapped_column(str_enum(ContractSector, "contract_sector"))
    title: Mapped[str] = mapped_column(String(200))
    #: Markdown source and its cleaned HTML
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    #: who carries it out
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus, "action_status"),
                                                 default=ActionStatus.PLANNED)
    #: why a dropped action was dropped (required then)
    dropped_reason: Mapped[str] = mapped_column(String(500), default="")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    #: expected reduction, tCO2e per year
    expected_reduction: Mapped[int | None] = mapped_column(BigInteger)
    #: percent done, 0–100
    progress: Mapped[int] = mapped_column(Integer, default=0)
    #: estimated cost, euros
    cost: Mapped[int | None] = mapped_column(BigInteger)
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation | None] = relationship("Organisation", lazy="raise")
    #: the open-data API's reads (eager loads only)
    contract: Mapped[Contract] = relationship("Contract", lazy="raise")
    funding_lines: Mapped[list[FundingLine]] = relationship(
        "FundingLine", lazy="raise", order_by="FundingLine.id", viewonly=True)


class ActionUpdate(TimestampMixin, Model):
    """A dated note on an action: its timeline."""

    __tablename__ = "contract_action_updates"
    __table_args__ = (
        Index("ix_contract_action_updates_timeline", "action_id", "on_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("contract_actions.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: the day the note speaks of
    on_date: Mapped[date] = mapped_column(Date)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")


class FundingLine(TimestampMixin, Model):
    """Where (part of) an action's money comes from: secured, and still sought."""

    __tablename__ = "contract_funding_lines"
    __table_args__ = (
        UniqueConstraint("action_id", "source_kind", "programme",
                         name="uq_contract_funding_lines_source"),
        CheckConstraint("secured >= 0 AND sought >= 0", name="amounts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("contract_actions.id", ondelete="CASCADE"),
                                           index=True)
    source_kind: Mapped[FundingKind] = mapped_column(str_enum(FundingKind, "funding_kind"))
    #: the programme or funder (e.g. "PNRR", "Horizon Europe"); may be empty
    programme: Mapped[str] = mapped_column(String(200), default="")
    #: euros
    secured: Mapped[int] = mapped_column(BigInteger, default=0)
    sought: Mapped[int] = mapped_column(BigInteger, default=0)
    #: the funding opportunity (resources library) it applies to, when there is one
    funding_call_id: Mapped[int | None] = mapped_column(
        ForeignKey("funding_calls.id", ondelete="SET NULL"), index=True)


class Inventory(TimestampMixin, Model):
    """A city's emissions in one sector and year."""

    __tablename__ = "emission_inventories"
    __table_args__ = (
        UniqueConstraint("city_id", "year", "sector", name="uq_emission_inventories_row"),
        CheckConstraint("tco2e >= 0", name="tco2e_not_negative"),
        CheckConstraint("year BETWEEN 1990 AND 2100", name="year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    sector: Mapped[ContractSector] = mapped_column(str_enum(ContractSector, "contract_sector"))
    #: tonnes of CO2 equivalent
    tco2e: Mapped[int] = mapped_column(BigInteger)
    #: where the figure comes from (a report, a link)
    source: Mapped[str] = mapped_column(String(300), default="")

    city: Mapped[City] = relationship("City", lazy="raise")


class Follower(FollowerMixin, Model):
    """Told of a city's action updates and status changes."""

    __tablename__ = "contract_followers"

    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"),
                                         primary_key=True)


FOLLOWS = Follows(Follower.city_id)


class ActionFollower(FollowerMixin, Model):
    """Told of one action's updates and status changes (without following the whole
    contract)."""

    __tablename__ = "contract_action_followers"

    action_id: Mapped[int] = mapped_column(
        ForeignKey("contract_actions.id", ondelete="CASCADE"), primary_key=True)


ACTION_FOLLOWS = Follows(ActionFollower.action_id)


class ActionLink(Model):
    """"You said, we did": an item people took part in (a consultation, a proposal, a
    thread… any kind a feature declares linkable, m100hub/features.py) that informed an
    action, with the officials' public explanation. The kind is a name, not a foreign key:
    a kind's items come and go with their own feature (a link to one gone is not shown)."""

    __tablename__ = "contract_action_links"
    __table_args__ = (
        # one link per action and item: sending the form twice finds the first
        UniqueConstraint("action_id", "item_kind", "item_id", name="uq_contract_action_links_item"),
        Index("ix_contract_action_links_item", "item_kind", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("contract_actions.id", ondelete="CASCADE"),
                                           index=True)
    #: a registered ``Linkable.kind`` ("consultation", "proposal", "forum_thread"…)
    item_kind: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[int] = mapped_column(Integer)
    #: what the item changed in the action (public, short)
    explanation: Mapped[str] = mapped_column(String(500))
    #: the official who made the link
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Commitment(TimestampMixin, Model):
    """What an organisation commits to in a city's contract, by when: proposed by one of its
    verified members, accepted or declined by the city's officials."""

    __tablename__ = "contract_commitments"
    __table_args__ = (
        # the same pledge twice (a second form, a retried request) is the first one
        UniqueConstraint("contract_id", "organisation_id", "pledge",
                         name="uq_contract_commitments_pledge"),
        CheckConstraint("status <> 'declined' OR reason <> ''", name="declined_has_reason"),
        Index("ix_contract_commitments_listing", "contract_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    #: what the organisation commits to (public)
    pledge: Mapped[str] = mapped_column(String(500))
    #: the day by which it is done
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[CommitmentStatus] = mapped_column(
        str_enum(CommitmentStatus, "commitment_status"), default=CommitmentStatus.PROPOSED)
    #: the officials' public reason (required when declining)
    reason: Mapped[str] = mapped_column(String(500), default="")
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship("Organisation", lazy="raise")
