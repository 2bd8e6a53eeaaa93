"""A bounce as the person and the secretariat meet it, in Chromium on the live hub: the
operator feeds a bounce report in (`flask m100 bounce`), the admins see the address on
/admin/mail, the person sees the notice on their account page, asks for a confirmation link
with the keyboard, and confirming clears the bounce. Pages scanned with axe (WCAG 2.2 AA,
which checks 24 px targets) and fit a 375 px phone."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.support.browser import WCAG_22_AA, Visitor, person
from tests.support.live import first_link, sign_up

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def assert_fits_a_phone(page) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    wide = page.evaluate("document.documentElement.scrollWidth")
    button = page.get_by_role("button", name="Send me a confirmation link")
    box = button.bounding_box() if button.count() else None
    page.set_viewport_size({"width": 1280, "height": 800})
    assert wide <= 375, f"{page.url} is {wide} px wide at 375 px"
    assert box is None or (box["width"] >= 24 and box["height"] >= 24), box


def confirm_by_link(visitor: Visitor, link: str) -> None:
    visitor.goto(link)
    visitor.submit(visitor.page.locator("main button[type=submit]"))


def test_a_bouncing_address_is_shown_and_confirming_it_again_clears_it(browser, live):
    email = f"bounce-{uuid.uuid4().hex[:8]}@example.ro"
    sign_up(live, email, name="Sorina Vlad")  # English, through the hub's sign-up
    context = browser.new_context(base_url=live.url, locale="en-GB")
    context.set_default_timeout(15000)
    sorina = Visitor(context.new_page(), WCAG_22_AA)
    confirm_by_link(sorina, first_link(live.mail.wait_for(email)))  # signs her in

    printed = live.flask("m100", "bounce", email, "--reason", "5.1.1 mailbox unavailable")
    assert "its account" in printed

    admin_context, admin = person(browser, live, "admin@m100.demo", WCAG_22_AA)
    admin.goto("/admin/mail")
    row = admin.page.locator("tr", has_text=email)
    expect(row).to_contain_text("5.1.1 mailbox unavailable")
    assert_fits_a_phone(admin.page)

    sorina.goto("/account")
    notice = sorina.page.get_by_role("region", name="Our e-mails to you bounce")
    expect(notice).to_be_visible()
    assert_fits_a_phone(sorina.page)
    sorina.page.get_by_role("button", name="Send me a confirmation link").focus()
    with sorina.page.expect_navigation():
        sorina.page.keyboard.press("Enter")
    sorina.check()
    expect(sorina.page.locator("main")).to_contain_text("We sent you a new confirmation link.")

    confirm_by_link(sorina, first_link(live.mail.wait_for(email)))
    sorina.goto("/account")
    expect(sorina.page.get_by_role("region", name="Our e-mails to you bounce")).to_have_count(0)
    admin.goto("/admin/mail")
    expect(admin.page.locator("main")).not_to_contain_text(email)
    admin_context.close()
    context.close()
