"""Events over HTTP: the list and its filters, the month calendar, the event page, organising
(create, edit, co-organisers, attendees and their CSV, messages, cancelling, materials),
registering (capacity, the waiting list in arrival order, promotions), tickets and check-in,
calendar files, "my events", the meeting link's secrecy, permissions per role, and bad input
on every write path (a clear message or 400/403/404/409/422, and nothing written).

Reminders and the calendar feed: test_event_tasks.py. SQL per page: test_event_query_counts.py.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import segno
from icalendar import Calendar
from sqlalchemy import func, select

from m100hub.activity.models import ActivityEntry
from m100hub.database import utcnow
from m100hub.events import queries, services
from m100hub.events import registration as registering
from m100hub.events.models import (
    CalendarFeed,
    Event,
    EventOrganiser,
    Registration,
    RegistrationStatus,
)
from m100hub.events.queries import PER_PAGE
from m100hub.events.registration import CODE_ALPHABET, CODE_LENGTH
from m100hub.extensions import db as _db
from m100hub.notifications.models import Notification
from tests.support import event_factories as ef
from tests.support import factories

BUCHAREST = ZoneInfo("Europe/Bucharest")
CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED
#: the meeting link that only confirmed people and the organisers may see
LINK = "https://meet.example.ro/camera-secreta-7f3a"
SECRET = "camera-secreta-7f3a"
#: a winter day (Bucharest is UTC+2 then), far enough ahead for registration to be open
START, END = "2031-01-15T10:00", "2031-01-15T12:30"
START_UTC = datetime(2031, 1, 15, 8, 0, tzinfo=UTC)
END_UTC = datetime(2031, 1, 15, 10, 30, tzinfo=UTC)
HUGE_IDS = ["999999", "0", "-1", "2147483648", "99999999999999999999", "abc"]


# --- helpers ---------------------------------------------------------------------------------


def count(model, *where) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def snapshot(db) -> dict:
    """Everything an event request may write: registrations, the events and their counters,
    co-organisers, notifications, the activity log, calendar addresses."""
    db.session.expire_all()
    return {
        "registrations": sorted(
            db.session.execute(
                select(
                    Registration.id,
                    Registration.event_id,
                    Registration.user_id,
                    Registration.status,
                    Registration.code,
                    Registration.confirmed_dt,
                    Registration.cancelled_dt,
                    Registration.checked_in_dt,
                    Registration.reminded_dt,
                )
            ).all()
        ),
        "events": sorted(
            db.session.execute(
                select(
                    Event.id,
                    Event.kind,
                    Event.title,
                    Event.description,
                    Event.city_id,
                    Event.sectors,
                    Event.starts_dt,
                    Event.ends_dt,
                    Event.attendance,
                    Event.address,
                    Event.online_url,
                    Event.capacity,
                    Event.registration_opens_dt,
                    Event.registration_closes_dt,
                    Event.confirmed_count,
                    Event.waitlist_count,
                    Event.materials,
                    Event.cancelled_dt,
                    Event.cancel_reason,
                    Event.organisation_id,
                )
            ).all()
        ),
        "organisers": sorted(
            db.session.execute(select(EventOrganiser.event_id, EventOrganiser.user_id)).all()
        ),
        "notifications": count(Notification),
        "activity": count(ActivityEntry),
        "feeds": sorted(db.session.execute(select(CalendarFeed.user_id, CalendarFeed.token)).all()),
    }


def page(response) -> str:
    return response.get_data(as_text=True)


def english(client) -> None:
    client.set_cookie("lang", "en")


def redirects_to_login(response) -> bool:
    return response.status_code in (302, 303) and "/login" in response.headers["Location"]


def fresh(db, obj):
    """The row as the database has it now."""
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def person(role: str = "citizen", **attrs):
    """Somebody who reads the hub in English."""
    return factories.person(role, locale="en", **attrs)


def local(moment: datetime) -> str:
    """What a person types in the form for ``moment``: Bucharest time."""
    return moment.astimezone(BUCHAREST).strftime("%Y-%m-%dT%H:%M")


def event_form(**overrides) -> dict:
    data = {
        "kind": "workshop",
        "title": "Atelier: acoperișuri verzi",
        "description": "Despre **acoperișuri** verzi.",
        "city_id": "0",
        "sectors": ["energy", "buildings"],
        "starts_at": START,
        "ends_at": END,
        "attendance": "in_person",
        "address": "Casa de Cultură, Suceava",
        "online_url": "",
        "capacity": "20",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "organisation_id": "0",
        "co_organisers": "",
    }
    data.update(overrides)
    return data


def edit_form(event: Event, **overrides) -> dict:
    """The edit form as it comes back unchanged, with ``overrides``."""
    data = event_form(
        kind=event.kind.value,
        title=event.title,
        description=event.description,
        city_id=str(event.city_id or 0),
        sectors=list(event.sectors),
        starts_at=local(event.starts_dt),
        ends_at=local(event.ends_dt),
        attendance=event.attendance.value,
        address=event.address,
        online_url=event.online_url,
        capacity="" if event.capacity is None else str(event.capacity),
        registration_opens_at=local(event.registration_opens_dt)
        if event.registration_opens_dt
        else "",
        registration_closes_at=local(event.registration_closes_dt)
        if event.registration_closes_dt
        else "",
        organisation_id=str(event.organisation_id or 0),
    )
    data.update(overrides)
    return data


def latest_event(db) -> Event | None:
    db.session.expire_all()
    return db.session.scalar(select(Event).order_by(Event.id.desc()).limit(1))


def registration_of(db, who, event) -> Registration | None:
    """The person's latest registration for the event, whatever its status."""
    db.session.expire_all()
    return db.session.scalar(
        select(Registration)
        .where(Registration.user_id == who.id, Registration.event_id == event.id)
        .order_by(Registration.id.desc())
        .limit(1)
    )


def status_of(db, who, event) -> RegistrationStatus | None:
    found = registration_of(db, who, event)
    return found.status if found else None


def counters(db, event) -> tuple[int, int]:
    stored = fresh(db, event)
    return stored.confirmed_count, stored.waitlist_count


def told(db, kind: str, event=None) -> list[int]:
    """Ids of the people who got a notification of ``kind`` (about ``event``)."""
    db.session.expire_all()
    stmt = select(Notification.recipient_id).where(Notification.kind == kind)
    if event is not None:
        stmt = stmt.where(Notification.target_type == "events", Notification.target_id == event.id)
    return sorted(db.session.scalars(stmt))


def activity(db, verb: str) -> list[ActivityEntry]:
    return list(db.session.scalars(select(ActivityEntry).where(ActivityEntry.verb == verb)))


def mails_to(outbox, who) -> list:
    return [m for m in outbox() if m["To"] == who.email]


def mail_text(message) -> str:
    """Every text part of an e-mail, decoded (bodies and the calendar file, unfolded)."""
    return "\n".join(
        unfolded(part.get_content())
        for part in message.walk()
        if part.get_content_maintype() == "text"
    )


def calendar_attachment(message):
    """The message's .ics attachment: (file name, parsed calendar)."""
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in message.iter_attachments()]
    content = parts[0].get_content()
    return parts[0].get_filename(), Calendar.from_ical(
        content if isinstance(content, str) else content.decode()
    )


def only_entry(calendar: Calendar):
    entries = list(calendar.walk("VEVENT"))
    assert len(entries) == 1, entries
    return entries[0]


def sign_up(client, login_as, who, event, follow: bool = False):
    login_as(user=who)
    return client.post(f"/events/{event.id}/register", follow_redirects=follow)


def leave(client, login_as, who, event):
    login_as(user=who)
    return client.post(f"/events/{event.id}/cancel-registration")


def waiting_position(client, login_as, who, event) -> int | None:
    login_as(user=who)
    found = re.search(
        r"You are number (\d+) on the waiting list", page(client.get(f"/events/{event.id}"))
    )
    return int(found.group(1)) if found else None


def unfolded(ics: str) -> str:
    """Calendar text with its long lines joined again (RFC 5545 folds them at 75 octets)."""
    return ics.replace("\r\n ", "")


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(page(response))))


def in_cell_of(html: str, title: str) -> str:
    """The month calendar's table cell that lists ``title``."""
    cells = [cell for cell in html.split("<td") if title in cell]
    assert len(cells) == 1, (title, len(cells))
    return cells[0]


# --- the list of events ----------------------------------------------------------------------


def test_upcoming_events_come_soonest_first_running_ones_included_past_ones_apart(client, db):
    admin = person("admin")
    ef.event(admin, title="Atelier mai târziu", starts_in=timedelta(days=9))
    ef.event(admin, title="Atelier curând", starts_in=timedelta(days=2))
    ef.event(admin, title="Atelier în desfășurare", starts_in=timedelta(hours=-1), hours=3)
    ef.event(admin, title="Vizită recentă", starts_in=timedelta(days=-10))
    ef.event(admin, title="Vizită veche", starts_in=timedelta(days=-30))
    called_off = ef.event(admin, title="Atelier anulat", starts_in=timedelta(days=4))
    services.cancel(admin, called_off, "Sala este în renovare.")
    db.session.commit()
    english(client)

    html = page(client.get("/events"))
    order = [
        html.index(t)
        for t in (
            "Atelier în desfășurare",
            "Atelier curând",
            "Atelier anulat",
            "Atelier mai târziu",
        )
    ]
    assert order == sorted(order)
    assert "Vizită recentă" not in html and "Vizită veche" not in html
    assert html.count('<strong class="badge-tag phase-draft">Cancelled</strong>') == 1
    assert f'href="/events/{called_off.id}"' in html

    html = page(client.get("/events?when=past"))
    assert html.index("Vizită recentă") < html.index("Vizită veche")
    for title in ("Atelier curând", "Atelier în desfășurare", "Atelier anulat"):
        assert title not in html


