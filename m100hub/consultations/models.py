"""Consultation tables.

Ballots are stored one per person and question (a unique constraint), and every ballot is
also counted in ``Tally``: one row per question, distinct set of choices and stakeholder
sector. The results page reads the tallies, never the ballots, so its cost does not grow
with turnout; the voting service keeps both in the same transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from ..accounts.models import Sector
from ..database import LabelledEnum, TimestampMixin, UTCDateTime, str_enum, utcnow
from ..extensions import Model, db
from ..folding import Searchable
from ..follows import FollowerMixin, Follows
from ..media.models import WithImage
from ..moderation.models import ModeratedMixin
from ..people import OnePerPersonMixin

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..cities.models import City


class Phase(LabelledEnum):
    """Derived from the times and the officials' actions, never stored."""

    DRAFT = "draft", _l("Draft")
    SCHEDULED = "scheduled", _l("Scheduled")
    OPEN = "open", _l("Open")
    CLOSED = "closed", _l("Closed")
    PUBLISHED = "published", _l("Results published")


class QuestionKind(LabelledEnum):
    YES_NO = "yes_no", _l("Yes / no / abstain")
    SINGLE = "single", _l("Single choice")
    APPROVAL = "approval", _l("Approval (choose up to k)")
    RANKED = "ranked", _l("Ranked choice (instant runoff)")


class ProposalStatus(LabelledEnum):
    NONE = "none", _l("Awaiting a response")
    UNDER_STUDY = "under_study", _l("Under study")
    ACCEPTED = "accepted", _l("Accepted")
    REJECTED = "rejected", _l("Rejected")


