from __future__ import annotations

from typing import ClassVar

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..database import TimestampMixin
from ..extensions import Model


class StoredImage(TimestampMixin, Model):
    """One uploaded image in two sizes, WebP, without the file's metadata. The bytes are
    deferred: pages load the sizes and the text alternative, never the pictures."""

    __tablename__ = "images"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the large rendition: part of the address, so a new image is a new address
    digest: Mapped[str] = mapped_column(String(64), index=True)
    #: what the image shows, for people who cannot see it (empty: decorative)
    alt: Mapped[str] = mapped_column(String(250), default="")
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    small_width: Mapped[int] = mapped_column(Integer)
    small_height: Mapped[int] = mapped_column(Integer)
    large: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    small: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    @property
    def version(self) -> str:
        return self.digest[:12]

    def __repr__(self) -> str:
        return f"<StoredImage {self.id} {self.width}×{self.height}>"


class WithImage:
    """An optional image of a row (a city's, event's or consultation's cover; a person's
    avatar), loaded with the row in the same query (its bytes stay deferred) — unless the
    class says ``image_joined = False``: rows shown without their image on most pages
    (people: an avatar beside a post; cities: their own pages only) would widen every query
    that loads them, and each join costs the planner time; those queries that show it ask
    for it (``joinedload(User.image)``)."""

    #: load the image with the row, in the same query (else on first use)
    image_joined: ClassVar[bool] = True

    @declared_attr
    def image_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("images.id", ondelete="SET NULL"))

    @declared_attr
    def image(cls) -> Mapped[StoredImage | None]:
        return relationship(StoredImage, lazy="joined" if cls.image_joined else "select")

    @property
    def image_alt(self) -> str:
        """The image's text alternative, as an edit form shows it."""
        return self.image.alt if self.image is not None else ""
