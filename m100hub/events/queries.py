"""Reading events: each page a fixed handful of queries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, lru_cache
from itertools import groupby

from sqlalchemy import Integer, Select, and_, bindparam, case, func, select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..database import utcnow
from ..extensions import db
from ..features import Registry, found_sections, registry, section_probes
from ..organisations.models import Membership, Organisation, Status
from ..pagination import paginate
from .models import CalendarFeed, Event, EventOrganiser, Registration, RegistrationStatus

PER_PAGE = 20
ATTENDEES_PER_PAGE = 100


def filtered(stmt, city_id=None, sector="", kind=""):
    if city_id:
        stmt = stmt.where(Event.city_id == city_id)
    if sector:
        # sectors is a short JSON list of words; a quoted match is exact and portable
        stmt = stmt.where(db.cast(Event.sectors, db.String).contains(f'"{sector}"'))
    if kind:
        stmt = stmt.where(Event.kind == kind)
    return stmt


def listing(page: int, when: str = "upcoming", city_id=None, sector="", kind=""):
    """Upcoming (and running) events soonest first, or past events latest first."""
    now = utcnow()
    stmt = filtered(select(Event).options(joinedload(Event.city)), city_id, sector, kind)
    if when == "past":
        stmt = stmt.where(Event.ends_dt <= now).order_by(Event.starts_dt.desc(), Event.id)
    else:
        stmt = stmt.where(Event.ends_dt > now).order_by(Event.starts_dt, Event.id)
    return paginate(stmt, page, PER_PAGE)


def between(start: datetime, end: datetime, city_id=None, sector="", kind="") -> list[Event]:
    """Events starting in [start, end): a month of the calendar view."""
    stmt = filtered(select(Event).where(Event.starts_dt >= start, Event.starts_dt < end)
                     .order_by(Event.starts_dt, Event.id), city_id, sector, kind)
    return list(db.session.scalars(stmt))


def event(event_id: int) -> Event | None:
    return db.session.scalar(_event_statement(), {"event_id": event_id})


@dataclass(frozen=True)
class EventPage:
    """What an event's page reads in one statement: the event, the reader's active
    registration, whether it has co-organisers, and what its sections have (their probes:
    ``features.Section.probe``)."""

    event: Event
    registration: Registration | None
    has_co_organisers: bool
    found_sections: dict


def event_page(event_id: int, user_id: int | None) -> EventPage | None:
    """The event with the reader's registration and what its page's other parts need to ask
    at all, in one statement: an upcoming event's signed-in page read six statements (the
    event, the registration, co-organisers, boards, threads about it, the person), now as
    few as two, and the statements left it asks only when there is something (measured on
    the demo workshop: 5.2 → 3.x ms of Python per request, see the commit)."""
    row = db.session.execute(_event_page_statement(registry()),
                             {"event_id": event_id, "user_id": user_id}).one_or_none()
    if row is None:
        return None
    return EventPage(row[0], row[1], bool(row[2]), found_sections("event", row[3:]))


@lru_cache(maxsize=8)
def _event_page_statement(features: Registry) -> Select:
    """event_page()'s statement, built once per app's features (whose sections' probes it
    asks)."""
    active = and_(Registration.event_id == Event.id,
                  Registration.user_id == bindparam("user_id", type_=Integer),
                  Registration.status != RegistrationStatus.CANCELLED)
    co_organised = select(EventOrganiser.user_id).where(
        EventOrganiser.event_id == Event.id).exists()
    return (select(Event, Registration, co_organised, *section_probes("event", Event.id))
            .options(joinedload(Event.city), joinedload(Event.organisation))
            .outerjoin(Registration, active)
            .where(Event.id == bindparam("event_id")))


def co_organisers(event_id: int) -> list[User]:
    return list(db.session.scalars(_co_organisers_statement(), {"event_id": event_id}))


def registration_of(user_id: int, event_id: int) -> Registration | None:
    """The person's active registration (confirmed or waiting), if any."""
    return db.session.scalar(_registration_statement(),
                             {"event_id": event_id, "user_id": user_id})


# An event's page asks these three on every request: each statement is built once, with
# bound parameters (building a SELECT and its cache key costs about as much CPU as running it).
@cache
def _event_statement() -> Select:
    return select(Event).options(joinedload(Event.city), joinedload(Event.organisation)) \
        .where(Event.id == bindparam("event_id"))


@cache
def _co_organisers_statement() -> Select:
    return select(User).join(EventOrganiser, EventOrganiser.user_id == User.id) \
        .where(EventOrganiser.event_id == bindparam("event_id")).order_by(User.display_name)


@cache
def _registration_statement() -> Select:
    return select(Registration).where(
        Registration.event_id == bindparam("event_id"),
        Registration.user_id == bindparam("user_id"),
        Registration.status != RegistrationStatus.CANCELLED)


def mine(user_id: int) -> list[Registration]:
    """A person's active registrations, upcoming first, then the past ones."""
    now = utcnow()
    upcoming = case((Event.ends_dt > now, 0), else_=1)
    return list(db.session.scalars(
        select(Registration).join(Event, Event.id == Registration.event_id)
        .options(joinedload(Registration.event).joinedload(Event.city))
        .where(Registration.user_id == user_id,
               Registration.status != RegistrationStatus.CANCELLED)
        .order_by(upcoming, case((Event.ends_dt > now, Event.starts_dt)),
                  Event.starts_dt.desc())))


