"""A person's notifications in their data download; deleting the account deletes them, and
takes the person's name out of the notices others got about what they did."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ..extensions import db
from ..features import PersonalData, Records, iso
from .kinds import describe
from .models import (
    DigestRun,
    DigestSchedule,
    Notification,
    NotificationEvent,
    NotificationPreference,
)

#: what a deleted person's name becomes in others' notifications
NO_NAME = "—"


def export(person) -> list[Records]:
    rows = db.session.scalars(select(Notification).where(Notification.recipient_id == person.id)
                              .order_by(Notification.id))
    chosen = db.session.scalars(select(NotificationPreference).where(
        NotificationPreference.user_id == person.id).order_by(NotificationPreference.kind))
    runs = db.session.scalars(select(DigestRun).where(DigestRun.user_id == person.id)
                              .order_by(DigestRun.created_dt))
    schedule = db.session.get(DigestSchedule, person.id)
    return [Records("notifications", _l("Notifications you received"), [
        {"kind": n.kind, "text": describe(n.kind, n.payload)[0], "created": iso(n.created_dt),
         "read": iso(n.read_dt), "sent_by_email": iso(n.digested_dt)} for n in rows]),
        Records("notification_preferences", _l("How you chose to hear of each kind"), [
            {"kind": p.kind, "delivery": p.delivery} for p in chosen]),
        Records("digest_schedule", _l("When your digests arrive"), [
            {"hour": schedule.hour, "weekday": schedule.weekday}] if schedule else []),
        Records("digests", _l("E-mails of notifications sent to you"), [
            {"period": r.period, "sent": iso(r.done_dt), "items": r.items} for r in runs])]


def erase(person) -> None:
    db.session.execute(delete(Notification).where(Notification.recipient_id == person.id))
    db.session.execute(delete(NotificationPreference).where(
        NotificationPreference.user_id == person.id))
    db.session.execute(delete(DigestRun).where(DigestRun.user_id == person.id))
    db.session.execute(delete(DigestSchedule).where(DigestSchedule.user_id == person.id))
    names = {person.display_name, person.handle, f"@{person.handle}"}
    caused = db.session.scalars(select(Notification).where(Notification.actor_id == person.id))
    for notification in caused:
        notification.payload = _without(names, notification.payload)
    # the events of what they did, still to be fanned out or kept with their rows: unlinked,
    # and their name taken out of what the notices will say
    for event in db.session.scalars(select(NotificationEvent).where(
            NotificationEvent.actor_id == person.id)):
        event.actor_id = None
        event.payload = _without(names, event.payload)
    db.session.flush()


def _without(names: set[str], payload: dict) -> dict:
    return {key: NO_NAME if isinstance(value, str) and value in names else value
            for key, value in payload.items()}


PERSONAL_DATA = PersonalData(export, erase, models=(
    Notification, NotificationEvent, NotificationPreference, DigestRun, DigestSchedule))