def test_the_list_filters_by_city_sector_and_kind(client, db):
    admin = person("admin")
    ef.event(admin, title="Atelier Suceava energie", sectors=["energy"], kind="workshop")
    ef.event(
        admin,
        title="Webinar transport național",
        city_slug=None,
        attendance="online",
        sectors=["transport", "buildings"],
        kind="webinar",
    )
    ef.event(
        admin,
        title="Vizită Cluj clădiri",
        city_slug="cluj-napoca",
        sectors=["buildings"],
        kind="site_visit",
    )
    ef.event(
        admin,
        title="Vizită Suceava trecută",
        starts_in=timedelta(days=-5),
        sectors=["energy"],
        kind="site_visit",
    )
    db.session.commit()
    english(client)
    everything = {"Atelier Suceava energie", "Webinar transport național", "Vizită Cluj clădiri"}
    cases = {
        "?city=suceava": {"Atelier Suceava energie"},
        "?city=cluj-napoca": {"Vizită Cluj clădiri"},
        "?sector=buildings": {"Webinar transport național", "Vizită Cluj clădiri"},
        "?sector=energy": {"Atelier Suceava energie"},
        "?kind=webinar": {"Webinar transport național"},
        "?kind=site_visit&city=cluj-napoca": {"Vizită Cluj clădiri"},
        "?sector=transport&kind=workshop": set(),
        "?when=past&city=suceava": {"Vizită Suceava trecută"},
        "?when=past&city=cluj-napoca": set(),
        # unknown values are ignored, not an error
        "?city=atlantida&sector=spatiu&kind=%3Cscript%3E": everything,
    }
    for query, expected in cases.items():
        response = client.get("/events" + query)
        assert response.status_code == 200, query
        html = page(response)
        listed = {t for t in everything | {"Vizită Suceava trecută"} if t in html}
        assert listed == expected, query
        assert ("No event matches." in html) == (not expected), query


def test_the_list_holds_20_events_a_page(client, db):
    admin = person("admin")
    for n in range(PER_PAGE + 1):
        ef.event(admin, title=f"Eveniment numărul {n:02d}", starts_in=timedelta(days=1 + n))
    db.session.commit()
    english(client)

    first = page(client.get("/events"))
    second = page(client.get("/events?page=2"))
    assert all(f"Eveniment numărul {n:02d}" in first for n in range(PER_PAGE))
    assert f"Eveniment numărul {PER_PAGE:02d}" not in first
    assert f"Eveniment numărul {PER_PAGE:02d}" in second
    assert "Eveniment numărul 00" not in second
    assert "No event matches." in page(client.get("/events?page=3"))
    assert "Eveniment numărul 00" in page(client.get("/events?page=x"))


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("anonymous", False),
        ("unconfirmed", False),
        ("citizen", False),
        ("moderator", False),
        ("official", True),
        ("admin", True),
        ("member", True),
    ],
)
def test_only_organisers_are_offered_the_new_event_button(client, db, login_as, role, shown):
    english(client)
    if role == "member":
        login_as(user=ef.organisation_member(locale="en")[0])
    elif role != "anonymous":
        login_as(role, locale="en")
    assert ('href="/events/new"' in page(client.get("/events"))) is shown


# --- the month calendar ------------------------------------------------------------------------


def test_the_month_calendar_puts_events_on_their_day_in_bucharest(client, db):
    admin = person("admin")
    # 23:30 in Bucharest on 31 January, and 00:30 on 1 February (both on 31 January in UTC)
    ef.event(
        admin,
        title="Seară de ianuarie",
        starts_dt=datetime(2031, 1, 31, 21, 30, tzinfo=UTC),
        ends_dt=datetime(2031, 1, 31, 23, 0, tzinfo=UTC),
    )
    ef.event(
        admin,
        title="Noapte de februarie",
        starts_dt=datetime(2031, 1, 31, 22, 30, tzinfo=UTC),
        ends_dt=datetime(2031, 2, 1, 1, 0, tzinfo=UTC),
    )
    # summer time: UTC+3
    ef.event(
        admin,
        title="Dimineață de iulie",
        starts_dt=datetime(2031, 7, 1, 6, 0, tzinfo=UTC),
        ends_dt=datetime(2031, 7, 1, 8, 0, tzinfo=UTC),
    )
    db.session.commit()
    english(client)

    january = page(client.get("/events/calendar?month=2031-01"))
    assert "January 2031" in january
    assert "23:30 Seară de ianuarie" in january
    assert '<span class="day-number">31</span>' in in_cell_of(january, "Seară de ianuarie")
    assert "Noapte de februarie" not in january

    february = page(client.get("/events/calendar?month=2031-02"))
    assert "00:30 Noapte de februarie" in february
    cell = in_cell_of(february, "Noapte de februarie")
    assert '<span class="day-number">1</span>' in cell and "other-month" not in cell
    assert "Seară de ianuarie" not in february

    july = page(client.get("/events/calendar?month=2031-07"))
    assert "09:00 Dimineață de iulie" in july


def test_the_month_calendar_navigates_and_filters(client, db):
    admin = person("admin")
    ef.event(
        admin,
        title="Webinar de decembrie",
        kind="webinar",
        attendance="online",
        city_slug=None,
        starts_dt=datetime(2030, 12, 10, 16, 0, tzinfo=UTC),
        ends_dt=datetime(2030, 12, 10, 18, 0, tzinfo=UTC),
    )
    called_off = ef.event(
        admin,
        title="Atelier de decembrie",
        starts_dt=datetime(2030, 12, 12, 16, 0, tzinfo=UTC),
        ends_dt=datetime(2030, 12, 12, 18, 0, tzinfo=UTC),
    )
    db.session.flush()
    services.cancel(admin, called_off, "Nu avem sală.")
    db.session.commit()
    english(client)

    html = page(client.get("/events/calendar?month=2030-12"))
    assert "December 2030" in html
    assert 'rel="prev" href="/events/calendar?month=2030-11"' in html
    assert 'rel="next" href="/events/calendar?month=2031-01"' in html
    assert "Webinar de decembrie" in html
    assert "Atelier de decembrie (cancelled)" in html

    html = page(client.get("/events/calendar?month=2030-12&kind=webinar"))
    assert "Webinar de decembrie" in html and "Atelier de decembrie" not in html
    assert 'href="/events/calendar?month=2031-01&amp;kind=webinar"' in html
    html = page(client.get("/events/calendar?month=2030-12&city=suceava"))
    assert "Atelier de decembrie" in html and "Webinar de decembrie" not in html


@pytest.mark.parametrize("month", ["2031-13", "abc", "1999-05", "2101-01", "", "2031-00-01"])
def test_a_bad_month_shows_the_current_one(client, db, month):
    today = datetime.now(BUCHAREST).date()
    following = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    response = client.get(f"/events/calendar?month={month}")
    assert response.status_code == 200
    assert f'rel="next" href="/events/calendar?month={following:%Y-%m}"' in page(response)


# --- the event page ---------------------------------------------------------------------------


def test_the_event_page_shows_the_facts_and_invites_to_sign_in(client, db):
    co = person(name="Maria Coorganizatoare")
    event = ef.event(
        title="Atelier: comunități de energie",
        attendance="hybrid",
        online_url=LINK,
        capacity=12,
        description="Despre **energie** <script>alert(1)</script>",
        closes=utcnow() + timedelta(days=5),
        co_organisers=[co],
    )
    db.session.commit()
    english(client)

    html = page(client.get(f"/events/{event.id}"))
    assert "<h1>Atelier: comunități de energie</h1>" in html
    for text in (
        "Workshop",
        "Suceava",
        "Str. Ștefan cel Mare 1, Suceava",
        "In person and online",
        "12 places left",
        "<strong>energie</strong>",
        "Registration deadline",
        "Maria Coorganizatoare",
        "Sign in to register.",
        "The link is shown to people with a confirmed place.",
        f'href="/events/{event.id}/event.ics"',
    ):
        assert text in html, text
    assert "<script>alert(1)" not in html
    assert SECRET not in html
    assert f'action="/events/{event.id}/register"' not in html
    assert f'href="/events/{event.id}/attendees"' not in html