def attendees(event_id: int, page: int):
    """Registrations with their people: confirmed first, then the waiting list in order, then
    the cancelled ones."""
    order = case((Registration.status == RegistrationStatus.CONFIRMED, 0),
                 (Registration.status == RegistrationStatus.WAITLISTED, 1), else_=2)
    stmt = (select(Registration).options(joinedload(Registration.user))
            .where(Registration.event_id == event_id).order_by(order, Registration.id))
    return paginate(stmt, page, ATTENDEES_PER_PAGE)


#: rows fetched per round trip by the attendee export (a server-side cursor on PostgreSQL)
EXPORT_BATCH = 1000


def attendee_export(event_id: int) -> Iterator[tuple]:
    """(name, organisations "A; B", sector, status, registered, checked in) of every
    registration, in the order people registered: one query joining the people and their
    verified organisations, read in batches — the same memory for ten rows or 100,000."""
    verified = (select(Membership.user_id, Organisation.name)
                .join(Organisation, Organisation.id == Membership.organisation_id)
                .where(Membership.status == Status.VERIFIED,
                       Organisation.status == Status.VERIFIED).subquery())
    rows = db.session.execute(
        select(Registration.id, User.display_name, User.sector, Registration.status,
               Registration.created_dt, Registration.checked_in_dt, verified.c.name)
        .join(User, User.id == Registration.user_id)
        .outerjoin(verified, verified.c.user_id == Registration.user_id)
        .where(Registration.event_id == event_id)
        .order_by(Registration.id, verified.c.name)
        .execution_options(yield_per=EXPORT_BATCH))
    try:
        for _, group in groupby(rows, key=lambda row: row[0]):
            first, *others = group
            names = "; ".join(row[6] for row in (first, *others) if row[6])
            yield (first[1], names, first[2], first[3], first[4], first[5])
    finally:
        rows.close()


def organisations_of(user_ids: list[int]) -> dict[int, str]:
    """Each person's verified organisations, by name (one query)."""
    names: dict[int, list[str]] = {}
    if user_ids:
        rows = db.session.execute(
            select(Membership.user_id, Organisation.name)
            .join(Organisation, Organisation.id == Membership.organisation_id)
            .where(Membership.user_id.in_(user_ids), Membership.status == Status.VERIFIED,
                   Organisation.status == Status.VERIFIED)
            .order_by(Organisation.name))
        for user_id, name in rows:
            names.setdefault(user_id, []).append(name)
    return {user_id: "; ".join(found) for user_id, found in names.items()}


def organisation_choices(user_id: int) -> list[tuple[int, str]]:
    return [(row.id, row.name) for row in db.session.execute(
        select(Organisation.id, Organisation.name)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user_id, Membership.status == Status.VERIFIED,
               Organisation.status == Status.VERIFIED).order_by(Organisation.name))]


def users_by_handles(handles: list[str]) -> dict[str, User]:
    if not handles:
        return {}
    return {u.handle: u for u in db.session.scalars(select(User).where(
        User.handle.in_(handles)))}


def feed(user_id: int) -> CalendarFeed | None:
    return db.session.get(CalendarFeed, user_id)


def feed_owner(token: str) -> int | None:
    return db.session.scalar(select(CalendarFeed.user_id).where(CalendarFeed.token == token))


def feed_events(user_id: int) -> list[Event]:
    """Confirmed events from 90 days ago on (a calendar keeps a little history)."""
    since = utcnow() - timedelta(days=90)
    return list(db.session.scalars(
        select(Event).join(Registration, Registration.event_id == Event.id)
        .where(Registration.user_id == user_id,
               Registration.status == RegistrationStatus.CONFIRMED, Event.ends_dt >= since)
        .order_by(Event.starts_dt)))


def ticket(event_id: int, code: str) -> Registration | None:
    """The registration a code belongs to (for the check-in page's confirmation step)."""
    return db.session.scalar(select(Registration).options(joinedload(Registration.user)).where(
        Registration.event_id == event_id, Registration.code == code.strip().upper())
        .execution_options(populate_existing=True))


def upcoming(limit: int = 4) -> list[Event]:
    """The next events not cancelled (and those running now), soonest first (the home page)."""
    return list(db.session.scalars(
        select(Event).options(joinedload(Event.city))
        .where(Event.ends_dt > utcnow(), Event.cancelled_dt.is_(None))
        .order_by(Event.starts_dt, Event.id).limit(limit)))


def upcoming_registrations(user_id: int, limit: int = 5) -> list[Registration]:
    """The person's active registrations to events still to come, soonest first."""
    return list(db.session.scalars(
        select(Registration).join(Event, Event.id == Registration.event_id)
        .options(joinedload(Registration.event).joinedload(Event.city))
        .where(Registration.user_id == user_id, Event.ends_dt > utcnow(),
               Registration.status != RegistrationStatus.CANCELLED)
        .order_by(Event.starts_dt, Event.id).limit(limit)))


def latest(city_id: int | None, limit: int) -> list[Event]:
    """Events (of a city, or all with None), the latest announced or cancelled first."""
    changed = func.coalesce(Event.cancelled_dt, Event.created_dt)
    stmt = select(Event).options(joinedload(Event.city))
    if city_id is not None:
        stmt = stmt.where(Event.city_id == city_id)
    return list(db.session.scalars(stmt.order_by(changed.desc(), Event.id.desc()).limit(limit)))
