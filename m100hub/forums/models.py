"""Forum tables. Counters are denormalised so that a category page and a thread page are a
fixed handful of queries; the services keep them consistent in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import get_locale
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from ..cities.models import ClimateSector
from ..database import TimestampMixin, UTCDateTime, str_enum, utcnow
from ..extensions import Model, db
from ..folding import Searchable
from ..follows import Follows
from ..moderation.models import ModeratedMixin
from ..people import OnePerPersonMixin

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..cities.models import City
    from ..consultations.models import Consultation
    from ..events.models import Event


class Category(TimestampMixin, Model):
    __tablename__ = "forum_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: URL name
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    #: name and description in Romanian, and optionally in English
    name: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80), default="")
    description: Mapped[str] = mapped_column(String(300), default="")
    description_en: Mapped[str] = mapped_column(String(300), default="")
    #: the sector or the city it is for (neither: a general category)
    sector: Mapped[ClimateSector | None] = mapped_column(str_enum(ClimateSector, "climate_sector"))
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"), index=True)
    #: order on the forum's front page
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: archived categories are read-only and listed last
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    #: visible threads and posts
    thread_count: Mapped[int] = mapped_column(Integer, default=0)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    #: the thread with the newest post (a denormalised pointer: no foreign key, no cycle)
    last_thread_id: Mapped[int | None] = mapped_column(Integer)
    last_post_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    last_thread: Mapped[Thread | None] = relationship(
        "Thread", primaryjoin="foreign(Category.last_thread_id) == Thread.id", viewonly=True,
        lazy="raise")
    city: Mapped[City | None] = relationship("City", lazy="raise")

    @property
    def title(self) -> str:
        return self.name_en if str(get_locale()) == "en" and self.name_en else self.name

    @property
    def blurb(self) -> str:
        english = str(get_locale()) == "en" and self.description_en
        return self.description_en if english else self.description


class Thread(Searchable, TimestampMixin, Model):
    __tablename__ = "forum_threads"
    #: the title (the opening post keeps its own, title included: ``Post.search_text``)
    search_fields = ("title",)
    __table_args__ = (
        Index("ix_forum_threads_listing", "category_id", "pinned", "last_post_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("forum_categories.id"), index=True)
    #: who started it
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(160))
    #: optional link to a city
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"), index=True)
    #: comma-free short labels, lower case
    tags: Mapped[list] = mapped_column(db.JSON, default=list)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    #: hidden as a whole (then visible to moderators and the author). Hiding the opening post
    #: no longer sets it (it hides that post's text only; 0012 showed the threads it had hidden)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    #: visible posts, the first included, and visible replies (posts after the first)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    #: the number the next post takes (posts keep their number when others are hidden)
    next_number: Mapped[int] = mapped_column(Integer, default=1)
    last_post_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_poster_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    #: what the thread is about, optionally: a consultation or an event
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations.id", ondelete="SET NULL"), index=True)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True)

    category: Mapped[Category] = relationship("Category", lazy="raise")
    consultation: Mapped[Consultation | None] = relationship("Consultation", lazy="raise")
    event: Mapped[Event | None] = relationship("Event", lazy="raise")
    author: Mapped[User | None] = relationship("User", foreign_keys=[author_id], lazy="raise")
    last_poster: Mapped[User | None] = relationship("User", foreign_keys=[last_poster_id],
                                                    lazy="raise")
    city: Mapped[City | None] = relationship("City", lazy="raise")

    #: for the signed-in reader, when the thread page asks (queries.thread): whether they
    #: follow it, how far they have read it; None when not asked
    viewer_follows: Mapped[bool | None] = query_expression()
    viewer_read: Mapped[int | None] = query_expression()


class Post(ModeratedMixin, TimestampMixin, Model):
    __tablename__ = "forum_posts"
    __table_args__ = (UniqueConstraint("thread_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id", ondelete="CASCADE"))
    #: 1 for the opening post, then in order of writing
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: Markdown source and its cleaned HTML (rendered once, when written)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    #: folded (lower case, no diacritics) title and body, for search
    search_text: Mapped[str] = mapped_column(Text, default="")
    edited_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the moderator who hid it (the rest of moderation's columns: ModeratedMixin)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reaction_count: Mapped[int] = mapped_column(Integer, default=0)

    thread: Mapped[Thread] = relationship("Thread", foreign_keys=[thread_id], lazy="raise")
    author: Mapped[User | None] = relationship("User", foreign_keys=[author_id], lazy="raise")
    #: whether the signed-in reader likes it, when the thread page asks; None else
    viewer_likes: Mapped[bool | None] = query_expression()


class PostRevision(Model):
    """An earlier text of an edited post: edits are kept."""

    __tablename__ = "forum_post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"),
                                         index=True)
    body: Mapped[str] = mapped_column(Text)
    #: when this text was replaced
    replaced_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Reaction(OnePerPersonMixin, Model):
    """A "like": one per person per post, by the primary key."""

    __tablename__ = "forum_reactions"

    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"),
                                         primary_key=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Subscription(TimestampMixin, Model):
    """Following a thread or a category: new posts or threads notify the follower."""

    __tablename__ = "forum_subscriptions"
    __table_args__ = (
        UniqueConstraint("user_id", "thread_id"),
        UniqueConstraint("user_id", "category_id"),
        CheckConstraint("(thread_id IS NULL) <> (category_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_threads.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_categories.id", ondelete="CASCADE"), index=True)


#: following a thread, and a category (one table, a row naming either)
THREAD_FOLLOWS = Follows(Subscription.thread_id)
CATEGORY_FOLLOWS = Follows(Subscription.category_id)


class ReadMarker(Model):
    """How far a person has read a thread (the highest post number seen)."""

    __tablename__ = "forum_read_markers"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id", ondelete="CASCADE"),
                                           primary_key=True)
    last_read_number: Mapped[int] = mapped_column(Integer, default=0)
