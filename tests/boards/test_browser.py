"""A workshop board in two browser contexts: the organiser (facilitator) makes a public board
from a template, a citizen takes part with the keyboard only; a card added by one appears in
the other, a dot vote, a named group of cards, lock, anonymous mode, the card turned into a
consultation proposal; axe (WCAG 2.2 AA) with zero violations on the board page, and at
375 px nothing is wider than the screen."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.support.browser import WCAG_22_AA, assert_accessible, person

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WORKSHOP = "Atelier: comunități de energie în cartier"


def keyboard_press(page, locator) -> None:
    """Reach a control with the keyboard and press Enter (no mouse)."""
    locator.focus()
    page.keyboard.press("Enter")


def test_a_facilitator_and_a_participant_share_a_live_board(browser, live):
    title = f"Idei de cartier {uuid.uuid4().hex[:4]}"
    idea = f"Panouri solare pe școala {uuid.uuid4().hex[:4]}"
    contexts = []
    try:
        organiser_ctx, organiser = person(browser, live, "oficial.suceava@m100.demo",
                                          WCAG_22_AA)
        contexts.append(organiser_ctx)
        board = organiser.page
        organiser.goto("/events")
        board.get_by_role("link", name=WORKSHOP).first.click()
        organiser.check()
        board.get_by_role("link", name="New board").click()
        organiser.check()
        board.fill("#title", title)
        board.select_option("#template", "challenges")
        board.get_by_label("Anyone signed in (visitors watch)").check()
        organiser.submit(board.get_by_role("button", name="Create the board"))
        expect(board.locator("h1")).to_have_text(title)
        expect(board.get_by_role("heading", name="Challenges")).to_be_visible()
        board_path = board.url.split(live.url)[-1]

        citizen_ctx, citizen = person(browser, live, "cetatean@m100.demo", WCAG_22_AA)
        contexts.append(citizen_ctx)
        page = citizen.page
        page.set_viewport_size({"width": 375, "height": 800})
        citizen.goto(board_path)
        expect(page.get_by_label("Add a card").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375

        # keyboard only: type a card and send it with Enter on the button
        page.get_by_label("Add a card").first.focus()
        page.keyboard.type(idea)
        page.keyboard.press("Tab")  # the colour
        page.keyboard.press("Tab")  # the button
        page.keyboard.press("Enter")
        on_board = board.locator(".board-card", has_text=idea)
        expect(on_board).to_be_visible()  # live in the other context
        expect(on_board).to_contain_text("Maria Popescu")

        keyboard_press(page, page.get_by_role("button", name=f"Give a dot: {idea[:40]}"))
        expect(board.locator(".board-card", has_text=idea)).to_contain_text("1 dots")
        expect(page.locator("[data-board-status]")).to_contain_text("Dots left: 4")

        # a move with the keyboard: the menu, then "to the next column"
        card = page.locator(".board-card", has_text=idea)
        keyboard_press(page, card.locator("summary"))
        keyboard_press(page, card.get_by_role("button", name="To the next column"))
        expect(board.locator(".board-column", has=board.get_by_role(
            "heading", name="Ideas")).locator(".board-card", has_text=idea)).to_be_visible()

        # a group, with the keyboard: a second card joins the first's group, which is named
        second = f"Grădină pe acoperiș {uuid.uuid4().hex[:4]}"
        page.get_by_label("Add a card").first.fill(second)
        keyboard_press(page, page.get_by_role("button", name="Add a card").first)
        added = page.locator(".board-card", has=page.locator(".board-card-text",
                                                             has_text=second))
        keyboard_press(page, added.locator("summary"))
        added.get_by_label("Put in a group with…").select_option(label=idea[:40])
        group = board.locator(".board-group", has_text=idea)
        expect(group).to_contain_text(second)  # live, within the group
        page.once("dialog", lambda dialog: dialog.accept("Soare pe școli"))
        keyboard_press(page, page.get_by_role("button", name="Name the group: Unnamed group",
                                              exact=False))
        expect(board.get_by_role("heading", name="Group: Soare pe școli · 2 cards")).to_be_visible()
        expect(page.locator(".board-app [data-announce]")).to_contain_text(
            "Group renamed: Soare pe școli")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert_accessible(page)
        assert_accessible(board)
        keyboard_press(page, page.get_by_role("button", name="Undo the group: Soare pe școli"))
        expect(board.locator(".board-group")).to_have_count(0)
        keyboard_press(page, added.get_by_role("button", name="Delete"))  # one idea card again
        expect(board.locator(".board-card-text", has_text=second)).to_have_count(0)

        board.get_by_label("Locked").check()
        expect(page.locator("[data-board-status]")).to_contain_text("The board is locked")
        board.get_by_label("Locked").uncheck()
        board.get_by_label("Anonymous", exact=True).check()
        expect(board.locator("[data-board-status]")).to_contain_text("Anonymous")
        expect(board.locator(".board-card", has_text=idea)).not_to_contain_text("Maria Popescu")

        # the participant turns their card into a proposal
        page.set_viewport_size({"width": 1000, "height": 800})
        page.locator(".board-card", has_text=idea).get_by_role(
            "link", name="Turn into a thread or proposal").click()
        citizen.check()
        page.get_by_label("A proposal in a consultation").check()
        citizen.submit(page.get_by_role("button", name="Create"))
        expect(page.get_by_text("Done: the card links here")).to_be_visible()
        expect(board.locator(".board-card", has_text=idea).get_by_role(
            "link", name="What it became")).to_be_visible()
    finally:
        for context in contexts:
            context.close()
