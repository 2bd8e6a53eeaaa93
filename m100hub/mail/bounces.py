"""Addresses that bounce: the mail server refused them for good (5xx to RCPT TO), or a
bounce report said so later (``flask m100 bounce``). The outbox sends nothing more to them
(it records the rows it skips, and why) until their person confirms the address again."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, String, Text, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, insert_on_conflict, utcnow
from ..extensions import Model, db

if TYPE_CHECKING:
    from . import OutboxMail


class MailBounce(Model):
    """An address the mail server refused for good: nothing more is sent to it until its
    person confirms it again."""

    __tablename__ = "mail_bounces"

    #: the refused address, lower case (as accounts store theirs)
    address: Mapped[str] = mapped_column(String(320), primary_key=True)
    #: when it bounced (the latest refusal)
    bounced_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: the server's answer, or the operator's note for a bounce reported later
    reason: Mapped[str] = mapped_column(Text, default="")


def bounce_of(address: str) -> MailBounce | None:
    """The address's bounce, if e-mail to it bounces."""
    return db.session.get(MailBounce, address.strip().lower())


def address_key(address: ColumnElement[str]) -> ColumnElement[str]:
    """A column of addresses as ``MailBounce.address`` keeps them, in SQL (as ``bounce_of``
    does in Python): for a query that reads the bounce with its recipient."""
    return func.lower(func.trim(address))


def record_bounce(address: str, reason: str) -> None:
    """Mark the address as bouncing (again: the latest refusal is kept); flushes."""
    values = {"address": address.strip().lower(), "bounced_dt": utcnow(),
              "reason": reason[:2000]}
    db.session.execute(insert_on_conflict(MailBounce).values(**values).on_conflict_do_update(
        index_elements=[MailBounce.address],
        set_={"bounced_dt": values["bounced_dt"], "reason": values["reason"]}))
    db.session.flush()


def clear_bounce(address: str) -> bool:
    """The person confirmed the address again: e-mail to it goes out again. Whether it had
    bounced; flushes."""
    result = db.session.execute(delete(MailBounce).where(
        MailBounce.address == address.strip().lower()).returning(MailBounce.address))
    return result.first() is not None


def bouncing(page: int, per_page: int):
    """Bouncing addresses, the latest first (the admins' page)."""
    return db.paginate(select(MailBounce).order_by(MailBounce.bounced_dt.desc(),
                                                   MailBounce.address),
                       page=page, per_page=per_page, error_out=False)


def skipped_reason(bounce: MailBounce) -> str:
    return f"Skipped: the address bounces since {bounce.bounced_dt:%Y-%m-%d %H:%M} UTC"


def skip_bouncing(rows: list[OutboxMail], now: datetime) -> list[OutboxMail]:
    """Rows written before their address bounced are marked skipped (the caller commits);
    the others are returned, to be sent."""
    addresses = {row.to_address.lower() for row in rows
                 if not row.message.get("despite_bounce")}
    bounced = {bounce.address: bounce for bounce in db.session.scalars(
        select(MailBounce).where(MailBounce.address.in_(addresses)))} if addresses else {}
    to_send = []
    for row in rows:
        bounce = None if row.message.get("despite_bounce") else bounced.get(
            row.to_address.lower())
        if bounce is None:
            to_send.append(row)
        else:
            row.failed_dt, row.last_error = now, skipped_reason(bounce)
    return to_send
