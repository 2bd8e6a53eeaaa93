"""The ballot as people see it, in Chromium, with an axe scan (WCAG 2.2 AA) of every page
visited: an official sets up three questions (each step says it worked) and opens voting; a
citizen answers all three on one ballot and sees all three recorded; an approval question
does not let anyone tick more than its limit; a refused ballot keeps what was ticked, says
the rule next to the question, puts the focus on the error summary, and reloads without a
405; the official closes voting early with a reason that everyone then reads."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.support.browser import Visitor, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BUCHAREST = ZoneInfo("Europe/Bucharest")
WCAG_22_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                      "wcag22aa"]}}
AGREE = "Sunteți de acord cu planul?"
RENOVATE = "Ce clădiri renovăm întâi?"
ROUTES = "Ordonați traseele"
BUILDINGS = ("Școli", "Spitale", "Grădinițe", "Cămine")
STOPS = ("Centru – Gară", "Centru – Universitate", "Burdujeni – Centru")

_axe = Axe()


class Scanned(Visitor):
    """A visitor whose every page is scanned with the WCAG 2.2 AA rules."""

    def check(self) -> None:
        self.page.wait_for_load_state("load")
        results = _axe.run(self.page, options=WCAG_22_AA)
        assert results.violations_count == 0, f"{self.page.url}\n{results.generate_report()}"
        self.scanned.append(self.page.url)


def person(browser, live, email: str):
    context = browser.new_context(base_url=live.url, locale="en-GB")
    context.set_default_timeout(15000)
    visitor = Scanned(context.new_page())
    sign_in(visitor, email, live.demo_passwords[email])
    visitor.submit(visitor.page.get_by_role("button", name="English"))
    return context, visitor


def local(delta: timedelta) -> str:
    return (datetime.now(BUCHAREST) + delta).strftime("%Y-%m-%dT%H:%M")


def add_question(official: Visitor, text: str, kind: str, options=(), most="") -> None:
    page = official.page
    page.fill("#text", text)
    page.select_option("#kind", kind)
    page.fill("#max_choices", most)
    page.fill("#options", "\n".join(options))
    official.submit(page.get_by_role("button", name="Add the question"))
    expect(page.locator(".flashes")).to_contain_text(f"The question “{text}” is added.")


def three_questions_open(official: Visitor) -> str:
    """A consultation of Suceava with a yes/no, an approval (at most 2 of 4) and a ranked
    question, announced with voting open; its address."""
    page = official.page
    official.goto("/consultations/new")
    page.fill("#title", f"Renovare și trasee {uuid.uuid4().hex[:6]}")
    page.fill("#summary", "Trei întrebări pe un singur buletin.")
    page.select_option("#city_id", label="Suceava")
    page.fill("#opens_at", local(timedelta(minutes=-5)))
    page.fill("#closes_at", local(timedelta(days=2)))
    official.submit(page.get_by_role("button", name="Save"))
    add_question(official, AGREE, "yes_no")
    add_question(official, RENOVATE, "approval", BUILDINGS, "2")
    add_question(official, ROUTES, "ranked", STOPS)
    official.submit(page.get_by_role("button", name="Announce"))
    expect(page.locator(".flashes")).to_contain_text(
        "The consultation is announced and voting is open.")
    return page.url


def question(visitor: Visitor, text: str):
    page = visitor.page
    return page.locator(".question", has=page.get_by_role("heading", name=text, exact=True))


def send(visitor: Visitor):
    """Press the ballot's one button; the response of the page it leads to."""
    page = visitor.page
    with page.expect_navigation() as navigation:
        page.locator("form.ballot").get_by_role(
            "button", name=re.compile("^(Vote|Change my vote)$")).click()
    visitor.check()
    return navigation.value


@pytest.fixture(scope="module")
def consultation(browser, live):
    context, official = person(browser, live, "oficial.suceava@m100.demo")
    try:
        yield three_questions_open(official)
    finally:
        context.close()


def test_three_answers_on_one_ballot_are_all_recorded(browser, live, consultation):
    context, maria = person(browser, live, "cetatean@m100.demo")
    try:
        maria.goto(consultation)
        page = maria.page
        expect(page.locator("form.ballot")).to_have_count(1)
        question(maria, AGREE).get_by_label("Yes", exact=True).check()
        renovate = question(maria, RENOVATE)
        renovate.get_by_label("Spitale").check()
        renovate.get_by_label("Grădinițe").check()
        routes = question(maria, ROUTES)
        routes.get_by_label(STOPS[1]).select_option("1")
        routes.get_by_label(STOPS[0]).select_option("2")

        assert send(maria).status == 200

        flashes = page.locator(".flashes")
        expect(flashes).to_contain_text(f"“{AGREE}”: your vote is recorded: Yes.")
        expect(flashes).to_contain_text(f"“{RENOVATE}”: your vote is recorded: Spitale, "
                                        "Grădinițe.")
        expect(flashes).to_contain_text(f"“{ROUTES}”: your vote is recorded: {STOPS[1]} › "
                                        f"{STOPS[0]}.")
        expect(page.locator(".voted")).to_have_count(3)
        # the same form shows the current choices, to change any of them later
        expect(question(maria, AGREE).get_by_label("Yes", exact=True)).to_be_checked()
        expect(renovate.get_by_label("Spitale")).to_be_checked()
        expect(routes.get_by_label(STOPS[1])).to_have_value("1")
        renovate.get_by_label("Spitale").uncheck()
        renovate.get_by_label("Școli").check()
        send(maria)
        expect(flashes).to_contain_text(f"“{RENOVATE}”: your vote is changed: Școli, Grădinițe.")
        expect(flashes).to_contain_text(f"“{AGREE}”: your vote stays: Yes.")
    finally:
        context.close()


