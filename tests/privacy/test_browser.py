"""Privacy as a person meets it, in Chromium: signing up with the terms accepted, reading the
notice and the terms, their data, and deleting their account with the keyboard alone. Every
page is scanned with axe (WCAG 2.2 AA) and fits a 375 px wide phone."""

from __future__ import annotations

import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.support.browser import Visitor, person, sign_in
from tests.support.factories import PASSWORD
from tests.support.live import first_link

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WCAG_22_AA = {"runOnly": {"type": "tag", "values": [
    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}


def assert_wcag22(page) -> None:
    results = Axe().run(page, options=WCAG_22_AA)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def assert_fits_a_phone(page) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    wide = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 800})
    assert wide <= 375, f"{page.url} is {wide} px wide at 375 px"


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element is focused (as a keyboard user reaches it)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab on {page.url}")


def sign_up(person: Visitor, live, email: str) -> None:
    page = person.page
    person.goto("/signup")
    page.fill("#display_name", "Sorina Vlad")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.select_option("#sector", "citizen")
    person.submit(page.locator("main button[type=submit]"))  # the box is not ticked yet
    expect(page.locator("#accept-error")).to_be_visible()
    assert_wcag22(page)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.focus("#accept")
    page.keyboard.press("Space")
    person.submit(page.locator("main button[type=submit]"))
    expect(page.locator("main")).to_contain_text(email)
    person.goto(first_link(live.mail.wait_for(email)))
    person.submit(page.locator("main button[type=submit]"))  # confirming signs the person in
    expect(page.get_by_role("button", name="Ieși din cont")).to_be_attached()


def test_read_download_and_delete_by_keyboard(page, live):
    person = Visitor(page)
    email = f"sorina-{uuid.uuid4().hex[:6]}@example.ro"
    sign_up(person, live, email)

    for path, heading in (("/privacy", "Politica de confidențialitate"),
                          ("/terms", "Termeni de utilizare"),
                          ("/terms/accept", "Acceptă termenii de utilizare"),
                          ("/account/data", "Datele tale")):
        person.goto(path)
        expect(page.locator("h1")).to_have_text(heading)
        assert_wcag22(page)
        assert_fits_a_phone(page)
    expect(page.locator("main")).to_contain_text(email)  # their data, on the page
    with page.expect_download() as download:
        page.get_by_role("link", name="Descarcă în format JSON").click()
    assert download.value.suggested_filename.endswith(".json")

    person.goto("/account")
    tab_to(page, 'main a[href="/account/delete"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    person.check()
    assert_wcag22(page)
    assert_fits_a_phone(page)
    tab_to(page, "#password")
    page.keyboard.type("nu-este-parola-mea")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#password-error")).to_be_visible()
    person.check()
    page.focus("#password")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    person.check()
    expect(page.locator(".flashes")).to_contain_text("Contul tău a fost șters")
    expect(page.locator("header")).to_contain_text("Intră în cont")  # signed out

    sign_in(person, email, PASSWORD)  # the account is gone
    expect(page.locator("main")).to_contain_text("greșită")


def test_the_secretariats_deletion_page_is_accessible(browser, live):
    """The page is scanned, and a wrong address refused, without deleting anybody."""
    context, admin = person(browser, live, "admin@m100.demo")
    try:
        page = admin.page
        admin.goto("/admin/people?q=cetatean%40m100.demo")
        with page.expect_navigation():
            page.get_by_role("link", name="Delete account").first.click()
        admin.check()
        expect(page.locator("h1")).to_have_text("Delete an account on request")
        assert_wcag22(page)
        page.fill("#email", "altcineva@example.ro")
        admin.submit(page.get_by_role("button", name="Delete this account"))
        expect(page.locator("#email-error")).to_be_visible()
        assert_wcag22(page)
        assert_fits_a_phone(page)
    finally:
        context.close()
