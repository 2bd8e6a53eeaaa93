"""Experts in Chromium, with an axe scan (WCAG 2.2 AA) of every page visited: a citizen
offers her expertise; a Suceava official asks experts for help; she answers; the official
marks that she helped and she is told; the search finds the request without diacritics."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.support.browser import WCAG_22_AA, person

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_expert_helps_a_city_that_asked(browser, live):
    tag = uuid.uuid4().hex[:4]
    title = f"Audit energetic pentru clădiri școlare {tag}"
    contexts = []
    try:
        expert_ctx, expert = person(browser, live, "cetatean@m100.demo", WCAG_22_AA)
        contexts.append(expert_ctx)
        page = expert.page
        expert.goto("/experts")
        page.get_by_role("link", name="Offer your expertise").click()
        expert.check()
        page.fill("#headline", f"Inginer constructor, renovări {tag}")
        page.check("input[name=sectors][value=buildings]")
        page.fill("#topics", "eficiență energetică, reabilitare termică")
        page.check("input[name=languages][value=ro]")
        page.check("#all_cities")
        page.fill("#bio", "Am coordonat **renovarea** a 20 de școli.")
        expert.submit(page.get_by_role("button", name="Save my profile"))
        expect(page.locator("h1")).to_have_text("Maria Popescu")
        expert.goto("/experts?topic=eficienta+energetica")
        expect(page.locator("main").get_by_role("link", name="Maria Popescu")).to_be_visible()

        official_ctx, official = person(browser, live, "oficial.suceava@m100.demo", WCAG_22_AA)
        contexts.append(official_ctx)
        desk = official.page
        official.goto("/experts/requests")
        desk.get_by_role("link", name="Ask experts for help").click()
        official.check()
        desk.fill("#title", title)
        desk.fill("#body", "Avem **12 școli** de renovat până în 2028.")
        desk.check("input[name=sectors][value=buildings]")
        desk.fill("#needed_by", "2030-06-30")
        official.submit(desk.get_by_role("button", name="Post the request"))
        expect(desk.locator("h1")).to_have_text(title)
        request_url = desk.url

        expert.page.goto(request_url)
        expert.check()
        page.fill("#body", "Pot face auditul celor 12 școli.")
        expert.submit(page.get_by_role("button", name="Send my answer"))
        expect(page.locator("#answers")).to_contain_text("Answers (1)")

        official.goto("/notifications")
        expect(desk.locator("main")).to_contain_text(
            f"Maria Popescu offered to help with “{title}”.")
        desk.goto(request_url)
        official.check()
        button = desk.get_by_role("button", name="Mark that Maria Popescu helped")
        button.focus()
        with desk.expect_navigation():
            desk.keyboard.press("Enter")  # with the keyboard
        official.check()
        expect(desk.locator(".answer-list")).to_contain_text("Helped the city")

        expert.goto("/notifications")
        expect(page.locator("main")).to_contain_text(
            f"The city marked that you helped with “{title}”. Thank you!")

        # the search box of the header, without diacritics
        page.fill("#header-q", f"cladiri scolare {tag}")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expert.check()
        expect(page.locator(".search-results")).to_contain_text("Requests for expertise")
        page.locator(".search-results a").first.click()
        expert.check()
        expect(page.locator("h1")).to_have_text(title)

        # on a phone: the directory and the search fit 375 px
        phone = expert_ctx.new_page()
        phone.set_viewport_size({"width": 375, "height": 800})
        for path in ("/experts", "/experts/requests", f"/search?q=cladiri+{tag}"):
            phone.goto(live.url + path)
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, (path, width)
        assert len(expert.scanned) >= 7 and len(official.scanned) >= 5
    finally:
        for context in contexts:
            context.close()
