"""An event as people organise it and register, in Chromium, with an axe scan of every page
visited: capacity 2, three registrations (the third waits), a cancellation promotes the
third, the calendar file downloads, the organiser checks a person in by code."""

from __future__ import annotations

import io
import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from icalendar import Calendar
from PIL import Image
from playwright.sync_api import expect

from tests.support.browser import WCAG_22_AA, Visitor, person

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BUCHAREST = ZoneInfo("Europe/Bucharest")


def local(delta: timedelta) -> str:
    return (datetime.now(BUCHAREST) + delta).strftime("%Y-%m-%dT%H:%M")


def create_workshop(organiser: Visitor, title: str) -> str:
    page = organiser.page
    organiser.goto("/events")
    page.get_by_role("link", name="New event").click()
    organiser.check()
    page.select_option("#kind", "workshop")
    page.fill("#title", title)
    page.fill("#description", "Cum pornim o **comunitate de energie** în cartier.")
    page.select_option("#city_id", label="Suceava")
    page.get_by_label("Energy").check()
    page.fill("#starts_at", local(timedelta(days=3)))
    page.fill("#ends_at", local(timedelta(days=3, hours=2)))
    page.select_option("#attendance", "hybrid")
    page.fill("#address", "Primăria Suceava, sala mare")
    page.fill("#online_url", "https://meet.example.ro/atelier-energie")
    page.fill("#capacity", "2")
    organiser.submit(page.get_by_role("button", name="Publish the event"))
    expect(page.locator("h1")).to_have_text(title)
    return page.url


def register(visitor: Visitor, url: str, button: str) -> None:
    visitor.goto(url)
    visitor.submit(visitor.page.get_by_role("button", name=button))


def test_capacity_waitlist_promotion_calendar_and_check_in(browser, live):
    title = f"Atelier: energie în cartier {uuid.uuid4().hex[:4]}"
    contexts = []
    try:
        organiser_ctx, organiser = person(browser, live, "oficial.suceava@m100.demo")
        contexts.append(organiser_ctx)
        people = []
        for email in ("cetatean@m100.demo", "ong@m100.demo", "firma@m100.demo"):
            context, visitor = person(browser, live, email)
            contexts.append(context)
            people.append(visitor)
        url = create_workshop(organiser, title)

        maria, radu, cristina = people
        register(maria, url, "Register")
        expect(maria.page.locator(".registration")).to_contain_text("You have a place.")
        expect(maria.page.locator("main")).to_contain_text("atelier-energie")
        register(radu, url, "Register")
        register(cristina, url, "Join the waiting list")
        expect(cristina.page.locator(".registration")).to_contain_text(
            "number 1 on the waiting list")
        expect(cristina.page.locator("main")).not_to_contain_text("atelier-energie")

        # One cancels (and confirms): the first on the waiting list gets the place and is told.
        maria.page.get_by_role("link", name="Cancel my registration…").click()
        maria.check()
        maria.submit(maria.page.get_by_role("button", name="Yes, cancel my registration"))
        cristina.goto("/notifications")
        expect(cristina.page.locator("main")).to_contain_text("moved up from the waiting list")
        cristina.goto(url)
        expect(cristina.page.locator(".registration")).to_contain_text("You have a place.")
        with cristina.page.expect_download() as download:
            cristina.page.get_by_role("link", name=re.compile("Add to my calendar")).click()
        with open(download.value.path(), "rb") as handle:
            entry = next(iter(Calendar.from_ical(handle.read()).walk("VEVENT")))
        assert str(entry["summary"]) == title
        assert "atelier-energie" in str(entry["location"])
        cristina.page.get_by_role("link", name="Your ticket").click()
        cristina.check()
        code = cristina.page.locator(".ticket-code").inner_text()
        expect(cristina.page.locator(".ticket img")).to_be_visible()

        # The organiser checks her in by the code.
        organiser.goto(url)
        organiser.page.get_by_role("link", name="Check-in").first.click()
        organiser.check()
        organiser.page.fill("#code", code)
        organiser.submit(organiser.page.get_by_role("button", name="Check in"))
        expect(organiser.page.locator("main")).to_contain_text("is checked in")
        organiser.goto(url + "/attendees")
        expect(organiser.page.locator("table")).to_contain_text("Cancelled")
    finally:
        for context in contexts:
            context.close()


def tab_to(visitor: Visitor, name: str, limit: int = 80) -> None:
    """Press Tab until the focus is on the link or button named ``name`` (keyboard only)."""
    for _ in range(limit):
        visitor.page.keyboard.press("Tab")
        focused = visitor.page.evaluate(
            "() => (document.activeElement.innerText || '').trim()")
        if focused == name:
            return
    raise AssertionError(f"{name!r} cannot be reached with the Tab key")


def test_the_ticket_shows_a_qr_code_of_the_check_in_address_and_giving_up_the_place_asks_first(
    browser, live
):
    title = f"Atelier: bilete cu cod QR {uuid.uuid4().hex[:4]}"
    contexts = []
    try:
        organiser_ctx, organiser = person(browser, live, "oficial.suceava@m100.demo", WCAG_22_AA)
        guest_ctx, guest = person(browser, live, "cetatean@m100.demo", WCAG_22_AA)
        contexts += [organiser_ctx, guest_ctx]
        url = create_workshop(organiser, title)
        event_id = url.rstrip("/").rsplit("/", 1)[-1]
        register(guest, url, "Register")

        # The ticket's QR code is drawn (a broken image has no natural size) and reads back
        # as the organisers' check-in address with the ticket's code.
        guest.page.get_by_role("link", name="Your ticket").click()
        guest.check()
        code = guest.page.locator(".ticket-code").inner_text()
        image = guest.page.locator(".ticket img")
        expect(image).to_be_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0 "
                              "&& img.naturalHeight > 0")
        box = image.bounding_box()
        assert box["width"] >= 200 and box["height"] >= 200
        found = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.screenshot())))
        assert [f.text for f in found] == [f"{live.url}/events/{event_id}/check-in?code={code}"]

        # Giving up the place asks first, with the keyboard alone; "no" keeps it.
        guest.goto(url)
        tab_to(guest, "Cancel my registration…")
        with guest.page.expect_navigation():
            guest.page.keyboard.press("Enter")
        guest.check()
        expect(guest.page.locator("h1")).to_have_text("Cancel your registration?")
        expect(guest.page.locator("main")).to_contain_text("Your ticket will stop working")
        guest.submit(guest.page.get_by_role("link", name="No, keep my place"))
        expect(guest.page.locator(".registration")).to_contain_text("You have a place.")

        guest.goto(url + "/cancel-registration")
        tab_to(guest, "Yes, cancel my registration")
        with guest.page.expect_navigation():
            guest.page.keyboard.press("Enter")
        guest.check()
        expect(guest.page.locator("main")).to_contain_text("Your registration is cancelled.")
        expect(guest.page.locator(".registration")).not_to_contain_text("You have a place.")
        assert guest.page.goto(f"{url}/ticket").status == 404
    finally:
        for context in contexts:
            context.close()
