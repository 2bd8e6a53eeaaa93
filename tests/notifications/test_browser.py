"""What a person sees in Chromium: the header's unread badge counts live, and catches up on
a notification written while Redis (the queue between the web processes) was down."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.support.browser import Visitor, sign_in
from tests.support.factories import PASSWORD
from tests.support.notifying import Admin, user_id


@pytest.mark.slow
def test_the_badge_shows_pushes_and_catches_up_after_redis_returns(
        browser, own_redis, hub_on_own_redis):
    stack = hub_on_own_redis(processes=2)
    first, second = stack.web_urls
    admin_email, person_email = (f"{who}-{uuid.uuid4().hex[:6]}@example.ro"
                                 for who in ("admin", "ioana"))
    for email in (admin_email, person_email):  # confirmed accounts (each told so: 1 unread)
        stack.flask("m100", "create-admin", email, "--password", PASSWORD)
    admin = Admin(first, admin_email, user_id(stack, person_email))
    context = browser.new_context(base_url=second, locale="en-GB")
    context.set_default_timeout(15000)
    try:
        visitor = Visitor(context.new_page())
        sign_in(visitor, person_email, PASSWORD)
        visitor.goto("/notifications")  # the centre lists; the badge stays as it was
        badge = visitor.page.locator("[data-live-notifications] [data-badge]")
        expect(badge).to_have_text("1")

        admin.notify()  # on the other process
        expect(badge).to_have_text("2")
        expect(visitor.page.locator("[data-live-notifications]")).to_have_attribute(
            "aria-label", "Notificări, necitite: 2")  # the account speaks Romanian

        own_redis.kill()
        admin.notify()  # its push is lost with Redis
        visitor.page.wait_for_timeout(1500)
        expect(badge).to_have_text("2")

        own_redis.start()
        expect(badge).to_have_text("3", timeout=10000)  # the page asked for its count
        admin.notify()
        expect(badge).to_have_text("4", timeout=5000)
        visitor.check()
    finally:
        context.close()
