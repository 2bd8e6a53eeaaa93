"""E-mail of notifications: at once (a few minutes' notifications in one message) and the
daily and weekly digests, each exactly once per person and period.

Every minute the beat (``notifications.digests``) reads, in batches of people in id order and
through the partial index ``ix_notifications_mail_due``, only the people who have
notifications due by e-mail: "immediate" ones older than NOTIFICATION_EMAIL_WAIT_SECONDS,
"daily" ones written before the person's last digest hour, "weekly" ones before that hour on
their weekly day (their ``DigestSchedule``, or DIGEST_HOUR and DIGEST_WEEKDAY, in
DIGEST_TIMEZONE). The same query reads each person's schedule (an outer join) and compares
each notification with the cut-off of that schedule (a CASE over the 24 hours, or the 168
hours of the week, computed once per run): no query per person. For each person it writes a
``DigestRun`` keyed by (person, period) — the local date of their cut-off, ON CONFLICT DO
NOTHING, so a person is queued once per period however often the beat runs — and queues one
task for the runs it wrote. The task locks its run; if it is done, it does nothing (a task
delivered twice). Otherwise, in one transaction, it marks the person's due notifications sent,
writes the e-mail to the outbox (m100hub/mail/: never lost) and marks the run done. A worker
killed mid-run rolls all of it back; the beat queues the runs left undone again, so each
period's e-mail is written exactly once, and the outbox delivers it at least once (twice only
in its own window, see m100hub/mail). Notifications the person already read in the app are left
out; nothing new, nothing sent.

The task sends its e-mail itself, before it commits, through its process's SMTP connection
kept open from one task to the next (``mail.send_now``): a digest is written and sent as it
is built, with no delivery task, claim or second write per e-mail, and a beat's thousands of
digests leave through one connection per worker process. The row is written as sent and the
COMMIT follows the server's 250: a worker killed between the two rolls back the run, which
the beat queues again — that person gets the digest twice, never none (the outbox's window).
A refusal is recorded on the row for the outbox's sweep (the relay down: tried again after
the backoff), and the run is done all the same: its e-mail is in the outbox.

Each e-mail groups its items by city (the city the notification is about, stored on it when
it was written; the rest under "the whole hub") and within a city by kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from celery import shared_task
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    Select,
    Update,
    bindparam,
    case,
    func,
    literal,
    select,
    update,
)

from .. import mail
from ..celery_app import enqueue
from ..database import commit, insert_on_conflict, utcnow
from ..extensions import db
from ..mail import MailBounce, address_key
from . import unsubscribe
from .kinds import KINDS, Delivery, describe
from .models import DigestRun, DigestSchedule, Notification

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


@dataclass(frozen=True)
class Due:
    """One kind of e-mail due now: per slot (the hour of the day for the daily digest,
    weekday × 24 + hour for the weekly one, 0 for e-mail at once), the notifications written
    up to when it takes, and its period's key."""

    delivery: Delivery
    cutoffs: dict[int, tuple[datetime, str]]


def _last(now: datetime, zone: ZoneInfo, hour: int, weekday: int | None = None) -> datetime:
    """The last moment, at or before ``now``, that was ``hour``:00 local time (on
    ``weekday``); in UTC, so that the comparisons hold across a change of the clocks."""
    today = now.astimezone(zone).date()
    back = 0 if weekday is None else (today.weekday() - weekday) % 7
    step = 1 if weekday is None else 7
    moment = datetime.combine(today - timedelta(days=back), time(hour), tzinfo=zone)
    if moment.astimezone(UTC) > now:
        moment = datetime.combine(moment.date() - timedelta(days=step), time(hour), tzinfo=zone)
    return moment.astimezone(UTC)