@pytest.mark.parametrize("bad", HUGE_IDS)
def test_unknown_or_huge_event_ids_are_404_and_nothing_written(client, db, login_as, bad):
    login_as("admin")
    before = snapshot(db)
    for url in (
        "",
        "/event.ics",
        "/ticket",
        "/ticket.svg",
        "/edit",
        "/attendees",
        "/attendees.csv",
        "/check-in",
    ):
        assert client.get(f"/events/{bad}{url}").status_code == 404, url
    for url, data in (
        ("/register", {}),
        ("/cancel-registration", {}),
        ("/edit", event_form()),
        ("/message", {"message": "Salut"}),
        ("/cancel", {"reason": "Ploaie"}),
        ("/materials", {"materials": "Notițe"}),
        ("/check-in", {"code": "ABCD2345"}),
    ):
        assert client.post(f"/events/{bad}{url}", data=data).status_code == 404, url
    assert snapshot(db) == before


# --- publishing an event ------------------------------------------------------------------


def test_an_official_publishes_an_event_with_every_field(client, db, login_as):
    organiser = login_as("official", locale="en")
    first = person(name="Ana Pop", handle="ana.pop")
    second = person(name="Radu Vlad", handle="radu_v")
    suceava = factories.city("suceava")
    events_before = count(Event)

    response = client.post(
        "/events/new",
        data=event_form(
            kind="conference",
            title="Conferința: orașe neutre climatic",
            description="Program:\n\n- **10:00** deschiderea",
            city_id=str(suceava.id),
            sectors=["energy", "transport"],
            attendance="hybrid",
            address="Primăria Suceava",
            online_url=LINK,
            capacity="40",
            registration_opens_at="2031-01-01T09:00",
            registration_closes_at="2031-01-14T18:00",
            co_organisers="@Ana.Pop, radu_v @ana.pop",
        ),
    )

    assert response.status_code == 303, page(response)
    assert count(Event) == events_before + 1
    event = latest_event(db)
    assert response.headers["Location"].endswith(f"/events/{event.id}")
    assert event.kind.value == "conference"
    assert event.title == "Conferința: orașe neutre climatic"
    assert "<strong>10:00</strong>" in event.description_html
    assert event.city_id == suceava.id
    assert sorted(event.sectors) == ["energy", "transport"]
    # typed in Bucharest time (UTC+2 in winter), stored in UTC
    assert event.starts_dt == START_UTC and event.ends_dt == END_UTC
    assert event.registration_opens_dt == datetime(2031, 1, 1, 7, 0, tzinfo=UTC)
    assert event.registration_closes_dt == datetime(2031, 1, 14, 16, 0, tzinfo=UTC)
    assert (event.attendance.value, event.address, event.online_url) == (
        "hybrid",
        "Primăria Suceava",
        LINK,
    )
    assert (event.capacity, event.confirmed_count, event.waitlist_count) == (40, 0, 0)
    assert event.created_by_id == organiser.id and event.organisation_id is None
    assert set(
        db.session.scalars(
            select(EventOrganiser.user_id).where(EventOrganiser.event_id == event.id)
        )
    ) == {first.id, second.id}
    [entry] = activity(db, "event_created")
    assert (entry.actor_id, entry.target_id) == (organiser.id, event.id)

    html = page(client.get(f"/events/{event.id}"))
    assert "The event is published." in html
    assert "Conference" in html and "Ana Pop" in html and "Radu Vlad" in html
    assert LINK in html  # the organiser sees the link
    assert "Registration opens on" in html  # 1 January 2031


def test_times_typed_in_summer_are_bucharest_summer_time(client, db, login_as):
    login_as("official", locale="en")
    response = client.post(
        "/events/new", data=event_form(starts_at="2031-07-15T10:00", ends_at="2031-07-15T11:00")
    )
    assert response.status_code == 303
    event = latest_event(db)
    assert event.starts_dt == datetime(2031, 7, 15, 7, 0, tzinfo=UTC)
    assert event.ends_dt == datetime(2031, 7, 15, 8, 0, tzinfo=UTC)


def test_an_online_event_without_a_capacity_has_no_limit(client, db, login_as):
    login_as("admin", locale="en")
    response = client.post(
        "/events/new",
        data=event_form(
            kind="webinar", attendance="online", address="", online_url=LINK, capacity=""
        ),
    )
    assert response.status_code == 303, page(response)
    event = latest_event(db)
    assert event.capacity is None and event.attendance.value == "online"
    assert "no limit on places" in page(client.get(f"/events/{event.id}"))


def test_an_organisation_member_publishes_on_behalf_of_their_organisation(client, db, login_as):
    member, org = ef.organisation_member(locale="en")
    login_as(user=member)
    assert f'<option value="{org.id}">{org.name}</option>' in page(client.get("/events/new"))

    response = client.post("/events/new", data=event_form(organisation_id=str(org.id)))

    assert response.status_code == 303, page(response)
    event = latest_event(db)
    assert event.organisation_id == org.id and event.created_by_id == member.id
    assert f'href="/organisations/{org.slug}"' in page(client.get(f"/events/{event.id}"))


def test_on_behalf_of_someone_elses_organisation_is_refused(client, db, login_as):
    member, _own = ef.organisation_member(locale="en")
    foreign = factories.organisation()
    where_pending = factories.organisation()
    factories.membership(member, where_pending, status="pending")
    login_as(user=member)
    before = snapshot(db)
    for org_id in (foreign.id, where_pending.id, 999999):
        response = client.post("/events/new", data=event_form(organisation_id=str(org_id)))
        assert response.status_code == 422, org_id
        assert "Not a valid choice" in page(response)
    assert snapshot(db) == before


@pytest.mark.parametrize("role", ["official", "admin", "member"])
def test_officials_admins_and_organisation_members_may_publish(client, db, login_as, role):
    if role == "member":
        login_as(user=ef.organisation_member(locale="en")[0])
    else:
        login_as(role, locale="en")
    assert client.get("/events/new").status_code == 200
    before = count(Event)
    assert client.post("/events/new", data=event_form()).status_code == 303
    assert count(Event) == before + 1


@pytest.mark.parametrize(
    "who",
    [
        "citizen",
        "moderator",
        "member of an unverified organisation",
        "pending member",
        "rejected member",
    ],
)
def test_people_who_do_not_organise_get_403_on_new_and_nothing_written(client, db, login_as, who):
    if who == "member of an unverified organisation":
        login_as(user=ef.organisation_member(org_status="pending", locale="en")[0])
    elif who == "pending member":
        login_as(user=ef.organisation_member(member_status="pending", locale="en")[0])
    elif who == "rejected member":
        login_as(user=ef.organisation_member(member_status="rejected", locale="en")[0])
    else:
        login_as(who, locale="en")
    before = snapshot(db)
    assert client.get("/events/new").status_code == 403
    assert client.post("/events/new", data=event_form()).status_code == 403
    assert snapshot(db) == before


@pytest.mark.parametrize("who", ["unconfirmed", "unconfirmed official"])
def test_unconfirmed_people_get_403_on_new_with_a_message(client, db, login_as, who):
    if who == "unconfirmed":
        login_as("unconfirmed", locale="en")
    else:
        login_as(user=factories.official(confirmed=False, locale="en"))
    before = snapshot(db)
    assert client.get("/events/new").status_code == 403
    response = client.post("/events/new", data=event_form())
    assert response.status_code == 403
    assert "Please confirm your e-mail address first" in page(response)
    assert snapshot(db) == before


# Each case: form fields and the message the form shows.
BAD_EVENT_INPUT = [
    ({"ends_at": "2031-01-15T09:00"}, "The event must end after it starts."),
    ({"ends_at": START}, "The event must end after it starts."),
    (
        {"registration_closes_at": "2031-01-15T10:01"},
        "Registration must close before the event starts.",
    ),
    (
        {"registration_opens_at": "2031-01-10T10:00", "registration_closes_at": "2031-01-09T10:00"},
        "Registration must close after it opens.",
    ),
    (
        {"attendance": "online", "address": "", "online_url": ""},
        "Give the meeting link for people who join online.",
    ),
    (
        {"attendance": "hybrid", "online_url": ""},
        "Give the meeting link for people who join online.",
    ),
    ({"attendance": "in_person", "address": ""}, "Give the address for people who come in person."),
    (
        {"attendance": "hybrid", "address": "   ", "online_url": LINK},
        "Give the address for people who come in person.",
    ),
    (
        {"attendance": "online", "online_url": "http://meet.example.ro/x"},
        "The meeting link must start with https://.",
    ),
    ({"attendance": "online", "online_url": "javascript:alert(1)"}, "Enter a full web address."),
    (
        {"attendance": "online", "online_url": "meet.example.ro/atelier"},
        "Enter a full web address.",
    ),
    (
        {"attendance": "online", "online_url": "https://meet.example.ro/" + "x" * 480},
        "Field cannot be longer than 500 characters.",
    ),
    ({"capacity": "0"}, "Number must be between 1 and 100000."),
    ({"capacity": "-3"}, "Number must be between 1 and 100000."),
    ({"capacity": "100001"}, "Number must be between 1 and 100000."),
    ({"capacity": "zece"}, "Not a valid integer value."),
    ({"capacity": "2.5"}, "Not a valid integer value."),
    ({"co_organisers": "@nimeni_aici"}, "Nobody has the handle nimeni_aici."),
    ({"co_organisers": " ".join(f"@p{n}" for n in range(11))}, "At most 10 co-organisers."),
    ({"co_organisers": "@" + "a" * 400}, "Field cannot be longer than 400 characters."),
    ({"title": ""}, "This field is required."),
    ({"title": "   \t "}, "This field is required."),
    ({"title": "Ates"}, "Field must be between 5 and 200 characters long."),
    ({"title": "T" * 201}, "Field must be between 5 and 200 characters long."),
    ({"description": "D" * 20001}, "Field cannot be longer than 20000 characters."),
    ({"address": "A" * 301}, "Field cannot be longer than 300 characters."),
    ({"starts_at": ""}, "This field is required."),
    # (DataRequired replaces "Not a valid datetime value." with its own message)
    ({"starts_at": "mâine la zece"}, "This field is required."),
    ({"ends_at": "2031-02-30T10:00"}, "This field is required."),
    ({"kind": "petrecere"}, "Not a valid choice."),
    ({"attendance": "teleportare"}, "Not a valid choice."),
    ({"sectors": ["energy", "spatiu"]}, "is not a valid choice for this field"),
    ({"city_id": "999999"}, "Not a valid choice"),
    ({"city_id": "abc"}, "Invalid Choice"),
    ({"organisation_id": "99999999999999999999"}, "Not a valid choice"),
]


