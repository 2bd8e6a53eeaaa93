""""You said, we did" in Chromium, with an axe scan (WCAG 2.2 AA) of every page visited, at
375 px for the citizen: a citizen of Suceava comments on its consultation with the keyboard;
a Suceava official links the consultation to an action of the contract with a public
explanation, then marks the action done; the citizen is told of both, opens the notice with
the keyboard and reads the link on the action page, "this led to…" on the consultation and
"you said, we did" on the city page; then the national page compares one sector."""

from __future__ import annotations

import time
import uuid

import pytest
from playwright.sync_api import expect

from tests.support.browser import WCAG_22_AA, person

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CONSULTATION = "Planul de mobilitate urbană durabilă 2027–2030"
ACTION = "Autobuze electrice și stații de încărcare"
WHY = "Traseele noi urmează ce ați votat și comentat."


def press(visitor, locator) -> None:
    """Reach a control with the keyboard and press Enter (no mouse)."""
    locator.focus()
    with visitor.page.expect_navigation():
        visitor.page.keyboard.press("Enter")
    visitor.check()


def fits_a_phone(visitor) -> None:
    """No page wider than the phone (the targets' 24 px: axe's WCAG 2.2 target-size rule)."""
    page = visitor.page
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, page.url


def until_told(visitor, text: str) -> None:
    """The fan-out runs in the Celery worker (shared by the live tests, so it may still be
    busy with an earlier test's tasks): reload the notifications until it has, a minute at
    most."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        visitor.goto("/notifications")
        if text in visitor.page.locator("main").inner_text():
            return
        visitor.page.wait_for_timeout(500)
    raise AssertionError(f"never told: {text}")


def test_an_official_links_what_people_said_and_they_are_told(browser, live):
    comment = f"Vrem autobuze pe strada Universității ({uuid.uuid4().hex[:4]})."
    contexts = []
    try:
        citizen_ctx, citizen = person(browser, live, "cetatean@m100.demo", WCAG_22_AA)
        contexts.append(citizen_ctx)
        citizen.page.set_viewport_size({"width": 375, "height": 800})
        # the live stack is shared: an earlier test may have had this citizen follow the
        # city's contract, and a follower is told of a status change as a follower
        citizen.goto("/cities/suceava/contract")
        stop = citizen.page.get_by_role("button", name="Stop following the contract")
        if stop.count():
            with citizen.page.expect_navigation():
                stop.click()
        citizen.goto("/consultations")
        press(citizen, citizen.page.get_by_role("link", name=CONSULTATION))
        citizen.page.locator("#body").focus()
        citizen.page.keyboard.type(comment)
        citizen.page.keyboard.press("Tab")
        with citizen.page.expect_navigation():
            citizen.page.keyboard.press("Enter")
        citizen.check()
        expect(citizen.page.locator("#comments")).to_contain_text(comment)

        official_ctx, official = person(browser, live, "oficial.suceava@m100.demo",
                                        WCAG_22_AA)
        contexts.append(official_ctx)
        page = official.page
        official.goto("/cities/suceava/contract")
        page.get_by_role("link", name=ACTION).click()
        official.check()
        expect(page.locator("#said").locator("..")).to_contain_text("Nothing linked yet")
        page.get_by_label("Consultation, proposal or discussion").select_option(label=CONSULTATION)
        page.fill("#explanation", WHY)
        official.submit(page.get_by_role("button", name="Link it"))
        said = page.locator("#said").locator("..")
        expect(said).to_contain_text(CONSULTATION)
        expect(said).to_contain_text(WHY)

        until_told(citizen, f"You said, Suceava did: “{CONSULTATION}” informed the action "
                            f"“{ACTION}”.")
        fits_a_phone(citizen)
        press(citizen, citizen.page.get_by_role("button", name="You said, Suceava did").first)
        expect(citizen.page.locator("h1")).to_have_text(ACTION)
        expect(citizen.page.locator("#said").locator("..")).to_contain_text(WHY)
        fits_a_phone(citizen)
        press(citizen, citizen.page.locator("#said").locator("..").get_by_role(
            "link", name=CONSULTATION))
        led_to = citizen.page.locator("#led-to").locator("..")
        expect(led_to).to_contain_text(ACTION)
        expect(led_to).to_contain_text(WHY)
        fits_a_phone(citizen)

        page.get_by_role("link", name="Edit the action").click()
        official.check()
        page.select_option("#status", "done")
        page.fill("#progress", "100")
        official.submit(page.get_by_role("button", name="Save", exact=True))
        until_told(citizen, f"“{ACTION}” in Suceava, which what you took part in informed, "
                            "is now: Done.")

        citizen.goto("/cities/suceava")
        you_said = citizen.page.locator("#you-said").locator("..")
        expect(you_said).to_contain_text(CONSULTATION)
        expect(you_said).to_contain_text(ACTION)
        fits_a_phone(citizen)

        # the national page, one sector compared across cities: chart and table beside it
        citizen.goto("/contracts?sector=transport")
        expect(citizen.page.locator("table.per-sector")).to_contain_text("Brașov")
        expect(citizen.page.locator("figure.bars svg")).to_be_visible()
        fits_a_phone(citizen)
        assert len(citizen.scanned) >= 8 and len(official.scanned) >= 5
    finally:
        for context in contexts:
            context.close()
