"""The forums as people use them, in Chromium, with an axe scan of every page visited."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.support.browser import person

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_thread_reply_mention_like_moderation_and_search(browser, live):
    title = f"Renovarea clădirilor din Suceava {uuid.uuid4().hex[:4]}"
    maria_ctx, maria = person(browser, live, "cetatean@m100.demo")
    radu_ctx, radu = person(browser, live, "ong@m100.demo")
    mod_ctx, moderator = person(browser, live, "moderator@m100.demo")
    try:
        # A citizen starts a thread in the Buildings category.
        maria.goto("/forums")
        maria.page.get_by_role("link", name="Buildings").click()
        maria.check()
        maria.page.get_by_role("link", name="Start a thread").click()
        maria.check()
        maria.page.fill("#title", title)
        maria.page.fill("#body", "Ce **soluții** aveți pentru blocurile vechi?")
        maria.page.fill("#tags", "renovare")
        maria.submit(maria.page.get_by_role("button", name="Preview"))
        expect(maria.page.locator(".preview strong")).to_have_text("soluții")
        maria.submit(maria.page.get_by_role("button", name="Publish"))
        expect(maria.page.locator("h1")).to_have_text(title)
        thread_url = maria.page.url

        # A second person replies and mentions her.
        radu.goto(thread_url)
        radu.page.fill("#body", "@maria.popescu izolația termică și panourile solare!")
        radu.submit(radu.page.get_by_role("button", name="Post reply"))
        expect(radu.page.locator("#post-2 a.mention")).to_have_text("@maria.popescu")

        # She sees the notification and likes the reply.
        maria.goto("/notifications")
        mention = maria.page.get_by_role("button", name=re.compile("mentioned you"))
        expect(mention).to_contain_text(title)
        maria.submit(mention)
        expect(maria.page.locator("#post-2")).to_be_visible()
        maria.submit(maria.page.locator("#post-2").get_by_role("button", name=re.compile("Like")))
        expect(maria.page.locator("#post-2")).to_contain_text("1 like")

        # A moderator hides the reply with a public reason.
        moderator.goto(thread_url)
        post = moderator.page.locator("#post-2")
        post.get_by_label(re.compile("Reason for hiding")).fill("Publicitate")
        moderator.submit(post.get_by_role("button", name="Hide"))
        radu_view = radu.page
        radu.goto(thread_url)
        expect(radu_view.locator("#post-2")).to_contain_text(
            "This post was hidden by a moderator: Publicitate")
        moderator.goto("/activity")
        expect(moderator.page.locator("main")).to_contain_text("Publicitate")

        # The search finds the thread without diacritics.
        maria.goto("/forums/search?q=cladirilor+suceava")
        result = maria.page.locator(".search-results li").first
        expect(result).to_contain_text(title)
        expect(result.locator("mark").first).to_be_visible()
    finally:
        for context in (maria_ctx, radu_ctx, mod_ctx):
            context.close()


def test_double_clicking_post_reply_makes_one_post(browser, live):
    """A double click sends the reply form twice (the second click while the first request is
    under way): its one-time key makes that one post, and the page lands on it."""
    title = f"Dublu clic {uuid.uuid4().hex[:6]}"
    text = f"Un singur răspuns, oricâte clicuri {uuid.uuid4().hex[:6]}."
    context, radu = person(browser, live, "ong@m100.demo")
    try:
        radu.goto("/forums/c/general/new")
        radu.page.fill("#title", title)
        radu.page.fill("#body", "Primul mesaj.")
        radu.submit(radu.page.get_by_role("button", name="Publish"))
        thread_url = radu.page.url.split("#")[0]

        radu.page.fill("#body", text)
        # a double click: the second click aborts the first navigation in the browser, whose
        # request is on its way to the server all the same. The second comes as soon as the
        # first request has left (a fixed 60 ms raced the server: once the reply's page came
        # back within 60 ms, the second click landed on a link of the new page).
        posts: list[str] = []
        radu.page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
        box = radu.page.get_by_role("button", name="Post reply").bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        with radu.page.expect_request(lambda r: r.method == "POST"):
            radu.page.mouse.click(x, y)
        radu.page.mouse.click(x, y)
        expect(radu.page).to_have_url(re.compile(r"#post-\d+$"))
        assert len(posts) == 2, posts  # the form went twice
        radu.page.wait_for_load_state("load")
        assert radu.page.url.endswith("#post-2")
        radu.check()

        radu.goto(thread_url)
        expect(radu.page.locator("#post-2")).to_contain_text(text)
        expect(radu.page.get_by_text(text)).to_have_count(1)
        expect(radu.page.locator("#post-3")).to_have_count(0)
    finally:
        context.close()