@pytest.mark.parametrize(
    ("overrides", "message"),
    BAD_EVENT_INPUT,
    ids=[f"{n:02d}-{'+'.join(o)}" for n, (o, _message) in enumerate(BAD_EVENT_INPUT)],
)
def test_bad_event_input_is_refused_with_a_message_and_nothing_written(
    client, db, login_as, outbox, overrides, message
):
    login_as("official", locale="en")
    before = snapshot(db)

    response = client.post("/events/new", data=event_form(**overrides))

    assert response.status_code == 422, (overrides, response.status_code)
    html = page(response)
    assert "Please correct the following:" in html
    assert message in html
    assert snapshot(db) == before
    assert outbox() == []


def test_registration_opening_after_the_start_is_refused(client, db, login_as):
    """Without a deadline, an opening after the start leaves no moment to register."""
    login_as("official", locale="en")
    before = snapshot(db)
    response = client.post("/events/new", data=event_form(registration_opens_at="2031-01-16T10:00"))
    assert response.status_code == 422, response.status_code
    assert "Please correct the following:" in page(response)
    assert snapshot(db) == before


# --- editing -------------------------------------------------------------------------------------


def test_the_edit_form_is_prefilled_in_bucharest_time(client, db, login_as):
    organiser = person("official")
    co = person(handle="ioana.co")
    event = ef.event(
        organiser,
        title="Atelier de reparații",
        starts_dt=START_UTC,
        ends_dt=END_UTC,
        co_organisers=[co],
    )
    login_as(user=organiser)

    html = page(client.get(f"/events/{event.id}/edit"))

    assert f'value="{START}"' in html and f'value="{END}"' in html
    assert 'value="Atelier de reparații"' in html
    assert 'value="@ioana.co"' in html


def test_editing_changes_the_event_and_keeps_its_registrations(client, db, login_as):
    organiser = person("official")
    event = ef.event(organiser, capacity=5)
    guest = person()
    ef.register(guest, event)
    login_as(user=organiser)

    response = client.post(
        f"/events/{event.id}/edit",
        data=edit_form(
            event,
            title="Atelier mutat",
            starts_at="2031-02-01T18:00",
            ends_at="2031-02-01T20:00",
            kind="training",
            sectors=["agriculture"],
        ),
    )

    assert response.status_code == 303, page(response)
    stored = fresh(db, event)
    assert stored.title == "Atelier mutat" and stored.kind.value == "training"
    assert stored.starts_dt == datetime(2031, 2, 1, 16, 0, tzinfo=UTC)
    assert stored.sectors == ["agriculture"]
    assert status_of(db, guest, event) == CONFIRMED
    assert counters(db, event) == (1, 0)
    assert "The event is saved." in page(client.get(f"/events/{event.id}"))


def test_co_organisers_are_replaced_on_edit_and_the_creator_is_never_one(client, db, login_as):
    organiser = person("official", handle="creatoarea")
    old, new = person(handle="vechi"), person(handle="nou")
    event = ef.event(organiser, co_organisers=[old])
    login_as(user=organiser)

    response = client.post(
        f"/events/{event.id}/edit", data=edit_form(event, co_organisers="@nou @NOU @creatoarea")
    )

    assert response.status_code == 303, page(response)
    db.session.expire_all()
    assert list(
        db.session.scalars(
            select(EventOrganiser.user_id).where(EventOrganiser.event_id == event.id)
        )
    ) == [new.id]
    # the old co-organiser no longer manages it, the new one does
    login_as(user=old)
    assert client.get(f"/events/{event.id}/attendees").status_code == 403
    login_as(user=new)
    assert client.get(f"/events/{event.id}/attendees").status_code == 200


def test_a_co_organiser_and_an_admin_may_edit(client, db, login_as):
    """Also when the event is held for the creator's organisation, which is none of theirs."""
    member, org = ef.organisation_member()
    co = person()
    event = ef.event(member, co_organisers=[co], organisation_id=org.id)
    for editor, title in ((co, "Titlul coorganizatorului"), (person("admin"), "Titlul adminului")):
        login_as(user=editor)
        assert client.get(f"/events/{event.id}/edit").status_code == 200
        response = client.post(
            f"/events/{event.id}/edit",
            data=edit_form(event, title=title, co_organisers=f"@{co.handle}"),
        )
        assert response.status_code == 303, page(response)
        assert fresh(db, event).title == title
        assert fresh(db, event).organisation_id == org.id


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": "2020-01-01T10:00"}, "The event must end after it starts."),
        ({"capacity": "0"}, "Number must be between 1 and 100000."),
        ({"co_organisers": "@nimeni_aici"}, "Nobody has the handle nimeni_aici."),
        ({"title": "x" * 201}, "Field must be between 5 and 200 characters long."),
    ],
)
def test_a_bad_edit_changes_nothing_and_promotes_nobody(
    client, db, login_as, outbox, overrides, message
):
    organiser = person("official")
    event = ef.event(organiser, capacity=1)
    ef.register(person(), event)
    waiting = person()
    ef.register(waiting, event)
    login_as(user=organiser)
    before = snapshot(db)
    sent = len(outbox())

    # a raised capacity in a form that is otherwise wrong must not promote anybody
    response = client.post(
        f"/events/{event.id}/edit", data=edit_form(event, **{"capacity": "5", **overrides})
    )

    assert response.status_code == 422
    assert message in page(response)
    assert snapshot(db) == before
    assert status_of(db, waiting, event) == WAITLISTED
    assert len(outbox()) == sent


def test_a_cancelled_event_cannot_be_edited(client, db, login_as):
    organiser = person("official")
    event = ef.event(organiser)
    services.cancel(organiser, event, "Nu mai are loc.")
    login_as(user=organiser)
    before = snapshot(db)
    assert client.get(f"/events/{event.id}/edit").status_code == 409
    assert (
        client.post(
            f"/events/{event.id}/edit", data=edit_form(event, title="Încă o încercare")
        ).status_code
        == 409
    )
    assert snapshot(db) == before
    assert f'href="/events/{event.id}/edit"' not in page(client.get(f"/events/{event.id}"))


# --- capacity, the waiting list and promotions -------------------------------------------------


def test_raising_the_capacity_promotes_as_many_as_fit_in_arrival_order(
    client, db, login_as, outbox
):
    organiser = person("official")
    event = ef.event(organiser, title="Atelier cu locuri puține", capacity=2)
    confirmed = [person() for _ in range(2)]
    waiting = [person() for _ in range(4)]
    for who in confirmed + waiting:
        ef.register(who, event)
    db.session.commit()
    sent = len(outbox())
    login_as(user=organiser)

    response = client.post(f"/events/{event.id}/edit", data=edit_form(event, capacity="4"))

    assert response.status_code == 303, page(response)
    assert counters(db, event) == (4, 2)
    assert [status_of(db, w, event) for w in waiting] == [
        CONFIRMED,
        CONFIRMED,
        WAITLISTED,
        WAITLISTED,
    ]
    assert told(db, "event_promoted", event) == sorted(w.id for w in waiting[:2])
    assert len(outbox()) == sent + 2
    for who in waiting[:2]:
        [message] = mails_to(outbox, who)
        assert (
            message["Subject"] == "A place came free: you are registered for "
            "“Atelier cu locuri puține”"
        )
        calendar_attachment(message)
    assert [waiting_position(client, login_as, w, event) for w in waiting[2:]] == [1, 2]

    # no limit at all: everybody still waiting gets a place
    login_as(user=organiser)
    response = client.post(f"/events/{event.id}/edit", data=edit_form(event, capacity=""))
    assert response.status_code == 303, page(response)
    assert counters(db, event) == (6, 0)
    assert {status_of(db, w, event) for w in waiting} == {CONFIRMED}
    assert told(db, "event_promoted", event) == sorted(w.id for w in waiting)


