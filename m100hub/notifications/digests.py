"""E-mail of notifications: at once (a few minutes' notifications in one message) and the
daily and weekly digests, each exactly once per person and period.

Every minute the beat (``notifications.digests``) reads, in batches of people in id order and
through the partial index ``ix_notifications_mail_due``, only the people who have
notifications due by e-mail: "immediate" ones older than NOTIFICATION_EMAIL_WAIT_SECONDS,
"daily" ones written before the last digest hour (DIGEST_HOUR in DIGEST_TIMEZONE), "weekly"
ones before that hour on DIGEST_WEEKDAY. For each it writes a ``DigestRun`` keyed by (person,
period) — ON CONFLICT DO NOTHING, so a person is queued once per period however often the
beat runs — and queues one task for the runs it wrote. The task locks its run; if it is done,
it does nothing (a task delivered twice). Otherwise, in one transaction, it marks the person's
due notifications sent, writes the e-mail to the outbox (m100hub/mail.py: delivered after the
commit, never lost) and marks the run done. A worker killed mid-run rolls all of it back; the
beat queues the runs left undone again, so each period's e-mail is written exactly once, and
the outbox delivers it at least once (twice only in its own window, see mail.py).
Notifications the person already read in the app are left out; nothing new, nothing sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from celery import shared_task
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from .. import mail
from ..celery_app import enqueue
from ..database import commit, insert_on_conflict, utcnow
from ..extensions import db
from . import unsubscribe
from .kinds import KINDS, Delivery, describe
from .models import DigestRun, Notification

#: people read (and runs written) per query of the beat
BATCH_SIZE = 1000
#: a run not done this long after it was queued lost its task (Redis down, a worker killed)
RETRY_AFTER = timedelta(minutes=5)
PREFIX = {Delivery.IMMEDIATE: "i", Delivery.DAILY: "d", Delivery.WEEKLY: "w"}
SUBJECTS = {
    Delivery.IMMEDIATE: _l("New on M100 Hub"),
    Delivery.DAILY: _l("Your daily M100 Hub digest"),
    Delivery.WEEKLY: _l("Your weekly M100 Hub digest"),
}


def due_periods(now: datetime) -> list[tuple[Delivery, str, datetime]]:
    """(delivery, period key, notifications written up to) of each period now due."""
    config = current_app.config
    local = now.astimezone(ZoneInfo(config["DIGEST_TIMEZONE"]))
    daily = local.replace(hour=config["DIGEST_HOUR"], minute=0, second=0, microsecond=0)
    if daily > local:
        daily -= timedelta(days=1)
    weekly = daily - timedelta(days=(daily.weekday() - config["DIGEST_WEEKDAY"]) % 7)
    wait = timedelta(seconds=config["NOTIFICATION_EMAIL_WAIT_SECONDS"])
    return [
        (Delivery.IMMEDIATE, f"i{now:%Y-%m-%dT%H:%M}", now - wait),
        (Delivery.DAILY, f"d{daily:%Y-%m-%d}", daily),
        (Delivery.WEEKLY, f"w{weekly:%Y-%m-%d}", weekly),
    ]


def _people_due(delivery: Delivery, until: datetime, after: int) -> list[int]:
    return list(db.session.scalars(
        select(Notification.recipient_id).where(
            Notification.delivery == delivery.value, Notification.digested_dt.is_(None),
            Notification.created_dt <= until, Notification.recipient_id > after)
        .group_by(Notification.recipient_id).order_by(Notification.recipient_id)
        .limit(BATCH_SIZE)))


def _start_runs(people: list[int], period: str) -> list[int]:
    statement = (insert_on_conflict(DigestRun).on_conflict_do_nothing(
        index_elements=["user_id", "period"]).returning(DigestRun.user_id))
    return list(db.session.scalars(statement, [{"user_id": p, "period": period, "created_dt":
                                                utcnow()} for p in people]))


@shared_task(name="notifications.digests")
def queue_digests() -> int:
    """Queue one task per person and due period who has something to e-mail, and again those
    whose task was lost; returns how many tasks it queued."""
    queued = 0
    for delivery, period, until in due_periods(utcnow()):
        after = 0
        while people := _people_due(delivery, until, after):
            after = people[-1]
            started = _start_runs(people, period)
            commit()
            for person in started:
                enqueue(send_digest, person, period)
            queued += len(started)
    # queued again at most every RETRY_AFTER (the time moves on): a slow queue is not flooded
    lost = db.session.execute(
        update(DigestRun).where(DigestRun.done_dt.is_(None),
                                DigestRun.created_dt <= utcnow() - RETRY_AFTER)
        .values(created_dt=utcnow()).returning(DigestRun.user_id, DigestRun.period)).all()
    commit()
    for person, period in lost:
        enqueue(send_digest, person, period)
    return queued + len(lost)


@shared_task(name="notifications.digest")
def send_digest(user_id: int, period: str) -> int:
    """Write the person's e-mail for the period (once: the run's row decides); returns how
    many notifications it carries (0: done before, or nothing new)."""
    run = db.session.scalar(
        select(DigestRun).where(DigestRun.user_id == user_id, DigestRun.period == period)
        .with_for_update().execution_options(populate_existing=True))
    if run is None or run.done_dt is not None:
        commit()
        return 0
    delivery = next(d for d, prefix in PREFIX.items() if period.startswith(prefix))
    now = utcnow()
    notes = list(db.session.scalars(
        select(Notification).where(
            Notification.recipient_id == user_id, Notification.delivery == delivery.value,
            Notification.digested_dt.is_(None), Notification.created_dt <= now)
        .order_by(Notification.created_dt, Notification.id).with_for_update()))
    db.session.execute(update(Notification).where(Notification.id.in_([n.id for n in notes]))
                       .values(digested_dt=now).execution_options(synchronize_session=False))
    fresh = [n for n in notes if n.read_dt is None]
    if not (fresh and _write_mail(user_id, delivery, fresh)):
        fresh = []
    run.done_dt, run.items = now, len(fresh)
    commit()
    return len(fresh)


def _write_mail(user_id: int, delivery: Delivery, notes: list[Notification]) -> bool:
    """Write the e-mail to the outbox; False when the address is not confirmed."""
    users = db.metadata.tables["users"]
    person = db.session.execute(select(users.c.email, users.c.locale, users.c.display_name,
                                       users.c.email_confirmed_dt)
                                .where(users.c.id == user_id)).one()
    if person.email_confirmed_dt is None:  # never to an address its owner has not confirmed
        return False
    base = current_app.config["BASE_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base), force_locale(person.locale):
        groups: dict[str, list[tuple[str, str]]] = {}
        for note in notes:
            text, path = describe(note.kind, note.payload)
            kind = KINDS.get(note.kind)
            label = str(kind.label) if kind is not None and kind.label else ""
            groups.setdefault(label, []).append((text, base + path))
        stop = unsubscribe.link(user_id, delivery)
        message = mail.compose(
            person.email, SUBJECTS[delivery], "digest", person.locale, name=person.display_name,
            groups=sorted(groups.items()), delivery=delivery.value, unsubscribe=stop,
            preferences=url_for("notifications.preferences_page", _external=True))
        message["headers"] = unsubscribe.headers(stop)
        mail.queue(message)
    return True