def test_an_approval_question_lets_nobody_tick_more_than_its_limit(browser, live,
                                                                   consultation):
    context, radu = person(browser, live, "ong@m100.demo")
    try:
        radu.goto(consultation)
        renovate = question(radu, RENOVATE)
        boxes = [renovate.get_by_label(name) for name in BUILDINGS]
        status = renovate.locator("[data-limit-status]")
        boxes[0].check()
        expect(boxes[2]).to_be_enabled()
        boxes[1].check()
        for box in boxes[2:]:
            expect(box).to_be_disabled()
        expect(status).to_have_text("You have chosen 2 options, the most this question allows: "
                                    "untick one to choose another.")
        boxes[0].uncheck()
        for box in boxes[2:]:
            expect(box).to_be_enabled()
        expect(status).to_have_text("")
        boxes[3].check()
        expect(boxes[0]).to_be_disabled()
        radu.check()
    finally:
        context.close()


def test_a_refused_vote_keeps_the_choices_says_the_rule_and_reloads(browser, live,
                                                                    consultation):
    context, radu = person(browser, live, "ong@m100.demo")
    try:
        radu.goto(consultation)
        page = radu.page
        question(radu, AGREE).get_by_label("No", exact=True).check()
        renovate = question(radu, RENOVATE)
        renovate.get_by_label("Școli").check()
        renovate.get_by_label("Spitale").check()
        # a third box forced past the script (an old browser, a script that did not load)
        page.evaluate("""() => document.querySelectorAll('fieldset[data-max-choices] input')
                               .forEach(box => { box.disabled = false; })""")
        renovate.get_by_label("Cămine").check()

        response = send(radu)

        assert response.status == 422
        assert page.url.rstrip("/") == consultation.rstrip("/")  # the consultation's own
        summary = page.locator(".error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text(f"{RENOVATE}: Choose at most 2 options.")
        expect(renovate.locator(".error")).to_have_text("Choose at most 2 options.")
        for name, ticked in zip(BUILDINGS, (True, True, False, True), strict=True):
            expect(renovate.get_by_label(name)).to_be_checked(checked=ticked)
        expect(question(radu, AGREE).get_by_label("No", exact=True)).to_be_checked()
        expect(page.locator(".voted")).to_have_count(0)  # nothing was recorded
        # the summary's link leads to the question
        summary.get_by_role("link").click()
        expect(renovate.get_by_label("Școli")).to_be_focused()

        # reloading the address never meets a 405 (the browser may send the form again)
        page.once("dialog", lambda dialog: dialog.accept())
        reloaded = page.reload()
        assert reloaded is not None and reloaded.status in (200, 422)
        expect(page.locator("h1")).to_be_visible()
        radu.check()

        # fixed: one box less, and the ballot goes through
        renovate.get_by_label("Cămine").uncheck()
        if renovate.get_by_label("Școli").is_checked() is False:
            renovate.get_by_label("Școli").check()
        send(radu)
        expect(page.locator(".flashes")).to_contain_text(f"“{RENOVATE}”: your vote is recorded")
    finally:
        context.close()


def test_officials_close_voting_early_and_everyone_reads_why(browser, live):
    official_context, official = person(browser, live, "oficial.suceava@m100.demo")
    maria_context, maria = person(browser, live, "cetatean@m100.demo")
    reason = "Consiliul local a decis deja traseul; mulțumim celor care au votat."
    try:
        url = three_questions_open(official)
        maria.goto(url)
        routes = question(maria, ROUTES)
        routes.get_by_label(STOPS[2]).select_option("2")  # no 1: read as 1, 2, and said so
        routes.get_by_label(STOPS[0]).select_option("3")
        send(maria)
        expect(maria.page.locator(".flashes")).to_contain_text(
            "Your ranks 2, 3 were read in their order as 1, 2.")

        official.goto(url + "/manage")
        page = official.page
        page.get_by_label("Why voting closes now (public)").fill(reason)
        official.submit(page.get_by_role("button", name="Close voting now"))
        expect(page.locator(".flashes")).to_contain_text("Voting is closed.")
        official.goto(url + "/results")
        expect(page.locator("table.final-round")).to_contain_text("Share of all ballots")

        maria.goto(url)
        main = maria.page.locator("main")
        expect(main).to_contain_text(f"The officials' reason: {reason}")
        expect(main).to_contain_text("The results will be published by the city")
        expect(maria.page.locator("form.ballot")).to_have_count(0)
        maria.goto("/activity")
        expect(maria.page.locator("main")).to_contain_text(reason)
    finally:
        official_context.close()
        maria_context.close()
