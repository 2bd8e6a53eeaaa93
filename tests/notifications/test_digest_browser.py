"""In Chromium on a running hub (gunicorn, a Celery worker on Redis, aiosmtpd): a person
chooses the daily digest for organisers' messages, is replied to and told of a change to her
event, the digest arrives with those items, and its unsubscribe link works. axe (WCAG 2.2 AA)
on every page visited; the preferences page fits a 375 px wide phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import WCAG_22_AA, Visitor, sign_in
from tests.support.live import body_text
from tests.support.notifying import user_id

NOTIFY = """
from wsgi import app
from m100hub.database import commit
from m100hub.notifications.services import notify
with app.app_context():
    notify([{person}], "forum_reply", payload={{"person": "Ion Vecinu", "thread": "Piste noi",
                                                "post_id": 1}})
    notify([{person}], "event_message", payload={{"person": "Ana Org", "title": "Atelier solar",
                                                  "message": "Ne mutăm la ora 18", "event_id": 1}})
    commit()
"""
DIGEST_NOW = """
from wsgi import app
from sqlalchemy import text
from m100hub.database import commit
from m100hub.extensions import db
from m100hub.notifications import digests
with app.app_context():
    db.session.execute(text("UPDATE notifications SET created_dt = created_dt - interval '26 hours'"
                            " WHERE recipient_id = {person}"))
    commit()
    digests.queue_digests.delay()  # what the beat does each minute
"""


@pytest.mark.slow
def test_daily_digest_chosen_arrives_and_unsubscribes(browser, live):
    email, password = next(iter(live.demo_passwords.items()))
    person = user_id(live, email)
    context = browser.new_context(base_url=live.url, locale="en-GB")
    context.set_default_timeout(15000)
    try:
        visitor = Visitor(context.new_page(), WCAG_22_AA)
        sign_in(visitor, email, password)
        visitor.submit(visitor.page.get_by_role("button", name="English"))
        visitor.page.set_viewport_size({"width": 375, "height": 800})  # a phone
        visitor.goto("/notifications")
        visitor.submit(visitor.page.get_by_role("link", name="Notification preferences"))
        assert visitor.page.evaluate("document.documentElement.scrollWidth") <= 375
        organisers = visitor.page.get_by_label(
            "Messages and changes from organisers of events you attend")
        expect(organisers).to_have_value("immediate")  # the default for event changes
        organisers.select_option("daily")
        visitor.page.keyboard.press("Tab")
        visitor.submit(visitor.page.get_by_role("button", name="Save preferences"))
        expect(visitor.page.get_by_text("Your notification preferences are saved.")).to_be_visible()
        expect(organisers).to_have_value("daily")

        live.python(NOTIFY.format(person=person))
        live.python(DIGEST_NOW.format(person=person))
        message = live.mail.wait_for(email, timeout=60)
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        text = body_text(message)
        assert "Ion Vecinu replied in “Piste noi”" in text
        assert "Ne mutăm la ora 18" in text
        html = message.get_body(("html",)).get_content()
        assert f'href="{live.site}/' in html

        link = re.search(r"<(\S+)>", message["List-Unsubscribe"]).group(1)
        visitor.goto(link.removeprefix(live.site))  # the link, opened: only a question
        visitor.submit(visitor.page.get_by_role("button", name="Stop these e-mails"))
        expect(visitor.page.get_by_text("you will no longer receive these e-mails")).to_be_visible()
        visitor.goto("/notifications/preferences")
        expect(organisers).to_have_value("app")
        expect(visitor.page.get_by_label("Replies in threads you follow")).to_have_value("app")
    finally:
        context.close()
