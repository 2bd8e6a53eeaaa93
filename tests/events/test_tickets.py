"""Tickets with a QR code of the check-in code, and checking people in by code."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest
import segno

from m100hub.events import registration as registering
from tests.support import event_factories as ef
from tests.support.events import fresh, page, person, registration_of, snapshot

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
    # a document of its own: without the SVG namespace a browser's <img> shows a broken image
    drawing = ElementTree.fromstring(response.data)  # noqa: S314 (our own response)
    assert drawing.tag == "{http://www.w3.org/2000/svg}svg"
    size = drawing.get("width")
    assert size == drawing.get("height") and drawing.get("viewBox") == f"0 0 {size} {size}"
    target = f"http://localhost/events/{event.id}/check-in?code={mine.code}"
    assert modules_of(page(response)) == modules_of(qr_of(target))
    other = f"http://localhost/events/{event.id}/check-in?code=ZZZZ2222"
    assert modules_of(page(response)) != modules_of(qr_of(other))


def qr_of(text: str) -> str:
    return segno.make(text, error="m").svg_inline(border=2)


def modules_of(svg: str) -> str:
    """The path that draws the dark modules (what a scanner reads), whatever the framing."""
    return re.search(r'class="qrline"[^>]* d="([^"]+)"', svg).group(1)


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
