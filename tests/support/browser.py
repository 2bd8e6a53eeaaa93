"""Browser helpers: an accessibility check (axe, WCAG 2.2 AA) on every page a test visits,
signing in, and a person of the demo data signed in in a browser context of their own."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
#: the WCAG 2.2 AA rules axe knows (2.2 adds the target size, 2.5.8): every scan's default
WCAG_22_AA = {"runOnly": {"type": "tag",
                          "values": [*WCAG_21_AA["runOnly"]["values"], "wcag22aa"]}}

_axe = Axe()


def assert_accessible(page, options: dict = WCAG_22_AA) -> None:
    results = _axe.run(page, options=options)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


class Visitor:
    """Wraps a Playwright page: scans each distinct page (by path) once, after it loads."""

    def __init__(self, page, options: dict = WCAG_21_AA):
        self.page = page
        self.options = options
        self.scanned: list[str] = []

    def check(self) -> None:
        self.page.wait_for_load_state("load")
        assert_accessible(self.page, self.options)
        self.scanned.append(self.page.url)

    def goto(self, path: str) -> None:
        self.page.goto(path)
        self.check()

    def submit(self, locator) -> None:
        with self.page.expect_navigation():
            locator.click()
        self.check()


def sign_in(visitor: Visitor, email: str, password: str) -> None:
    visitor.goto("/login")
    visitor.page.fill("#email", email)
    visitor.page.fill("#password", password)
    visitor.submit(visitor.page.locator("main button[type=submit]"))


def person(browser, live, email, options: dict = WCAG_21_AA):
    context = browser.new_context(base_url=live.url, locale="en-GB")
    visitor = Visitor(context.new_page(), options)
    sign_in(visitor, email, live.demo_passwords[email])
    visitor.submit(visitor.page.get_by_role("button", name="English"))
    return context, visitor