def test_lowering_the_capacity_never_unconfirms_anybody(client, db, login_as):
    organiser = person("official")
    event = ef.event(organiser, capacity=4)
    confirmed = [person() for _ in range(4)]
    for who in confirmed:
        ef.register(who, event)
    login_as(user=organiser)

    response = client.post(f"/events/{event.id}/edit", data=edit_form(event, capacity="2"))

    assert response.status_code == 303, page(response)
    assert fresh(db, event).capacity == 2
    assert counters(db, event) == (4, 0)
    assert {status_of(db, who, event) for who in confirmed} == {CONFIRMED}
    english(client)
    assert "full — waiting list open" in page(client.get(f"/events/{event.id}"))
    # a newcomer waits; one cancellation leaves 3 for 2 places, so nobody moves up
    newcomer = person()
    assert sign_up(client, login_as, newcomer, event).status_code == 303
    assert status_of(db, newcomer, event) == WAITLISTED
    assert leave(client, login_as, confirmed[0], event).status_code == 303
    assert status_of(db, newcomer, event) == WAITLISTED
    assert counters(db, event) == (3, 1)
    assert told(db, "event_promoted", event) == []


def test_registering_confirms_notifies_and_mails_a_calendar_file(client, db, login_as, outbox):
    event = ef.event(
        title="Atelier: biciclete electrice", attendance="hybrid", online_url=LINK, capacity=5
    )
    who = person(name="Elena Înscrisă")

    response = sign_up(client, login_as, who, event, follow=True)

    assert response.status_code == 200
    html = page(response)
    assert "You are registered. Your ticket is below." in html
    assert "You have a place." in html and f'href="/events/{event.id}/ticket"' in html
    assert LINK in html
    assert f'action="/events/{event.id}/cancel-registration"' in html
    mine = registration_of(db, who, event)
    assert mine.status == CONFIRMED and mine.confirmed_dt is not None
    assert len(mine.code) == CODE_LENGTH and set(mine.code) <= set(CODE_ALPHABET)
    assert counters(db, event) == (1, 0)
    assert told(db, "event_confirmed", event) == [who.id]

    [message] = mails_to(outbox, who)
    assert message["Subject"] == "You are registered for “Atelier: biciclete electrice”"
    assert LINK in message.get_body(("plain",)).get_content()
    assert f"http://localhost/events/{event.id}" in message.get_body(("plain",)).get_content()
    name, calendar = calendar_attachment(message)
    assert name == f"event-{event.id}.ics"
    entry = only_entry(calendar)
    assert str(entry["summary"]) == "Atelier: biciclete electrice"
    assert entry.decoded("dtstart") == fresh(db, event).starts_dt.replace(microsecond=0)
    assert entry.decoded("dtend") == fresh(db, event).ends_dt.replace(microsecond=0)
    assert LINK in str(entry["location"]) and "Suceava" in str(entry["location"])
    assert str(entry["url"]) == f"http://localhost/events/{event.id}"


def test_the_confirmation_is_written_in_the_persons_language(client, db, login_as, outbox):
    event = ef.event(title="Atelier de compost")
    who = factories.person("citizen", locale="ro")
    english(client)  # the page's language does not matter: the person's does
    assert sign_up(client, login_as, who, event).status_code == 303
    [message] = mails_to(outbox, who)
    assert message["Subject"] == "Ești înscris(ă) la „Atelier de compost”"


def test_a_full_event_puts_people_on_the_waiting_list_in_arrival_order(
    client, db, login_as, outbox
):
    event = ef.event(capacity=2)
    people = [person() for _ in range(5)]
    db.session.commit()
    english(client)

    flashes = [page(sign_up(client, login_as, who, event, follow=True)) for who in people]

    assert all("You are registered." in html for html in flashes[:2])
    assert all("The event is full: you are on the waiting list." in html for html in flashes[2:])
    assert [status_of(db, who, event) for who in people] == [CONFIRMED] * 2 + [WAITLISTED] * 3
    assert counters(db, event) == (2, 3)
    assert [waiting_position(client, login_as, who, event) for who in people] == [
        None,
        None,
        1,
        2,
        3,
    ]
    # nobody waiting is sent a confirmation, nor sees a ticket
    assert told(db, "event_confirmed", event) == sorted(who.id for who in people[:2])
    assert all(mails_to(outbox, who) == [] for who in people[2:])
    login_as(user=people[2])
    assert client.get(f"/events/{event.id}/ticket").status_code == 404
    html = page(client.get(f"/events/{event.id}"))
    assert "Leave the waiting list" in html and "3 people waiting" in html
    login_as(user=person())
    html = page(client.get(f"/events/{event.id}"))
    assert "full — waiting list open" in html and "Join the waiting list" in html


def test_a_cancellation_promotes_exactly_the_first_person_waiting(client, db, login_as, outbox):
    event = ef.event(title="Atelier plin", capacity=2)
    first, second = person(), person()
    waiting = [person(name=f"Așteaptă {n}") for n in range(3)]
    for who in [first, second, *waiting]:
        ef.register(who, event)
    db.session.commit()
    sent = len(outbox())

    response = leave(client, login_as, first, event)

    assert response.status_code == 303
    assert "Your registration is cancelled." in page(client.get(f"/events/{event.id}"))
    assert status_of(db, first, event) == CANCELLED
    assert registration_of(db, first, event).cancelled_dt is not None
    assert [status_of(db, w, event) for w in waiting] == [CONFIRMED, WAITLISTED, WAITLISTED]
    assert counters(db, event) == (2, 2)
    assert told(db, "event_promoted", event) == [waiting[0].id]
    assert len(outbox()) == sent + 1
    [message] = mails_to(outbox, waiting[0])
    assert message["Subject"] == "A place came free: you are registered for “Atelier plin”"
    assert "moved up from the waiting list" in message.get_body(("plain",)).get_content()
    assert [waiting_position(client, login_as, w, event) for w in waiting] == [None, 1, 2]
    login_as(user=waiting[0])
    assert "You have a place." in page(client.get(f"/events/{event.id}"))
    assert client.get(f"/events/{event.id}/ticket").status_code == 200


def test_leaving_the_waiting_list_promotes_nobody_and_moves_the_others_up(client, db, login_as):
    event = ef.event(capacity=1)
    holder = person()
    waiting = [person() for _ in range(3)]
    for who in [holder, *waiting]:
        ef.register(who, event)

    assert leave(client, login_as, waiting[0], event).status_code == 303

    assert status_of(db, waiting[0], event) == CANCELLED
    assert status_of(db, holder, event) == CONFIRMED
    assert counters(db, event) == (1, 2)
    assert told(db, "event_promoted") == []
    assert [waiting_position(client, login_as, w, event) for w in waiting[1:]] == [1, 2]


def test_registering_again_after_cancelling_goes_to_the_end_of_the_queue(client, db, login_as):
    event = ef.event(capacity=1)
    holder, second, third = person(), person(), person()
    for who in (holder, second, third):
        ef.register(who, event)

    assert leave(client, login_as, holder, event).status_code == 303
    assert sign_up(client, login_as, holder, event).status_code == 303

    assert status_of(db, second, event) == CONFIRMED
    assert status_of(db, holder, event) == WAITLISTED
    assert waiting_position(client, login_as, holder, event) == 2
    assert count(Registration, Registration.user_id == holder.id) == 2
    assert counters(db, event) == (1, 2)


def test_without_a_capacity_nobody_waits(client, db, login_as):
    event = ef.event(capacity=None)
    people = [person() for _ in range(4)]
    for who in people:
        assert sign_up(client, login_as, who, event).status_code == 303
    assert {status_of(db, who, event) for who in people} == {CONFIRMED}
    assert counters(db, event) == (4, 0)


def _closed_event(case: str, organiser) -> Event:
    if case == "not open yet":
        return ef.event(organiser, opens=utcnow() + timedelta(days=1))
    if case == "after the deadline":
        return ef.event(organiser, closes=utcnow() - timedelta(minutes=1))
    if case == "cancelled":
        event = ef.event(organiser)
        services.cancel(organiser, event, "Vremea e rea.")
        return event
    if case == "started":
        return ef.event(organiser, starts_in=timedelta(minutes=-5), hours=2)
    return ef.event(organiser, starts_in=timedelta(days=-3))  # past


@pytest.mark.parametrize(
    ("case", "notice"),
    [
        ("not open yet", "Registration opens on"),
        ("after the deadline", "Registration is closed."),
        ("cancelled", "Registration is closed."),
        ("started", "Registration is closed."),
        ("past", "Registration is closed."),
    ],
)
def test_registering_when_registration_is_closed_is_409_and_nothing_written(
    client, db, login_as, outbox, case, notice
):
    event = _closed_event(case, person("admin"))
    who = person()
    login_as(user=who)
    before = snapshot(db)

    html = page(client.get(f"/events/{event.id}"))
    assert notice in html
    assert f'action="/events/{event.id}/register"' not in html
    assert client.post(f"/events/{event.id}/register").status_code == 409

    assert snapshot(db) == before
    assert outbox() == []


