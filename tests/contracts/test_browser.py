"""A city's contract as its official keeps it and a citizen follows it, in Chromium, with an
axe scan (WCAG 2.2 AA) of every page visited: the citizen follows Suceava's contract with the
keyboard; a Suceava official adds an action with its cost and two funding sources and posts
an update; the citizen is told, and the city page and the contract show the chart and the
investment totals."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.support.browser import person

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def press(visitor, locator) -> None:
    """Reach a button with the keyboard and press Enter (no mouse)."""
    locator.focus()
    with visitor.page.expect_navigation():
        visitor.page.keyboard.press("Enter")
    visitor.check()


def test_an_official_keeps_the_plan_and_a_follower_is_told(browser, live):
    title = f"Termoficare verde {uuid.uuid4().hex[:4]}"
    contexts = []
    try:
        citizen_ctx, citizen = person(browser, live, "cetatean@m100.demo")
        contexts.append(citizen_ctx)
        citizen.goto("/cities/suceava/contract")
        press(citizen, citizen.page.get_by_role("button", name="Follow the contract's actions"))
        expect(citizen.page.get_by_role("button", name="Stop following the contract")
               ).to_be_visible()

        official_ctx, official = person(browser, live, "oficial.suceava@m100.demo")
        contexts.append(official_ctx)
        page = official.page
        official.goto("/cities/suceava/contract")
        page.get_by_role("link", name="Add an action").click()
        official.check()
        page.select_option("#sector", "energy")
        page.fill("#title", title)
        page.fill("#description", "Racordarea a **2 000** de apartamente.")
        page.select_option("#status", "in_progress")
        page.fill("#starts_on", "2026-03-01")
        page.fill("#ends_on", "2028-12-31")
        page.fill("#expected_reduction", "4000")
        page.fill("#progress", "15")
        page.fill("#cost", "3000000")
        official.submit(page.get_by_role("button", name="Add the action"))
        expect(page.locator("h1")).to_have_text(title)

        for kind, programme, secured, sought in (("eu_programme", "Fondul pentru Modernizare",
                                                  "2000000", "500000"),
                                                 ("own_budget", "", "300000", "0")):
            page.select_option("#source_kind", kind)
            page.fill("#programme", programme)
            page.fill("#secured", secured)
            page.fill("#sought", sought)
            official.submit(page.get_by_role("button", name="Save the funding"))
        funding = page.locator("#funding").locator("..")
        expect(funding).to_contain_text("2,300,000 €")  # secured
        expect(funding).to_contain_text("700,000 €")  # the gap: 3 M less 2.3 M

        page.fill("#on_date", "2026-06-01")
        page.fill("#body", "Primele blocuri sunt racordate.")
        official.submit(page.get_by_role("button", name="Post the update"))
        expect(page.locator(".timeline")).to_contain_text("Primele blocuri sunt racordate.")

        citizen.goto("/notifications")
        expect(citizen.page.locator("main")).to_contain_text(
            f"Suceava posted an update on “{title}”.")

        citizen.goto("/cities/suceava")
        summary = citizen.page.locator("#contract-summary").locator("..")
        expect(summary).to_contain_text("Demo data, illustrative.")
        expect(summary).to_contain_text("still to finance")
        citizen.page.get_by_role("link", name="The whole contract").click()
        citizen.check()
        expect(citizen.page.locator("figure.trajectory svg")).to_be_visible()
        expect(citizen.page.locator("table.investment")).to_contain_text("Energy")
        expect(citizen.page.get_by_role("link", name=title)).to_be_visible()
        assert len(citizen.scanned) >= 5 and len(official.scanned) >= 6
    finally:
        for context in contexts:
            context.close()
