"""The meeting link's secrecy (confirmed people and organisers only) and permissions per
role on every organiser route: 403 or a sign-in redirect, and nothing written."""

from __future__ import annotations

import pytest

from m100hub.events import queries, services
from m100hub.events import registration as registering
from m100hub.events.models import CalendarFeed
from tests.support import event_factories as ef
from tests.support.events import (
    LINK,
    SECRET,
    edit_form,
    english,
    event_form,
    mails_to,
    page,
    person,
    snapshot,
)


def redirects_to_login(response) -> bool:
    return response.status_code in (302, 303) and "/login" in response.headers["Location"]


def mail_text(message) -> str:
    """Every text part of an e-mail, decoded (bodies and the calendar file, unfolded)."""
    return "\n".join(
        unfolded(part.get_content())
        for part in message.walk()
        if part.get_content_maintype() == "text"
    )


def unfolded(ics: str) -> str:
    """Calendar text with its long lines joined again (RFC 5545 folds them at 75 octets)."""
    return ics.replace("\r\n ", "")


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
