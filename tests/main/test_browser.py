"""The home page as people see it, in Chromium: on a phone (375 px) and a desktop (1280 px),
signed out and signed in, in Romanian and English — nothing wider than the screen, every
target at least 24 × 24 px, zero axe violations (WCAG 2.2 AA) — and printed."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.support.browser import person, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WCAG_22_AA = {"runOnly": {"type": "tag", "values": [
    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
WIDTHS = (375, 1280)
#: a target's own box: buttons, fields, and links that are not words in a sentence (those
#: are exempt from WCAG 2.5.8, and axe's target-size rule checks their spacing)
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'a, button, input, select, textarea, summary')]
  .filter(e => e.offsetParent !== null)
  .filter(e => !(getComputedStyle(e).display === 'inline' && e.closest('p, li, dd, td')))
  .map(e => [e.outerHTML.slice(0, 90), e.getBoundingClientRect()])
  .filter(([_, r]) => r.width < 24 || r.height < 24)
  .map(([html, r]) => `${html} ${r.width}x${r.height}`)"""

_axe = Axe()


def check_home(page, language: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/")
        page.wait_for_load_state("load")
        expect(page.locator("html")).to_have_attribute("lang", language)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{width} px: {overflow} px wider than the screen"
        assert page.evaluate(SMALL_TARGETS) == [], f"{width} px"
        results = _axe.run(page, options=WCAG_22_AA)
        assert results.violations_count == 0, f"{width} px\n{results.generate_report()}"


@pytest.mark.parametrize(("locale", "language", "heading"), [
    ("ro-RO", "ro", "Consultări deschise"), ("en-GB", "en", "Open consultations")])
def test_a_visitor_sees_what_is_open_on_a_phone_and_a_desktop(browser, live, locale, language,
                                                              heading):
    context = browser.new_context(base_url=live.url, locale=locale)
    try:
        page = context.new_page()
        check_home(page, language)
        expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
        expect(page.locator(".figures li")).to_have_count(5)
        assert page.locator("link[rel=alternate][type='application/atom+xml']").count() == 2
    finally:
        context.close()


@pytest.mark.parametrize(("language", "heading"), [("ro", "Pentru tine"), ("en", "For you")])
def test_a_citizen_sees_what_awaits_them(browser, live, language, heading):
    email = "cetatean@m100.demo"
    context = browser.new_context(base_url=live.url, locale="ro-RO")
    try:
        page = context.new_page()

        class Visitor:  # sign_in's needs, without its WCAG 2.1 scan (this test scans 2.2)
            def __init__(self, page):
                self.page = page

            def goto(self, path):
                self.page.goto(path)

            def submit(self, locator):
                with self.page.expect_navigation():
                    locator.click()

        sign_in(Visitor(page), email, live.demo_passwords[email])
        # the account remembers its language (another test may have chosen English)
        if page.locator("html").get_attribute("lang") != language:
            with page.expect_navigation():
                page.get_by_role("button", name="English" if language == "en"
                                 else "Română").click()
        check_home(page, language)
        mine = page.locator("section.for-you")
        expect(mine.get_by_role("heading", level=2)).to_contain_text(heading)
        expect(mine.get_by_role("link", name="Suceava")).to_be_visible()
    finally:
        context.close()


def printed(page, links: bool = True) -> None:
    """The page as printed: content only, each link's address written after it."""
    page.emulate_media(media="print")
    expect(page.locator("header.site-header")).to_be_hidden()
    expect(page.locator("footer.site-footer")).to_be_hidden()
    expect(page.locator("main h1")).to_be_visible()
    assert page.locator("main form:visible, main button:visible").count() == 0
    if links:
        link = page.locator("main a[href^='/']:visible").first
        after = link.evaluate("e => getComputedStyle(e, '::after').content")
        assert after.startswith('" (/') and after.endswith(')"'), after
    page.emulate_media(media="screen")


def test_results_and_a_ticket_print_without_the_site_around_them(browser, live):
    context, visitor = person(browser, live, "cetatean@m100.demo")
    try:
        page = visitor.page
        page.goto("/")
        printed(page)
        with page.expect_navigation():
            page.locator("main a", has_text="Results:").first.click()
        expect(page.locator("main figure.chart").first).to_be_visible()
        printed(page, links=False)
        expect(page.locator("main figure.chart").first).to_be_visible()
        page.goto("/events/mine")
        with page.expect_navigation():
            page.locator("main a", has_text="Ticket").first.click()
        printed(page, links=False)
        expect(page.locator("main .ticket img")).to_be_visible()
        expect(page.locator("main .ticket-code")).to_be_visible()
    finally:
        context.close()
