"""Events over HTTP as readers find them: the list and its filters, the month calendar, the
event page, calendar files and "my events".

Reminders and the calendar feed: test_tasks.py. SQL per page: test_query_counts.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from m100hub.database import utcnow
from m100hub.events import registration as registering
from m100hub.events import services
from m100hub.events.models import CalendarFeed
from m100hub.events.queries import PER_PAGE
from tests.support import event_factories as ef
from tests.support.events import (
    BUCHAREST,
    LINK,
    SECRET,
    english,
    event_form,
    fresh,
    only_entry,
    page,
    person,
    snapshot,
)

HUGE_IDS = ["999999", "0", "-1", "2147483648", "99999999999999999999", "abc"]


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


def test_the_calendar_files_description_is_text_not_markdown(client, db, login_as):
    event = ef.event(description="Cum pornim o **comunitate de energie** în "
                                 "[cartier](https://x.ro).\n\n- pași\n- *idei*")
    who = person()
    ef.register(who, event)
    db.session.commit()
    expected = ("Cum pornim o comunitate de energie în cartier.\n\npași\nidei\n\n"
                f"http://localhost/events/{event.id}")

    entry = only_entry(Calendar.from_ical(client.get(f"/events/{event.id}/event.ics").data))
    assert str(entry["description"]) == expected
    login_as(user=who)
    client.post("/events/calendar-feed")
    token = db.session.scalar(select(CalendarFeed.token).where(CalendarFeed.user_id == who.id))
    feed = Calendar.from_ical(client.get(f"/calendar/{token}.ics").data)
    assert [str(e["description"]) for e in feed.walk("VEVENT")] == [expected]


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