@pytest.mark.parametrize("capacity", [5, 1])
def test_registering_twice_is_409_and_nothing_written(client, db, login_as, outbox, capacity):
    """Twice with a place, and twice on the waiting list."""
    event = ef.event(capacity=capacity)
    ef.register(person(), event)  # with one place, the second comer waits
    who = person()
    assert sign_up(client, login_as, who, event).status_code == 303
    before = snapshot(db)
    sent = len(outbox())

    assert client.post(f"/events/{event.id}/register").status_code == 409

    assert snapshot(db) == before
    assert len(outbox()) == sent


def test_unconfirmed_people_cannot_register(client, db, login_as):
    event = ef.event()
    login_as("unconfirmed", locale="en")
    before = snapshot(db)
    html = page(client.get(f"/events/{event.id}"))
    assert "Confirm your e-mail address to register." in html
    assert f'action="/events/{event.id}/register"' not in html
    response = client.post(f"/events/{event.id}/register")
    assert response.status_code == 403
    assert "Please confirm your e-mail address first" in page(response)
    assert snapshot(db) == before


@pytest.mark.parametrize("case", ["never registered", "twice", "after the start"])
def test_cancelling_a_registration_that_cannot_be_is_409_and_nothing_written(
    client, db, login_as, case
):
    event = ef.event(capacity=1)
    who = person()
    waiting = person()
    if case != "never registered":
        ef.register(who, event)
        ef.register(waiting, event)
    if case == "twice":
        registering.cancel(who, event.id)
    if case == "after the start":
        ef.reschedule(event, timedelta(minutes=-10))
    login_as(user=who)
    before = snapshot(db)

    assert client.post(f"/events/{event.id}/cancel-registration").status_code == 409

    assert snapshot(db) == before
    if case == "after the start":
        html = page(client.get(f"/events/{event.id}"))
        assert f'action="/events/{event.id}/cancel-registration"' not in html


def test_registering_is_rate_limited_per_person(app, client, db, login_as):
    match = re.search(r"(\d+)\s*per\s*minute", app.config["RATE_LIMIT_REGISTER"])
    allowed = int(match.group(1))
    events = [ef.event(capacity=None) for _ in range(allowed + 1)]
    who = login_as("citizen")
    for event in events[:allowed]:
        assert client.post(f"/events/{event.id}/register").status_code == 303
    assert client.post(f"/events/{events[-1].id}/register").status_code == 429
    assert registration_of(db, who, events[-1]) is None
    # somebody else still may
    assert sign_up(client, login_as, person(), events[-1]).status_code == 303


# --- tickets, QR codes and check-in -------------------------------------------------------------


