from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from ..database import LabelledEnum, TimestampMixin, UTCDateTime, str_enum
from ..extensions import Model
from ..media.models import WithImage

if TYPE_CHECKING:
    from ..cities.models import City


class Sector(LabelledEnum):
    PUBLIC = "public", _l("Public sector")
    PRIVATE = "private", _l("Private sector")
    CIVIL = "civil", _l("Civil society")
    CITIZEN = "citizen", _l("Citizen")


#: A handle: lower-case letters, digits, dots and underscores, beginning and ending with a
#: letter or digit — what ``services.unique_handle`` makes, and always mentioned whole by
#: ``text.MENTION``. No hyphens: the link finder reads "@ana-b.ro" as "@ana" and a
#: link to "-b.ro", and a mention inside a link is not linked.
HANDLE_RE = re.compile(r"[a-z0-9](?:[a-z0-9._]*[a-z0-9])?")
#: chosen handles; generated ones may be shorter (the name "Al" gives "al")
HANDLE_MIN_LENGTH, HANDLE_MAX_LENGTH = 3, 30
#: words a handle may not be or begin with (see is_reserved_handle): a mention of them would
#: pass for the hub's team, its moderators, a city hall or everyone (Romanian and English)
RESERVED_HANDLES = frozenset({
    "admin", "administrator", "administratie", "moderator", "moderatori", "moderation",
    "moderare", "secretariat", "secretariatul", "m100", "m100hub", "hub", "staff", "team",
    "echipa", "support", "suport", "help", "ajutor", "system", "sistem", "root", "official",
    "oficial", "primaria", "primar", "mayor", "everyone", "all", "toti", "toata.lumea", "here",
    "noreply", "no.reply", "null", "undefined", "anonymous", "anonim",
})


def is_reserved_handle(handle: str) -> bool:
    """Whether the handle is, or begins with, a reserved word followed by a dot, an
    underscore or a digit: ``admin``, ``admin2``, ``primaria.cluj``, ``moderator_1``,
    ``m1002``, ``toata.lumea2`` (not ``ana.admin``, ``adminul``, ``hubert``)."""
    return any(handle == word or (handle.startswith(word) and handle[len(word)] in "._0123456789")
               for word in RESERVED_HANDLES)


def new_session_token() -> str:
    return secrets.token_hex(16)


class User(UserMixin, WithImage, TimestampMixin, Model):
    __tablename__ = "users"
    #: the avatar shows beside posts and on the profile only (they load it)
    image_joined = False
    #: uniqueness of e-mail and handle ignores letter case: only lower case is stored
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lower_case"),
                      CheckConstraint("handle = lower(handle)", name="handle_lower_case"))

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the name shown to others
    display_name: Mapped[str] = mapped_column(String(80))
    #: unique handle for @mentions, stored lower-cased so that uniqueness ignores letter case
    #: (see HANDLE_RE)
    handle: Mapped[str] = mapped_column(String(30), unique=True)
    #: e-mail, stored lower-cased so that uniqueness ignores letter case
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: Werkzeug scrypt hash
    password_hash: Mapped[str] = mapped_column(String(255))
    #: declared stakeholder sector
    sector: Mapped[Sector] = mapped_column(str_enum(Sector, "sector"))
    #: optional home city
    home_city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"), index=True)
    #: preferred interface language
    locale: Mapped[str] = mapped_column(String(5), default="ro")
    #: short self-description, plain text
    bio: Mapped[str] = mapped_column(Text, default="")
    #: when the e-mail address was confirmed; NULL until then
    email_confirmed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: national secretariat
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    #: may moderate content
    is_moderator: Mapped[bool] = mapped_column(Boolean, default=False)
    #: part of the session id; changing it ends every other session of the account
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    #: the versions of the terms of use and of the privacy notice the person accepted
    #: (config TERMS_VERSION, PRIVACY_VERSION), and when; NULL: none yet
    terms_version: Mapped[str | None] = mapped_column(String(20))
    terms_accepted_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    privacy_version: Mapped[str | None] = mapped_column(String(20))
    privacy_accepted_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    home_city: Mapped[City | None] = relationship("City", lazy="raise")

    #: unread notifications, loaded with the signed-in person (accounts.queries); None else
    unread_notifications: Mapped[int | None] = query_expression()

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_dt is not None

    @property
    def can_moderate(self) -> bool:
        return self.is_admin or self.is_moderator

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class AddressRequest(TimestampMixin, Model):
    """An e-mail asked for an address that may or may not have an account (a password
    reset; a sign-up with a taken address), written by the request in every case — the same
    work whether an account has it or not — and deleted by the task that looks the address
    up, in the transaction that writes the e-mail (if any) to the outbox: exactly once. With
    Redis down (the task not queued) it waits here for the sweep instead of being lost; the
    typed address is kept no longer than that."""

    __tablename__ = "address_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: what to send if an account has the address: "reset" or "signup_exists"
    kind: Mapped[str] = mapped_column(String(20))
    #: the address as typed, lower-cased
    email: Mapped[str] = mapped_column(String(320))
