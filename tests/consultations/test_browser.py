"""A consultation as people run it and take part, in Chromium, with an axe scan of every page
visited: an official creates and opens it, citizens vote (one changes the vote), propose and
support; after closing the official publishes the results with a response."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.support.browser import Visitor, person

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BUCHAREST = ZoneInfo("Europe/Bucharest")


def local(delta: timedelta) -> str:
    return (datetime.now(BUCHAREST) + delta).strftime("%Y-%m-%dT%H:%M")


def create_and_open(official: Visitor, title: str) -> str:
    page = official.page
    official.goto("/consultations")
    page.get_by_role("link", name="New consultation").click()
    official.check()
    page.fill("#title", title)
    page.fill("#summary", "Unde construim piste noi de biciclete?")
    page.fill("#body", "Planul pentru **2027**.")
    page.select_option("#city_id", label="Suceava")
    page.get_by_label("Transport").check()
    page.fill("#opens_at", local(timedelta(minutes=-5)))
    page.fill("#closes_at", local(timedelta(days=2)))
    official.submit(page.get_by_role("button", name="Save"))
    expect(page.locator("h1")).to_have_text("Manage the consultation")

    page.fill("#text", "Sunteți de acord cu planul?")
    page.select_option("#kind", "yes_no")
    official.submit(page.get_by_role("button", name="Add the question"))
    page.fill("#text", "Ce traseu facem întâi?")
    page.select_option("#kind", "single")
    page.fill("#options", "Centru – Gară\nCentru – Universitate")
    official.submit(page.get_by_role("button", name="Add the question"))
    expect(page.locator("#questions")).to_contain_text("Centru – Universitate")
    official.submit(page.get_by_role("button", name="Announce"))
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".phase-open")).to_have_text("Open")
    return page.url


def vote(visitor: Visitor, question: str, answer: str) -> None:
    block = visitor.page.locator(".question", has=visitor.page.get_by_role("heading",
                                                                            name=question))
    block.get_by_label(answer, exact=True).check()
    ballot = visitor.page.locator("form.ballot")
    visitor.submit(ballot.get_by_role("button", name=re.compile("^(Vote|Change my vote)$")))


def test_official_opens_citizens_vote_propose_support_results_published(browser, live):
    title = f"Piste de biciclete în Suceava {uuid.uuid4().hex[:4]}"
    contexts = []
    try:
        official_ctx, official = person(browser, live, "oficial.suceava@m100.demo")
        maria_ctx, maria = person(browser, live, "cetatean@m100.demo")
        radu_ctx, radu = person(browser, live, "ong@m100.demo")
        contexts = [official_ctx, maria_ctx, radu_ctx]
        url = create_and_open(official, title)

        # Two citizens vote; one changes her vote and sees only her own choice.
        maria.goto(url)
        vote(maria, "Sunteți de acord cu planul?", "Yes")
        vote(maria, "Ce traseu facem întâi?", "Centru – Gară")
        vote(maria, "Ce traseu facem întâi?", "Centru – Universitate")
        expect(maria.page.locator(".flashes")).to_contain_text("your vote is changed")
        expect(maria.page.locator(".voted").nth(1)).to_contain_text("Centru – Universitate")
        radu.goto(url)
        vote(radu, "Sunteți de acord cu planul?", "No")
        expect(radu.page.locator(".voted")).to_have_count(1)

        # A proposal, and another person's support.
        maria.page.get_by_role("link", name="Make a proposal").click()
        maria.check()
        maria.page.fill("#title", "Rastele la fiecare școală")
        maria.page.fill("#body", "Parcări acoperite pentru biciclete.")
        maria.submit(maria.page.get_by_role("button", name="Publish the proposal"))
        proposal_url = maria.page.url
        radu.goto(proposal_url)
        radu.submit(radu.page.get_by_role("button", name="Support this proposal"))
        expect(radu.page.locator("main")).to_contain_text("1 support")

        # Voting closes; the official publishes the results with a response.
        engine = create_engine(live.database_url)
        with engine.begin() as conn:
            conn.execute(text("UPDATE consultations SET closes_dt = :t WHERE title = :title"),
                         {"t": datetime.now(BUCHAREST) - timedelta(minutes=1), "title": title})
        engine.dispose()
        official.goto(url + "/manage")
        official.page.get_by_role("link", name="Publish the results").click()
        official.check()
        official.page.fill("#response", "Începem cu traseul **Centru – Universitate**.")
        official.submit(official.page.get_by_role("button", name="Publish"))
        main = official.page.locator("main")
        expect(main).to_contain_text("Official response")
        # two voters: their sectors are shown only together (RESULTS_MIN_CELL, 5 by default)
        expect(main.locator("table").first).to_contain_text("Other sectors (together)")
        expect(main.locator("svg[role=img]").first).to_be_visible()

        # Anyone reads the results and downloads the CSV.
        maria.goto(url + "/results")
        expect(maria.page.locator("main")).to_contain_text("Începem cu traseul")
        with maria.page.expect_download() as download:
            maria.page.get_by_role("link", name="Download CSV").click()
        content = Path(download.value.path()).read_text(encoding="utf-8")
        assert "Centru – Universitate" in content and "question_id" in content
        maria.goto("/notifications")
        expect(maria.page.locator("main")).to_contain_text("results of")
    finally:
        for context in contexts:
            context.close()
