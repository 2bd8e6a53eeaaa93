"""A consultation's timeline and participation statistics as people see them, in Chromium,
with an axe scan (WCAG 2.2 AA, target size included) of every page visited: a citizen reaches
the statistics from the consultation with the keyboard, reads the same turnout there, sees the
chart drawn beside its table; on a phone (375 px) nothing is wider than the screen; the
published consultation's timeline marks its last step current and leads to the response."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import WCAG_22_AA, Visitor, person

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MOBILITY = "Planul de mobilitate urbană durabilă 2027–2030"
RENOVATION = "Renovarea energetică a clădirilor publice"
PHONE = {"width": 375, "height": 740}


def open_consultation(visitor: Visitor, title: str) -> None:
    visitor.goto("/consultations")
    visitor.submit(visitor.page.get_by_role("link", name=title))
    expect(visitor.page.locator("h1")).to_have_text(title)


def test_a_citizen_reads_the_timeline_and_the_participation(browser, live):
    context, maria = person(browser, live, "cetatean@m100.demo", WCAG_22_AA)
    try:
        page = maria.page
        open_consultation(maria, MOBILITY)
        current = page.locator('.timeline [aria-current="step"]')
        expect(current).to_have_count(1)
        expect(current.locator(".step-name")).to_have_text("Open")
        expect(current).to_contain_text("now")
        expect(page.locator(".timeline .step-done")).to_have_count(2)
        expect(page.locator(".timeline .step-upcoming .step-name")).to_have_text(
            ["Closed", "Results published"])
        voted = int(re.search(r"(\d+) (?:person has|people have) voted",
                              page.locator("dl.facts").inner_text()).group(1))
        assert voted > 0

        # by keyboard: focus the link, press Enter
        link = page.get_by_role("link", name="Participation statistics")
        link.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        maria.check()
        expect(page.locator("h1")).to_have_text("Participation")
        expect(page.locator("dl.stats-figures dd").first).to_have_text(str(voted))
        chart = page.locator("figure.sparkline svg")
        box = chart.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 20
        expect(page.locator("figure.sparkline polyline")).to_have_count(1)
        expect(page.locator("#days-caption")).to_have_text("Days with new participants")
        # every table row's "so far" ends at the turnout
        totals = page.locator("#days-caption + thead + tbody tr td:last-child").all_inner_texts()
        assert totals and totals[-1] == str(voted)
        expect(page.locator("#by-question-chart-caption")).to_be_visible()
        # no choice is shown: only counts of people
        for option in ("Centru – Gară", "Burdujeni – Centru"):
            expect(page.locator("main")).not_to_contain_text(option)
    finally:
        context.close()


def test_on_a_phone_and_after_publication(browser, live):
    context = browser.new_context(base_url=live.url, locale="ro-RO", viewport=PHONE)
    try:
        visitor = Visitor(context.new_page(), WCAG_22_AA)
        page = visitor.page
        visitor.goto("/consultations")
        visitor.submit(page.get_by_role("link", name=RENOVATION))
        current = page.locator('.timeline [aria-current="step"]')
        expect(current.locator(".step-name")).to_have_text("Rezultate publicate")
        expect(page.locator(".timeline .step-done")).to_have_count(4)
        expect(current).to_contain_text("Rezultatele și răspunsul oficial publicate pe")
        current.get_by_role("link", name="Citește răspunsul oficial").click()
        expect(page.locator("#response-title")).to_be_in_viewport()
        visitor.submit(page.get_by_role("link", name="Statistici de participare"))
        expect(page.locator("h1")).to_have_text("Participare")
        for path in (page.url, page.url.rsplit("/participation", 1)[0]):
            visitor.goto(path)
            width = page.evaluate("() => [document.documentElement.scrollWidth, "
                                  "document.documentElement.clientWidth]")
            assert width[0] <= width[1], (path, width)
    finally:
        context.close()
