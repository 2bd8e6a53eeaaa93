"""The open-data page in Chromium: the API's reference (Swagger UI from static/vendor/, no
CDN) draws every operation from the document; a person opens the events list with the
keyboard and runs it; axe (WCAG 2.2 AA) finds nothing, on a desktop and on a 375 px phone,
and nothing is wider than the phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import WCAG_22_AA, Visitor

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("width", [1280, 375])
def test_the_reference_lists_every_operation_and_runs_one(browser, live, width):
    context = browser.new_context(base_url=live.url, locale="en-GB",
                                  viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        outside: list[str] = []
        page.on("request", lambda r: outside.append(r.url)
                if not r.url.startswith(live.url) and not r.url.startswith("data:") else None)
        visitor = Visitor(page, WCAG_22_AA)
        page.goto("/open-data")
        expect(page.locator(".opblock")).to_have_count(25)  # 16 JSON, 9 CSV
        visitor.check()
        summary = page.locator(".opblock-summary-control", has_text="/api/v1/events").first
        summary.focus()
        page.keyboard.press("Enter")
        try_out = page.get_by_role("button", name="Try it out")
        try_out.focus()
        page.keyboard.press("Enter")
        page.get_by_role("button", name="Execute").click()
        expect(page.locator(".live-responses-table tbody .response-col_status").first
               ).to_contain_text("200")
        visitor.check()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert outside == []
    finally:
        context.close()
