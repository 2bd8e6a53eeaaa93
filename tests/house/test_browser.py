"""The foundation as a person uses it, in Chromium, with an axe scan of every page visited."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.support.browser import Visitor, sign_in
from tests.support.factories import PASSWORD
from tests.support.live import first_link

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TOWN_HALL = "Primăria Municipiului Suceava"


def test_sign_up_confirm_join_a_municipality_and_be_notified(page, browser, live):
    email = f"elena-{uuid.uuid4().hex[:6]}@example.ro"
    person = Visitor(page)

    person.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "ro")
    for city in ("Cluj-Napoca", "București Sector 2", "Suceava"):
        expect(page.get_by_role("link", name=city).first).to_be_visible()

    person.goto("/signup")
    page.fill("#display_name", "Elena Vasilescu")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.select_option("#sector", "citizen")
    page.select_option("#home_city_id", label="Suceava")
    page.check("#accept")
    person.submit(page.locator("main button[type=submit]"))
    expect(page.locator("main")).to_contain_text(email)

    link = first_link(live.mail.wait_for(email))
    person.goto(link)
    # confirming signs her in: no second step
    person.submit(page.locator("main button[type=submit]"))
    assert page.url == live.url + "/"
    expect(page.locator("header")).to_contain_text("Elena Vasilescu")

    person.submit(page.get_by_role("button", name="English"))
    expect(page.locator("html")).to_have_attribute("lang", "en")

    person.goto("/organisations")
    page.get_by_role("link", name=TOWN_HALL).click()
    person.check()
    person.submit(page.get_by_role("button", name="Ask to join"))
    expect(page.locator("main")).to_contain_text("Your request to join is awaiting verification")

    approve_as_admin(browser, live, "Elena Vasilescu")

    # The open page learns of the decision through Socket.IO, without a reload.
    badge = page.locator("[data-badge]")
    expect(badge).to_have_text("1", timeout=15000)
    expect(badge).to_be_visible()

    person.goto("/notifications")
    notification = page.get_by_role("button", name=re.compile("has been verified"))
    expect(notification).to_contain_text(TOWN_HALL)
    person.submit(notification)
    expect(page.locator("main")).to_contain_text("You are a verified member of this organisation")
    expect(page.locator("[data-badge]")).to_be_hidden()

    person.submit(page.get_by_role("button", name="Sign out"))
    expect(page.locator("header")).to_contain_text("Sign in")
    assert len(person.scanned) >= 9


def approve_as_admin(browser, live, name: str) -> None:
    admin_email = f"sec-{uuid.uuid4().hex[:6]}@example.ro"
    live.flask("m100", "create-admin", admin_email, "--password", PASSWORD)
    context = browser.new_context(base_url=live.url, locale="ro-RO")
    try:
        admin = Visitor(context.new_page())
        sign_in(admin, admin_email, PASSWORD)
        admin.goto("/terms/accept")  # an account made on the command line accepts them first
        admin.page.get_by_label("Accept termenii de utilizare").check()
        admin.submit(admin.page.get_by_role("button", name="Accept și continui"))
        admin.goto("/admin/verification")
        item = admin.page.locator("li.card", has_text=name)
        item.get_by_label("Aprobă").check()
        admin.submit(item.get_by_role("button"))
        expect(admin.page.locator(".flashes")).to_contain_text(name)
        admin.goto("/activity")
        expect(admin.page.locator("main")).to_contain_text(name)
    finally:
        context.close()