class Consultation(Searchable, WithImage, TimestampMixin, Model):
    __tablename__ = "consultations"
    search_fields = ("title", "summary", "body")
    __table_args__ = (CheckConstraint("closes_dt > opens_dt", name="closes_after_opening"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    #: one or two sentences for lists
    summary: Mapped[str] = mapped_column(String(500))
    #: Markdown source and its cleaned HTML
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    #: the city consulting its people; NULL: a national consultation (the secretariat's)
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"), index=True)
    #: climate sectors concerned (values of ClimateSector)
    sectors: Mapped[list] = mapped_column(db.JSON, default=list)
    #: voting window (UTC; entered and shown in Europe/Bucharest)
    opens_dt: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    closes_dt: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: whether anyone may see the running results while voting is open
    results_while_open: Mapped[bool] = mapped_column(Boolean, default=False)
    #: when the officials made it public (NULL: a draft)
    announced_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when the results and the official response were published
    published_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the day by which the city means to publish the results (optional, told to voters)
    results_due_on: Mapped[date | None] = mapped_column(Date)
    #: why the officials closed voting before its planned end (public; closes_dt is then
    #: the moment they closed it); NULL: voting ran its course
    closed_early_reason: Mapped[str | None] = mapped_column(String(500))
    #: "what we did with your input": Markdown source and cleaned HTML
    response: Mapped[str] = mapped_column(Text, default="")
    response_html: Mapped[str] = mapped_column(Text, default="")
    #: when followers were told of the opening and reminded of the closing (once each)
    opening_notified_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closing_notified_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: people with at least one ballot, and proposals and visible comments (counters)
    participant_count: Mapped[int] = mapped_column(Integer, default=0)
    proposal_count: Mapped[int] = mapped_column(Integer, default=0)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: whether the person reading follows it, loaded with it when asked (None: not asked)
    viewer_follows: Mapped[bool | None] = query_expression()

    city: Mapped[City | None] = relationship("City", lazy="raise")

    def phase_at(self, now: datetime) -> Phase:
        if self.announced_dt is None:
            return Phase.DRAFT
        if now < self.opens_dt:
            return Phase.SCHEDULED
        if now < self.closes_dt:
            return Phase.OPEN
        return Phase.CLOSED if self.published_dt is None else Phase.PUBLISHED

    @property
    def phase(self) -> Phase:
        return self.phase_at(utcnow())


class Question(Model):
    __tablename__ = "consultation_questions"
    __table_args__ = (
        CheckConstraint("max_choices IS NULL OR max_choices >= 1", name="max_choices_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "question_kind"))
    text: Mapped[str] = mapped_column(String(300))
    #: optional explanation, plain text
    help_text: Mapped[str] = mapped_column(String(1000), default="")
    #: approval: at most this many choices; ranked: at most this many ranks (NULL: all)
    max_choices: Mapped[int | None] = mapped_column(SmallInteger)

    options: Mapped[list[Option]] = relationship(
        "Option", order_by="Option.position", lazy="raise", back_populates="question",
        cascade="all, delete-orphan", passive_deletes=True)
    #: the signed-in reader's own choice key, when the page asks (queries.questions)
    viewer_choice: Mapped[str | None] = query_expression()


class Option(Model):
    __tablename__ = "consultation_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_questions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: the answer as written; yes/no/abstain options carry a code and are worded per language
    label: Mapped[str] = mapped_column(String(200), default="")
    code: Mapped[str | None] = mapped_column(String(10))

    question: Mapped[Question] = relationship("Question", lazy="raise",
                                              back_populates="options")

    @property
    def title(self) -> str:
        return fixed_option_label(self.code) if self.code else self.label


def fixed_option_label(code: str) -> str:
    """Yes / no / abstain, in the reader's language (the one asked only: a ballot says each
    option's title a few times, and every gettext costs some 20 µs)."""
    if code == "yes":
        return _("Yes")
    if code == "no":
        return _("No")
    if code == "abstain":
        return _("Abstain")
    return code


class Ballot(Model):
    """One person's current answer to one question. Never shown or exported individually."""

    __tablename__ = "consultation_ballots"
    __table_args__ = (UniqueConstraint("question_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_questions.id", ondelete="CASCADE"))
    #: the voter; NULL once they deleted their account (the ballot stays counted)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    #: the choices, as counting.encode() writes them (option ids; ranked: in order)
    choice_key: Mapped[str] = mapped_column(String(400))
    #: the voter's stakeholder sector when they (last) voted
    sector: Mapped[Sector] = mapped_column(str_enum(Sector, "sector"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Tally(Model):
    """How many current ballots of a question carry these choices, per sector."""

    __tablename__ = "consultation_tallies"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_questions.id", ondelete="CASCADE"), primary_key=True)
    choice_key: Mapped[str] = mapped_column(String(400), primary_key=True)
    sector: Mapped[Sector] = mapped_column(str_enum(Sector, "sector"), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class Participant(OnePerPersonMixin, Model):
    """Someone who voted in the consultation (for turnout; also a follower)."""

    __tablename__ = "consultation_participants"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Follower(FollowerMixin, Model):
    """Told at opening, 48 hours before closing and at publication."""

    __tablename__ = "consultation_followers"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True)


FOLLOWS = Follows(Follower.consultation_id)


class Proposal(Searchable, TimestampMixin, Model):
    __tablename__ = "consultation_proposals"
    search_fields = ("title", "body")
    __table_args__ = (Index("ix_consultation_proposals_listing", "consultation_id",
                            "support_count"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(160))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    support_count: Mapped[int] = mapped_column(Integer, default=0)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    #: the officials' answer, with its reason
    status: Mapped[ProposalStatus] = mapped_column(
        str_enum(ProposalStatus, "proposal_status"), default=ProposalStatus.NONE)
    status_reason: Mapped[str] = mapped_column(String(1000), default="")
    status_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User | None] = relationship("User", lazy="raise")


class Support(OnePerPersonMixin, Model):
    """One per person and proposal (the primary key)."""

    __tablename__ = "consultation_supports"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_proposals.id", ondelete="CASCADE"), primary_key=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Comment(ModeratedMixin, TimestampMixin, Model):
    """A comment on a consultation or on one of its proposals; replies nest under a parent."""

    __tablename__ = "consultation_comments"
    __table_args__ = (Index("ix_consultation_comments_thread", "consultation_id",
                            "proposal_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"))
    #: NULL: about the consultation itself
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_proposals.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_comments.id", ondelete="CASCADE"))
    #: 0 for a top-level comment
    depth: Mapped[int] = mapped_column(SmallInteger, default=0)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    up_count: Mapped[int] = mapped_column(Integer, default=0)
    down_count: Mapped[int] = mapped_column(Integer, default=0)

    author: Mapped[User | None] = relationship("User", lazy="raise")
    consultation: Mapped[Consultation] = relationship("Consultation", lazy="raise")
    #: the signed-in reader's vote on it (1, -1, 0), when the page asks (queries.comments)
    viewer_vote: Mapped[int | None] = query_expression()

    @property
    def score(self) -> int:
        return self.up_count - self.down_count


class CommentVote(OnePerPersonMixin, Model):
    """Up (+1) or down (−1): one per person and comment (the primary key)."""

    __tablename__ = "consultation_comment_votes"
    __table_args__ = (CheckConstraint("value IN (-1, 1)", name="plus_or_minus_one"),)

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_comments.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[int] = mapped_column(SmallInteger)
