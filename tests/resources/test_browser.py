"""The library as people use it, in Chromium, with an axe scan (WCAG 2.2 AA) of every page
visited: an NGO member suggests a funding call; the secretariat approves it; a Cluj official
finds it through the hub's search typed without diacritics, follows its sector and,
once the worker has run the reminder task, reads the reminder;
a Suceava official says Suceava wants to replicate a good practice of Cluj. The pages fit a
375 px wide phone."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.support.browser import WCAG_22_AA, person

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SEND = ("from celery_worker import celery\n"
        "celery.send_task('resources.send_deadline_reminders')\n")


def _deadline_in(days: int) -> str:
    moment = datetime.now(UTC) + timedelta(days=days)
    return moment.astimezone(ZoneInfo("Europe/Bucharest")).strftime("%Y-%m-%dT%H:%M")


def _fits_a_phone(visitor, path: str) -> None:
    visitor.page.set_viewport_size({"width": 375, "height": 800})
    visitor.goto(path)
    width = visitor.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{path} is {width}px wide"
    visitor.page.set_viewport_size({"width": 1280, "height": 900})


def _suggest(ngo, title: str) -> str:
    page = ngo.page
    ngo.goto("/funding")
    page.get_by_role("link", name="Suggest a funding call").click()
    ngo.check()
    page.fill("#title", title)
    page.fill("#programme", "LIFE")
    page.fill("#funder", "Comisia Europeană (CINEA)")
    page.fill("#summary", "Proiecte pentru **climă**.")
    page.fill("#amount_min", "100000")
    page.fill("#amount_max", "2000000")
    page.fill("#deadline_dt", _deadline_in(10))
    page.fill("#url", "https://cinea.ec.europa.eu/programmes/life_en")
    page.get_by_label("Agriculture").check()
    page.get_by_label("Municipalities").check()
    invalid = page.evaluate("[...document.querySelectorAll('main form :invalid')]"
                            ".map(e => e.id + ':' + e.validationMessage)")
    assert invalid == [], invalid
    ngo.submit(page.get_by_role("button", name="Send the suggestion"))
    expect(page.locator("main")).to_contain_text("the secretariat will review your suggestion")
    return page.url.rsplit("/", 1)[-1]


def test_a_call_is_suggested_approved_followed_and_reminded(browser, live):
    title = f"Agricultură urbană {uuid.uuid4().hex[:4]}"
    contexts = []
    try:
        ngo_ctx, ngo = person(browser, live, "ong@m100.demo", WCAG_22_AA)
        contexts.append(ngo_ctx)
        call_id = _suggest(ngo, title)

        admin_ctx, admin = person(browser, live, "admin@m100.demo", WCAG_22_AA)
        contexts.append(admin_ctx)
        admin.goto(f"/funding/{call_id}")
        admin.submit(admin.page.get_by_role("button", name="Approve and publish"))
        expect(admin.page.locator("main")).to_contain_text("It is published.")

        cluj_ctx, cluj = person(browser, live, "oficial.cluj@m100.demo", WCAG_22_AA)
        contexts.append(cluj_ctx)
        # the hub's search finds it typed without diacritics nor capitals
        cluj.goto("/search")
        cluj.page.get_by_label("Words to find").fill(title.lower().replace("ă", "a"))
        with cluj.page.expect_navigation():
            cluj.page.get_by_label("Words to find").press("Enter")
        cluj.check()
        expect(cluj.page.get_by_role("link", name=title)).to_be_visible()
        cluj.goto("/funding?sector=agriculture")
        expect(cluj.page.get_by_role("link", name=title)).to_be_visible()
        cluj.submit(cluj.page.get_by_role("button", name="Follow Agriculture"))
        expect(cluj.page.get_by_role("button", name="Stop following Agriculture")).to_be_visible()

        live.python(SEND)
        expected = f"Less than 14 days left to apply to “{title}”."
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            cluj.page.goto("/notifications")
            if expected in cluj.page.locator("main").inner_text():
                break
            time.sleep(0.5)
        cluj.check()
        expect(cluj.page.locator("main")).to_contain_text(expected)
        cluj.goto(f"/funding/{call_id}")
        expect(cluj.page.locator("h1")).to_contain_text(title)
        expect(cluj.page.get_by_role("button", name="Stop following Agriculture")).to_be_visible()

        suceava_ctx, suceava = person(browser, live, "oficial.suceava@m100.demo", WCAG_22_AA)
        contexts.append(suceava_ctx)
        suceava.goto("/resources?kind=good_practice")
        suceava.page.get_by_role("link", name="Bugetare participativă").first.click()
        suceava.check()
        suceava.submit(suceava.page.get_by_role("button", name="We want to replicate this"))
        expect(suceava.page.locator("#replications").locator("..")).to_contain_text("Suceava")

        _fits_a_phone(suceava, "/funding")
        _fits_a_phone(suceava, f"/funding/{call_id}")
        _fits_a_phone(suceava, "/resources")
        assert len(cluj.scanned) >= 4 and len(ngo.scanned) >= 4
    finally:
        for context in contexts:
            context.close()