def due_periods(now: datetime) -> list[Due]:
    """Every kind of e-mail, with the cut-off and period key of each slot, as of ``now``."""
    config = current_app.config
    zone = ZoneInfo(config["DIGEST_TIMEZONE"])
    wait = timedelta(seconds=config["NOTIFICATION_EMAIL_WAIT_SECONDS"])

    def local_day(moment: datetime) -> str:
        return f"{moment.astimezone(zone):%Y-%m-%d}"

    daily = {hour: _last(now, zone, hour) for hour in range(24)}
    weekly = {day * 24 + hour: _last(now, zone, hour, day)
              for day in range(7) for hour in range(24)}
    return [
        Due(Delivery.IMMEDIATE, {0: (now - wait, f"i{now:%Y-%m-%dT%H:%M}")}),
        Due(Delivery.DAILY, {slot: (until, f"d{local_day(until)}")
                             for slot, until in daily.items()}),
        Due(Delivery.WEEKLY, {slot: (until, f"w{local_day(until)}")
                              for slot, until in weekly.items()}),
    ]


def _slot(delivery: Delivery) -> ColumnElement[int]:
    """The person's slot of ``delivery`` (their schedule, or the hub's), in SQL."""
    config = current_app.config
    hour = func.coalesce(DigestSchedule.hour, config["DIGEST_HOUR"])
    if delivery == Delivery.DAILY:
        return hour
    if delivery == Delivery.WEEKLY:
        return func.coalesce(DigestSchedule.weekday, config["DIGEST_WEEKDAY"]) * 24 + hour
    return literal(0)


def people_due_query(due: Due, after: int) -> Select:
    """The next BATCH_SIZE people after ``after`` (in id order) with notifications of the
    delivery written before their cut-off, each with their slot (the bench explains it)."""
    slot = _slot(due.delivery)
    if len(due.cutoffs) == 1:
        until: ColumnElement[datetime] | datetime = next(iter(due.cutoffs.values()))[0]
    else:
        until = case({key: cutoff for key, (cutoff, _period) in due.cutoffs.items()},
                     value=slot)
    # grouped by the person alone (their slot is one: min() only names it), so that the
    # index, read in person order, yields the first BATCH_SIZE people and stops there
    return (select(Notification.recipient_id, func.min(slot))
            .outerjoin(DigestSchedule, DigestSchedule.user_id == Notification.recipient_id)
            .where(Notification.delivery == due.delivery.value,
                   Notification.digested_dt.is_(None), Notification.created_dt <= until,
                   Notification.recipient_id > after)
            .group_by(Notification.recipient_id)
            .order_by(Notification.recipient_id).limit(BATCH_SIZE))


def _people_due(due: Due, after: int) -> list[tuple[int, int]]:
    return [(person, key) for person, key in db.session.execute(people_due_query(due, after))]