def test_the_ticket_shows_the_code_and_a_qr_code_of_the_check_in_address(client, db, login_as):
    event = ef.event(title="Atelier cu bilete")
    who = person(name="Dan Biletul")
    mine = ef.register(who, event)
    login_as(user=who)

    html = page(client.get(f"/events/{event.id}/ticket"))
    assert "Atelier cu bilete" in html and "Dan Biletul" in html
    assert f'<strong class="ticket-code">{mine.code}</strong>' in html
    assert f'src="/events/{event.id}/ticket.svg"' in html

    response = client.get(f"/events/{event.id}/ticket.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "private" in response.headers["Cache-Control"]
    target = f"http://localhost/events/{event.id}/check-in?code={mine.code}"
    drawing = {"scale": 5, "border": 2, "dark": "#1a1a1a"}
    assert page(response) == segno.make(target, error="m").svg_inline(**drawing)
    other = f"http://localhost/events/{event.id}/check-in?code=ZZZZ2222"
    assert page(response) != segno.make(other, error="m").svg_inline(**drawing)


@pytest.mark.parametrize("case", ["waitlisted", "cancelled", "not registered", "someone else"])
def test_no_ticket_without_an_own_confirmed_place(client, db, login_as, case):
    event = ef.event(capacity=1)
    holder = person()
    ef.register(holder, event)
    who = person()
    if case in ("waitlisted", "cancelled"):
        ef.register(who, event)
    if case == "cancelled":
        registering.cancel(who, event.id)
    login_as(user=who)
    for url in ("ticket", "ticket.svg"):
        response = client.get(f"/events/{event.id}/{url}")
        assert response.status_code == 404, url
        assert holder.display_name not in page(response)


def test_check_in_by_a_scanned_code_shows_whose_ticket_then_checks_in_once(client, db, login_as):
    organiser = person("official")
    event = ef.event(organiser)
    guest = person(name="Ioana Scanată")
    ticket = ef.register(guest, event)
    login_as(user=organiser)
    before = snapshot(db)

    html = page(client.get(f"/events/{event.id}/check-in?code={ticket.code}"))
    assert "Ticket of Ioana Scanată: press Check in to confirm." in html
    assert ">Check in</button>" in html
    assert f'value="{ticket.code}"' in html
    assert snapshot(db) == before  # looking is not checking in

    response = client.post(
        f"/events/{event.id}/check-in", data={"code": f"  {ticket.code.lower()} "}
    )
    assert response.status_code == 200
    assert "Ioana Scanată is checked in." in page(response)
    arrived = registration_of(db, guest, event).checked_in_dt
    assert arrived is not None

    response = client.post(f"/events/{event.id}/check-in", data={"code": ticket.code})
    assert response.status_code == 409
    assert "This ticket was checked in already." in page(response)
    assert registration_of(db, guest, event).checked_in_dt == arrived
    html = page(client.get(f"/events/{event.id}/check-in?code={ticket.code}"))
    assert "Ioana Scanată was checked in already" in html

    login_as(user=guest)
    assert "Checked in at" in page(client.get(f"/events/{event.id}/ticket"))
    assert "checked in" in page(client.get("/events/mine"))


@pytest.mark.parametrize("case", ["another event", "waitlisted", "cancelled", "unknown"])
def test_checking_in_a_code_that_is_no_confirmed_ticket_here_is_404(client, db, login_as, case):
    organiser = person("official")
    event = ef.event(organiser, capacity=1)
    ef.register(person(), event)
    stranger = person(name="Străin Străinescu")
    if case == "another event":
        code = ef.register(stranger, ef.event(organiser)).code
    elif case == "waitlisted":
        code = ef.register(stranger, event).code
    elif case == "cancelled":
        code = ef.register(stranger, event).code
        registering.cancel(stranger, event.id)
    else:
        code = "ZZZZ2222"
    login_as(user=organiser)
    before = snapshot(db)

    response = client.post(f"/events/{event.id}/check-in", data={"code": code})

    assert response.status_code == 404
    assert "No confirmed ticket of this event has that code." in page(response)
    assert snapshot(db) == before
    if case == "another event":  # a scanned foreign ticket does not reveal its holder
        html = page(client.get(f"/events/{event.id}/check-in?code={code}"))
        assert "Străin Străinescu" not in html and "press Check in" not in html


@pytest.mark.parametrize("code", ["", "   ", "AB2", "A" * 13])
def test_a_malformed_check_in_code_is_400(client, db, login_as, code):
    organiser = person("official")
    event = ef.event(organiser)
    ef.register(person(), event)
    login_as(user=organiser)
    before = snapshot(db)
    response = client.post(f"/events/{event.id}/check-in", data={"code": code})
    assert response.status_code == 400
    assert "Please correct the following:" in page(response)
    assert snapshot(db) == before


def test_a_co_organiser_checks_people_in(client, db, login_as):
    co = person()
    event = ef.event(person("official"), co_organisers=[co])
    ticket = ef.register(person(), event)
    login_as(user=co)
    assert (
        client.post(f"/events/{event.id}/check-in", data={"code": ticket.code}).status_code == 200
    )
    assert fresh(db, ticket).checked_in_dt is not None


# --- attendees, CSV, messages, cancelling, materials ---------------------------------------------


def _attendees(organiser):
    """Capacity 2: x cancels (c moves up), so confirmed a, c; waiting d, b; cancelled x."""
    event = ef.event(organiser, capacity=2)
    x = person(name="=cmd|' /C calc'!A0")
    a, org = ef.organisation_member(name="Ana Asociată", locale="en")
    org.name = "Asociația Verde"
    second = factories.organisation(name="Banca Verde")
    factories.membership(a, second)
    factories.membership(a, factories.organisation(name="Aspirantă SRL"), status="pending")
    c, d, b = person(name="Cornel Cetățean"), person(name="Dana Doi"), person(name="Bogdan Bis")
    for who in (x, a, c, d):
        ef.register(who, event)
    registering.cancel(x, event.id)
    ef.register(b, event)
    ticket = registration_of(_db, a, event)
    services.check_in(event, ticket.code)
    return event, {"x": x, "a": a, "c": c, "d": d, "b": b}


def test_the_attendee_list_shows_the_confirmed_then_the_queue_then_the_cancelled(
    client, db, login_as
):
    organiser = person("official")
    event, people = _attendees(organiser)
    login_as(user=organiser)

    html = page(client.get(f"/events/{event.id}/attendees"))

    assert "2 confirmed / 2 · 2 waiting" in html
    names = ["Ana Asociată", "Cornel Cetățean", "Dana Doi", "Bogdan Bis", "=cmd|"]
    order = [html.index(n) for n in names]
    assert order == sorted(order)
    row = html[html.index("Ana Asociată") : html.index("Cornel Cetățean")]
    assert "Asociația Verde; Banca Verde" in row and "Aspirantă" not in row
    assert "Civil society" in row and "Confirmed" in row and "—</td>" not in row
    assert "On the waiting list" in html[html.index("Dana Doi") : html.index("Bogdan Bis")]
    assert "Cancelled" in html[html.index("=cmd|") :]
    for text in (
        f'action="/events/{event.id}/message"',
        f'action="/events/{event.id}/cancel"',
        f'action="/events/{event.id}/materials"',
        f'href="/events/{event.id}/attendees.csv"',
    ):
        assert text in html


def test_the_csv_export_has_one_row_per_registration(client, db, login_as):
    organiser = person("official")
    event, people = _attendees(organiser)
    login_as(user=organiser)

    response = client.get(f"/events/{event.id}/attendees.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="event-{event.id}-attendees.csv"'
    )
    rows = csv_rows(response)
    assert rows[0] == ["name", "organisation", "sector", "status", "registered_at", "checked_in_at"]
    by_name = {row[0]: row for row in rows[1:]}
    assert len(rows) == 6 and len(by_name) == 5
    # a name that a spreadsheet would run as a formula is defused
    assert "'=cmd|' /C calc'!A0" in by_name
    assert by_name["'=cmd|' /C calc'!A0"][3] == "cancelled"
    a = by_name["Ana Asociată"]
    assert a[1:4] == ["Asociația Verde; Banca Verde", "civil", "confirmed"]
    ticket = registration_of(db, people["a"], event)
    assert a[4] == ticket.created_dt.astimezone(BUCHAREST).strftime("%Y-%m-%d %H:%M")
    assert a[5] == ticket.checked_in_dt.astimezone(BUCHAREST).strftime("%Y-%m-%d %H:%M")
    assert by_name["Dana Doi"][1:4] == ["", "citizen", "waitlisted"]
    assert by_name["Dana Doi"][5] == ""
    assert [row[0] for row in rows[1:]] == [  # in the order people registered
        "'=cmd|' /C calc'!A0",
        "Ana Asociată",
        "Cornel Cetățean",
        "Dana Doi",
        "Bogdan Bis",
    ]


def test_a_message_goes_to_everyone_registered_but_the_cancelled_and_the_sender(
    client, db, login_as, outbox
):
    organiser = person("official", name="Olga Organizatoare")
    event = ef.event(organiser, title="Atelier cu mesaje", capacity=1)
    holder, waiting, gone = person(), person(), person()
    for who in (holder, waiting, gone):
        ef.register(who, event)
    registering.cancel(gone, event.id)
    ef.register(organiser, event)  # the organiser waits too: not told their own message
    login_as(user=organiser)
    sent = len(outbox())

    response = client.post(
        f"/events/{event.id}/message",
        data={"message": "Sala s-a schimbat: etajul 2."},
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert "Message sent to 2 people." in page(response)
    assert told(db, "event_message", event) == sorted([holder.id, waiting.id])
    note = db.session.scalar(select(Notification).where(Notification.kind == "event_message"))
    assert note.payload["message"] == "Sala s-a schimbat: etajul 2."
    assert note.payload["person"] == "Olga Organizatoare" and note.actor_id == organiser.id
    assert len(outbox()) == sent  # a notification, not an e-mail


@pytest.mark.parametrize("text", ["", "   \n ", "M" * 1001])
def test_an_empty_or_too_long_message_is_refused_and_nothing_written(client, db, login_as, text):
    organiser = person("official")
    event = ef.event(organiser)
    ef.register(person(), event)
    login_as(user=organiser)
    english(client)
    before = snapshot(db)
    response = client.post(
        f"/events/{event.id}/message", data={"message": text}, follow_redirects=True
    )
    assert "Write a message (at most 1,000 characters)." in page(response)
    assert snapshot(db) == before


def test_cancelling_the_event_tells_everyone_registered(client, db, login_as):
    organiser, co = person("official"), person()
    event = ef.event(organiser, capacity=1, co_organisers=[co])
    holder, waiting, gone = person(), person(), person()
    for who in (holder, waiting, gone):
        ef.register(who, event)
    registering.cancel(gone, event.id)  # gone was waiting: nobody moves up
    login_as(user=co)

    response = client.post(
        f"/events/{event.id}/cancel", data={"reason": "Sala e inundată."}, follow_redirects=True
    )

    assert response.status_code == 200
    html = page(response)
    assert "The event is cancelled and everyone registered has been told." in html
    assert "This event is cancelled: Sala e inundată." in html
    stored = fresh(db, event)
    assert stored.cancelled_dt is not None and stored.cancel_reason == "Sala e inundată."
    assert told(db, "event_cancelled", event) == sorted([holder.id, waiting.id])
    note = db.session.scalar(select(Notification).where(Notification.kind == "event_cancelled"))
    assert note.payload["reason"] == "Sala e inundată." and note.actor_id == co.id
    [entry] = activity(db, "event_cancelled")
    assert (entry.actor_id, entry.target_id) == (co.id, event.id)
    assert counters(db, event) == (1, 1)
    assert status_of(db, holder, event) == CONFIRMED
    entry = only_entry(Calendar.from_ical(client.get(f"/events/{event.id}/event.ics").data))
    assert str(entry["status"]) == "CANCELLED"

    # afterwards: no registering, editing, messaging, cancelling again
    before = snapshot(db)
    assert client.post(f"/events/{event.id}/cancel", data={"reason": "Din nou"}).status_code == 409
    assert client.post(f"/events/{event.id}/message", data={"message": "Hei"}).status_code == 409
    assert client.post(f"/events/{event.id}/edit", data=edit_form(event)).status_code == 409
    assert sign_up(client, login_as, person(), event).status_code == 409
    assert snapshot(db) == before


@pytest.mark.parametrize("reason", ["", "  ", "R" * 501])
def test_cancelling_needs_a_reason_and_writes_nothing_without_one(client, db, login_as, reason):
    organiser = person("official")
    event = ef.event(organiser)
    ef.register(person(), event)
    login_as(user=organiser)
    before = snapshot(db)
    response = client.post(
        f"/events/{event.id}/cancel", data={"reason": reason}, follow_redirects=True
    )
    assert "Say why the event is cancelled" in page(response)
    assert snapshot(db) == before


def test_a_past_event_cannot_be_cancelled(client, db, login_as):
    organiser = person("official")
    event = ef.event(organiser)
    ef.register(person(), event)
    ef.reschedule(event, timedelta(days=-2))
    login_as(user=organiser)
    before = snapshot(db)
    assert (
        client.post(f"/events/{event.id}/cancel", data={"reason": "Prea târziu"}).status_code == 409
    )
    assert snapshot(db) == before


def test_materials_after_the_event_are_cleaned_and_shown(client, db, login_as):
    organiser = person("official")
    event = ef.event(organiser, starts_in=timedelta(days=-3))
    login_as(user=organiser)
    english(client)

    response = client.post(
        f"/events/{event.id}/materials",
        data={
            "materials": "Prezentarea: [slide-uri](https://example.org/p.pdf) "
            "<script>alert(1)</script>"
        },
    )

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/events/{event.id}#materials")
    html = page(client.get(f"/events/{event.id}"))
    assert 'id="materials"' in html
    section = html[html.index('id="materials"') :]
    assert 'href="https://example.org/p.pdf"' in section and "nofollow" in section
    assert "<script>alert(1)" not in html
    assert fresh(db, event).materials.startswith("Prezentarea:")

    before = snapshot(db)
    assert (
        client.post(f"/events/{event.id}/materials", data={"materials": "M" * 20001}).status_code
        == 400
    )
    assert snapshot(db) == before


# --- calendar files -----------------------------------------------------------------------------


def test_every_event_page_offers_an_ics_file(client, db):
    event = ef.event(title="Atelier în calendar", attendance="hybrid", online_url=LINK)
    db.session.commit()

    response = client.get(f"/events/{event.id}/event.ics")

    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"] == f'attachment; filename="event-{event.id}.ics"'
    entry = only_entry(Calendar.from_ical(response.data))
    stored = fresh(db, event)
    assert str(entry["summary"]) == "Atelier în calendar"
    assert entry.decoded("dtstart") == stored.starts_dt.replace(microsecond=0)
    assert entry.decoded("dtend") == stored.ends_dt.replace(microsecond=0)
    assert str(entry["url"]) == f"http://localhost/events/{event.id}"
    assert str(entry["location"]) == "Str. Ștefan cel Mare 1, Suceava"
    assert str(entry["status"]) == "CONFIRMED"
    assert str(entry["uid"]) == f"event-{event.id}@m100hub"


# --- the meeting link: confirmed people and organisers only --------------------------------------

VIEWERS = [
    ("anonymous", False),
    ("unconfirmed", False),
    ("another person", False),
    ("waitlisted", False),
    ("cancelled", False),
    ("confirmed", True),
    ("creator", True),
    ("co-organiser", True),
    ("admin", True),
]


@pytest.mark.parametrize(("viewer", "sees"), VIEWERS)
def test_the_meeting_link_is_only_for_confirmed_people_and_organisers(
    client, db, login_as, outbox, viewer, sees
):
    organiser, co = person("official"), person()
    event = ef.event(
        organiser, attendance="hybrid", online_url=LINK, capacity=1, co_organisers=[co]
    )
    holder = person()
    ef.register(holder, event)
    elsewhere = ef.event(organiser)
    who = {"creator": organiser, "co-organiser": co, "confirmed": holder}.get(viewer)
    if viewer in ("waitlisted", "cancelled", "another person"):
        who = person()
        ef.register(who, event if viewer != "another person" else elsewhere)
    if viewer == "cancelled":
        registering.cancel(who, event.id)
    if viewer == "admin":
        who = person("admin")
    if viewer == "unconfirmed":
        who = person("unconfirmed")
    if who is not None:
        login_as(user=who)
    else:
        db.session.commit()
    english(client)

    html = page(client.get(f"/events/{event.id}"))
    ics = unfolded(page(client.get(f"/events/{event.id}/event.ics")))
    assert (SECRET in html) is sees
    assert (SECRET in ics) is sees
    if not sees:
        assert "The link is shown to people with a confirmed place." in html
        for url in (
            "/events",
            "/events?when=past",
            "/events/calendar",
            "/events/mine",
            f"/events/{event.id}/ticket",
        ):
            assert SECRET not in page(client.get(url)), url
        assert all(SECRET not in mail_text(m) for m in outbox() if who and m["To"] == who.email)
    if viewer == "confirmed":  # (and the check above can see a link in an e-mail)
        assert any(SECRET in mail_text(m) for m in mails_to(outbox, who))
    if who is not None and not who.is_confirmed:  # no calendar address before confirming
        assert client.post("/events/calendar-feed").status_code == 403
        assert db.session.get(CalendarFeed, who.id) is None
    elif who is not None:  # their own calendar address too
        client.post("/events/calendar-feed")
        token = db.session.get(CalendarFeed, who.id).token
        feed = unfolded(page(client.get(f"/calendar/{token}.ics")))
        assert (SECRET in feed) is (viewer == "confirmed")


# --- my events ----------------------------------------------------------------------------------


def test_my_events_lists_upcoming_first_then_past_with_statuses(client, db, login_as):
    admin = person("admin")
    who = person()
    later = ef.event(admin, title="Atelier peste cinci zile", starts_in=timedelta(days=5))
    soon = ef.event(admin, title="Atelier peste două zile", starts_in=timedelta(days=2), capacity=1)
    dropped = ef.event(admin, title="Atelier la care am renunțat", starts_in=timedelta(days=1))
    past = ef.event(admin, title="Vizită de luna trecută", starts_in=timedelta(days=1))
    older = ef.event(admin, title="Vizită de anul trecut", starts_in=timedelta(days=1))
    called_off = ef.event(admin, title="Atelier anulat de organizator", starts_in=timedelta(days=3))
    ef.register(person(), soon)
    for event in (later, soon, dropped, past, older, called_off):
        ef.register(who, event)
    registering.cancel(who, dropped.id)
    ef.reschedule(past, timedelta(days=-30))
    ef.reschedule(older, timedelta(days=-300))
    services.cancel(admin, called_off, "Nu avem vorbitori.")
    ef.event(admin, title="Atelier al altcuiva")
    login_as(user=who)

    html = page(client.get("/events/mine"))

    titles = [
        "Atelier peste două zile",
        "Atelier anulat de organizator",
        "Atelier peste cinci zile",
        "Vizită de luna trecută",
        "Vizită de anul trecut",
    ]
    order = [html.index(t) for t in titles]
    assert order == sorted(order)
    assert "Atelier la care am renunțat" not in html and "Atelier al altcuiva" not in html
    cards = dict(zip(titles, html.split('<li class="card">')[1:], strict=True))
    assert "On the waiting list" in cards["Atelier peste două zile"]
    assert "Confirmed" in cards["Atelier peste cinci zile"]
    assert "the event is cancelled" in cards["Atelier anulat de organizator"]
    # a ticket only for a confirmed place at an upcoming event that goes ahead
    tickets = [t for t in titles if "/ticket" in cards[t]]
    assert tickets == ["Atelier peste cinci zile"]


def test_my_events_without_registrations_points_to_the_list(client, db, login_as):
    login_as("citizen", locale="en")
    html = page(client.get("/events/mine"))
    assert "You have not registered for any event yet." in html
    assert "Make my calendar address" in html and 'id="feed-url"' not in html


# --- permissions per role -----------------------------------------------------------------------

ORGANISER_ROUTES = [
    ("get", "/edit", None),
    ("post", "/edit", "form"),
    ("get", "/attendees", None),
    ("get", "/attendees.csv", None),
    ("post", "/message", {"message": "Salut tuturor"}),
    ("post", "/materials", {"materials": "Notițe noi"}),
    ("get", "/check-in", None),
    ("post", "/check-in", "code"),
    ("post", "/cancel", {"reason": "Nu mai putem."}),
]


def _organised(organiser=None):
    co = person()
    event = ef.event(organiser or person("official"), capacity=3, co_organisers=[co])
    guest = person()
    ticket = ef.register(guest, event)
    return event, co, guest, ticket


def _request(client, event, ticket, method, url, data):
    if data == "form":  # keeping the co-organisers
        data = edit_form(
            event,
            title="Titlu schimbat de altcineva",
            co_organisers=" ".join(f"@{u.handle}" for u in queries.co_organisers(event.id)),
        )
    elif data == "code":
        data = {"code": ticket.code}
    return getattr(client, method)(f"/events/{event.id}{url}", data=data)


@pytest.mark.parametrize(
    "role",
    [
        "unconfirmed",
        "citizen",
        "moderator",
        "registrant",
        "unrelated official",
        "unrelated organisation member",
    ],
)
def test_people_who_do_not_organise_this_event_get_403_and_nothing_written(
    client, db, login_as, role
):
    event, _co, guest, ticket = _organised()
    if role == "registrant":
        login_as(user=guest)
    elif role == "unrelated official":
        login_as("official")
    elif role == "unrelated organisation member":
        login_as(user=ef.organisation_member()[0])
    else:
        login_as(role)
    before = snapshot(db)
    for method, url, data in ORGANISER_ROUTES:
        response = _request(client, event, ticket, method, url, data)
        assert response.status_code == 403, (role, method, url, response.status_code)
        assert "name,organisation,sector" not in page(response)
        if role != "registrant":
            assert guest.display_name not in page(response)
    assert snapshot(db) == before
    html = page(client.get(f"/events/{event.id}"))
    assert f'href="/events/{event.id}/attendees"' not in html


def test_an_unconfirmed_co_organiser_may_not_write(client, db, login_as):
    """Like everybody else with an unconfirmed address (a forum author may not edit their own
    post either): no edits, messages, materials, check-ins or cancelling."""
    co = person("unconfirmed")
    event, _co, _guest, ticket = _organised()
    services.set_co_organisers(event, [co])
    login_as(user=co)
    before = snapshot(db)
    answers = {
        url: _request(client, event, ticket, method, url, data).status_code
        for method, url, data in ORGANISER_ROUTES
        if method == "post"
    }
    assert answers == dict.fromkeys(answers, 403)
    assert snapshot(db) == before


@pytest.mark.parametrize("role", ["creator", "co-organiser", "admin"])
def test_the_creator_co_organisers_and_admins_open_the_organiser_pages(client, db, login_as, role):
    organiser = person("official")
    event, co, guest, _ticket = _organised(organiser)
    login_as(user={"creator": organiser, "co-organiser": co}.get(role) or person("admin"))
    html = page(client.get(f"/events/{event.id}"))
    for url in ("attendees", "check-in", "edit"):
        assert f'href="/events/{event.id}/{url}"' in html, url
    for url in ("edit", "attendees", "check-in"):
        assert client.get(f"/events/{event.id}/{url}").status_code == 200, url
    response = client.get(f"/events/{event.id}/attendees.csv")
    assert response.status_code == 200 and guest.display_name in page(response)


def test_anonymous_writes_redirect_to_sign_in_and_write_nothing(client, db):
    event, _co, _guest, ticket = _organised()
    db.session.commit()
    before = snapshot(db)
    writes = [
        ("get", "/events/new", None),
        ("post", "/events/new", event_form()),
        ("post", f"/events/{event.id}/register", {}),
        ("post", f"/events/{event.id}/cancel-registration", {}),
        ("get", f"/events/{event.id}/ticket", None),
        ("get", f"/events/{event.id}/ticket.svg", None),
        ("get", "/events/mine", None),
        ("post", "/events/calendar-feed", {}),
        ("post", "/events/calendar-feed", {"revoke": "1"}),
    ]
    writes += [
        (
            method,
            f"/events/{event.id}{url}",
            edit_form(event)
            if data == "form"
            else {"code": ticket.code}
            if data == "code"
            else data,
        )
        for method, url, data in ORGANISER_ROUTES
    ]
    for method, url, data in writes:
        response = getattr(client, method)(url, data=data)
        assert redirects_to_login(response), (method, url, response.status_code)
        if method == "get":
            assert "next=" in response.headers["Location"]
    assert snapshot(db) == before
