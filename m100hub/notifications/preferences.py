"""How each person wants to be told of each kind of notification: read when the rows are
written (one query per batch), set on the preferences page or by an e-mail's unsubscribe; and
when their digests go out (an hour, and a day for the weekly one)."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from sqlalchemy import delete, select, update

from ..database import insert_on_conflict
from ..extensions import db
from .kinds import KINDS, Delivery
from .models import DigestSchedule, Notification, NotificationPreference


def default(kind: str) -> Delivery:
    entry = KINDS.get(kind)
    return entry.email if entry is not None else Delivery.APP


def deliveries(kind: str, recipient_ids: Iterable[int]) -> dict[int, Delivery]:
    """Each recipient's delivery of ``kind``: their choice, or the kind's default."""
    ids = list(recipient_ids)
    chosen: dict[int, str] = {user_id: delivery for user_id, delivery in db.session.execute(
        select(NotificationPreference.user_id, NotificationPreference.delivery)
        .where(NotificationPreference.kind == kind, NotificationPreference.user_id.in_(ids)))}
    fallback = default(kind)
    return {i: Delivery(chosen[i]) if i in chosen else fallback for i in ids}


def of_person(user_id: int) -> dict[str, Delivery]:
    """Every registered kind → the person's delivery of it."""
    chosen: dict[str, str] = {kind: delivery for kind, delivery in db.session.execute(
        select(NotificationPreference.kind, NotificationPreference.delivery)
        .where(NotificationPreference.user_id == user_id))}
    return {kind: Delivery(chosen[kind]) if kind in chosen else default(kind) for kind in KINDS}


def choose(user_id: int, choices: dict[str, Delivery]) -> None:
    """Save the person's choices (flush). Notifications not yet e-mailed follow the new
    choice: one turned to the app only, or off, is not sent any more."""
    for kind, delivery in choices.items():
        statement = insert_on_conflict(NotificationPreference).values(
            user_id=user_id, kind=kind, delivery=delivery.value)
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["user_id", "kind"], set_={"delivery": delivery.value}))
        waiting = Delivery.APP if delivery == Delivery.OFF else delivery
        db.session.execute(
            update(Notification).where(
                Notification.recipient_id == user_id, Notification.kind == kind,
                Notification.digested_dt.is_(None))
            .values(delivery=waiting.value).execution_options(synchronize_session=False))
    db.session.flush()


def schedule(user_id: int) -> tuple[int, int]:
    """(hour 0–23, weekday 0–6 from Monday) of the person's digests, in DIGEST_TIMEZONE:
    their choice, or the hub's DIGEST_HOUR and DIGEST_WEEKDAY."""
    chosen = db.session.get(DigestSchedule, user_id)
    if chosen is not None:
        return chosen.hour, chosen.weekday
    return current_app.config["DIGEST_HOUR"], current_app.config["DIGEST_WEEKDAY"]


def choose_schedule(user_id: int, hour: int, weekday: int) -> None:
    """Save when the person's digests go out (flush). The hub's own hour and day are stored
    as no row: the person follows the hub's setting, should it change."""
    if not (0 <= hour <= 23 and 0 <= weekday <= 6):
        raise ValueError("hour 0-23, weekday 0-6")
    config = current_app.config
    if (hour, weekday) == (config["DIGEST_HOUR"], config["DIGEST_WEEKDAY"]):
        db.session.execute(delete(DigestSchedule).where(DigestSchedule.user_id == user_id))
    else:
        statement = insert_on_conflict(DigestSchedule).values(
            user_id=user_id, hour=hour, weekday=weekday)
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["user_id"], set_={"hour": hour, "weekday": weekday}))
    db.session.flush()