def _start_runs(people: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Write the runs not written yet (committed by the caller); returns the (person, period)
    of the runs written."""
    statement = (insert_on_conflict(DigestRun).on_conflict_do_nothing(
        index_elements=["user_id", "period"]).returning(DigestRun.user_id, DigestRun.period))
    return [(person, period) for person, period in db.session.execute(statement, [
        {"user_id": person, "period": period, "created_dt": utcnow()}
        for person, period in people])]


@shared_task(name="notifications.digests")
def queue_digests() -> int:
    """Queue one task per person and due period who has something to e-mail, and again those
    whose task was lost; returns how many digest tasks it queued."""
    queued = 0
    for due in due_periods(utcnow()):
        after = 0
        while people := _people_due(due, after):
            after = people[-1][0]
            started = _start_runs([(person, due.cutoffs[slot][1]) for person, slot in people])
            commit()
            for person, period in started:
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
    """Write and send the person's e-mail for the period (once: the run's row decides);
    returns how many notifications it carries (0: done before, or nothing new). Four
    statements whatever the number of items: the run (locked) with its person and their
    address's bounce; the notifications taken; the e-mail written to the outbox (and handed
    to the SMTP server); the run marked done."""
    statements = _statements()
    found = db.session.execute(statements.run, {"person": user_id, "key": period}).first()
    if found is None or found.done_dt is not None:
        commit()
        return 0
    delivery = next(d for d, prefix in PREFIX.items() if period.startswith(prefix))
    now = utcnow()
    # taken (locked) and marked in one statement: what this e-mail carries
    notes = sorted(db.session.execute(statements.take, {
        "person": user_id, "way": delivery.value, "now": now}).all(),
        key=lambda note: (note.created_dt, note.id))
    fresh = [note for note in notes if note.read_dt is None]
    message = _compose(user_id, found, delivery, fresh) if fresh else None
    mail_id = mail.send_now(message, found.MailBounce) if message is not None else None
    items = len(fresh) if message is not None else 0
    db.session.execute(statements.done, {"person": user_id, "key": period, "now": now,
                                         "carried": items, "written": mail_id})
    commit()
    return items


class _Statements(NamedTuple):
    run: Select
    take: Update
    done: Update


@cache
def _statements() -> _Statements:
    """The digest task's statements, built once per process and given their values at each
    run: building them (and SQLAlchemy's cache keys of them) anew cost a tenth of a digest.
    The run (locked) with its person and their address's bounce; the notifications taken and
    marked; the run done."""
    users = db.metadata.tables["users"]
    run = (select(DigestRun.done_dt, users.c.email, users.c.locale, users.c.display_name,
                  users.c.email_confirmed_dt, MailBounce)
           .join(users, users.c.id == DigestRun.user_id)
           .outerjoin(MailBounce, MailBounce.address == address_key(users.c.email))
           .where(DigestRun.user_id == bindparam("person"),
                  DigestRun.period == bindparam("key"))
           .with_for_update(of=DigestRun))
    take = (update(Notification).where(
        Notification.recipient_id == bindparam("person"),
        Notification.delivery == bindparam("way"), Notification.digested_dt.is_(None),
        Notification.created_dt <= bindparam("now"))
        .values(digested_dt=bindparam("now"))
        .returning(Notification.id, Notification.kind, Notification.payload,
                   Notification.city_id, Notification.created_dt, Notification.read_dt)
        .execution_options(synchronize_session=False))
    done = (update(DigestRun).where(DigestRun.user_id == bindparam("person"),
                                    DigestRun.period == bindparam("key"))
            .values(done_dt=bindparam("now"), items=bindparam("carried"),
                    mail_id=bindparam("written"))
            .execution_options(synchronize_session=False))
    return _Statements(run, take, done)


def _groups(notes: list, base: str) -> list[tuple[str, list]]:
    """The items by city (by name; the whole hub last), and within each by kind: [(city,
    [(kind, [(text, link)])])], in the current locale. One query for the cities' names."""
    cities = db.metadata.tables["cities"]
    ids = {note.city_id for note in notes if note.city_id is not None}
    names: dict[int, str] = {city: name for city, name in db.session.execute(
        select(cities.c.id, cities.c.name).where(cities.c.id.in_(ids)))} if ids else {}
    grouped: dict[int | None, dict[str, list[tuple[str, str]]]] = {}
    labels: dict[str, str] = {}  # each kind's, translated once
    for note in notes:
        text, path = describe(note.kind, note.payload)
        label = labels.get(note.kind)
        if label is None:
            kind = KINDS.get(note.kind)
            label = labels[note.kind] = str(kind.label) if kind and kind.label else ""
        city = note.city_id if note.city_id in names else None
        grouped.setdefault(city, {}).setdefault(label, []).append((text, base + path))
    order = sorted((city for city in grouped if city is not None), key=lambda c: names[c])
    result = [(names[city], sorted(grouped[city].items())) for city in order]
    if None in grouped:
        result.append((str(_("The whole hub (national)")), sorted(grouped[None].items())))
    return result


def _compose(user_id: int, person, delivery: Delivery, notes: list) -> dict | None:
    """The person's e-mail of these notifications, in their language (``person``: their
    email, locale, display_name and email_confirmed_dt); None when their address is not
    confirmed."""
    if person.email_confirmed_dt is None:  # never to an address its owner has not confirmed
        return None
    base = current_app.config["BASE_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base), force_locale(person.locale):
        stop = unsubscribe.link(user_id, delivery)
        message = mail.compose(
            person.email, SUBJECTS[delivery], "digest", person.locale, name=person.display_name,
            cities=_groups(notes, base), delivery=delivery.value, unsubscribe=stop,
            preferences=url_for("notifications.preferences_page", _external=True))
        message["headers"] = unsubscribe.headers(stop)
    return message
