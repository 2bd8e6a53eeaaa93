"""Moderation as people live it, in Chromium, with an axe scan (WCAG 2.2 AA) of every page
visited: a report shows on the moderators' menu, hiding a thread's opening post keeps the
thread readable with a notice, its author and its reporter are told."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.support.browser import WCAG_22_AA, person

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_hiding_an_opening_post_keeps_the_thread_and_tells_the_author_and_the_reporter(
    browser, live
):
    title = f"Parcări în cartier {uuid.uuid4().hex[:4]}"
    contexts = []
    try:
        for email in ("cetatean@m100.demo", "ong@m100.demo", "firma@m100.demo",
                      "moderator@m100.demo"):
            context, visitor = person(browser, live, email, WCAG_22_AA)
            contexts.append((context, visitor))
        author, replier, reporter, moderator = (visitor for _, visitor in contexts)

        author.goto("/forums/c/transport/new")
        author.page.fill("#title", title)
        author.page.fill("#body", "Un text **jignitor** despre vecini.")
        author.submit(author.page.get_by_role("button", name="Publish"))
        thread_url = author.page.url
        replier.goto(thread_url)
        replier.page.fill("#body", "Hai să discutăm civilizat despre parcări.")
        replier.submit(replier.page.get_by_role("button", name="Post reply"))

        # A report reaches the moderators' menu.
        reporter.goto(thread_url)
        reporter.page.locator("#post-1").get_by_role("link", name=re.compile("Report")).click()
        reporter.check()
        reporter.page.get_by_label("Reason").fill("Jignește vecinii.")
        reporter.submit(reporter.page.get_by_role("button", name="Send the report"))
        moderator.goto("/forums")
        entry = moderator.page.get_by_role("link", name=re.compile(r"^Moderation"))
        expect(entry).to_have_text(re.compile(r"Moderation\s+\d+\s+waiting"))
        moderator.submit(entry)
        expect(moderator.page.locator("main")).to_contain_text("Jignește vecinii.")

        # Hiding says what it does, beside the public reason's field.
        moderator.goto(thread_url)
        opening = moderator.page.locator("#post-1")
        reason = opening.get_by_label(re.compile("Reason for hiding"))
        expect(reason).to_have_attribute("aria-describedby", "hide-warning")
        expect(moderator.page.locator("#hide-warning")).to_contain_text(
            "the thread and its replies stay readable")
        reason.fill("Limbaj jignitor")
        moderator.submit(opening.get_by_role("button", name="Hide"))

        # The thread stays readable, the hidden text replaced by the notice.
        replier.goto(thread_url)
        expect(replier.page.locator("h1")).to_have_text(title)
        expect(replier.page.locator("#post-1")).to_contain_text(
            "This post was hidden by a moderator: Limbaj jignitor")
        expect(replier.page.locator("#post-1")).not_to_contain_text("jignitor despre vecini")
        expect(replier.page.locator("#post-2")).to_contain_text("civilizat")

        # Its author and its reporter are told, with the public reason.
        author.goto("/notifications")
        expect(author.page.locator("main")).to_contain_text(
            f"A moderator hid your post in “{title}”. Public reason: Limbaj jignitor")
        reporter.goto("/notifications")
        told = reporter.page.get_by_role("button", name=re.compile("The post you reported"))
        expect(told).to_contain_text("was hidden. Public reason: Limbaj jignitor")
        reporter.submit(told)
        expect(reporter.page.locator("#post-1")).to_contain_text("hidden by a moderator")
    finally:
        for context, _visitor in contexts:
            context.close()
