"""The design system: the styleguide page shows every colour token and icon, the icon helper,
the logo and favicon; and, in Chromium, the compact menu of a phone by keyboard."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from m100hub.templating import icon
from tests.support.browser import Visitor


def test_the_styleguide_shows_every_colour_and_icon(app, client):
    page = client.get("/styleguide").get_data(as_text=True)
    css = (Path(app.static_folder) / "css" / "app.css").read_text()
    tokens = re.findall(r"--([a-z]+-\d{3}):\s*(#[0-9a-f]{6})", css)
    assert len(tokens) >= 12
    for name, value in tokens:
        assert f"<code>--{name}</code>" in page and f'fill="{value}"' in page
    sprite = (Path(app.static_folder) / "img" / "icons.svg").read_text()
    for name in re.findall(r'<symbol id="([a-z-]+)"', sprite):
        assert f"#{name}\"></use>" in page
    # the sample form shows its error the way every form does
    assert 'class="error-summary"' in page and 'aria-invalid="true"' in page


def test_the_styleguide_in_english(client):
    client.get("/language/en")
    page = client.get("/styleguide").get_data(as_text=True)
    assert "Type scale" in page and "Energy" in page


def test_icons_are_decorative_unless_named(app):
    with app.test_request_context("/"):
        plain = str(icon("energy"))
        named = str(icon("energy", label='Energie "verde"'))
    assert 'aria-hidden="true"' in plain and "role=" not in plain
    assert re.search(r'<use href="/static/img/icons\.[0-9a-f]{10}\.svg#energy">', plain)
    assert 'role="img" aria-label="Energie &#34;verde&#34;"' in named


def test_every_page_has_the_logo_and_favicon(client):
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'<link rel="icon" href="/static/img/favicon\.[0-9a-f]{10}\.svg"', page)
    logo = re.search(r'<img src="(/static/img/logo\.[0-9a-f]{10}\.svg)" alt="" width="32"', page)
    response = client.get(logo.group(1))
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b'xmlns="http://www.w3.org/2000/svg"' in response.get_data()
    response.close()


@pytest.mark.browser
def test_on_a_phone_the_menu_folds_behind_a_button_and_opens_by_keyboard(browser, live):
    context = browser.new_context(base_url=live.url, locale="en-GB",
                                  viewport={"width": 375, "height": 740})
    try:
        visitor = Visitor(context.new_page())
        page = visitor.page
        visitor.goto("/")
        logo = page.locator("header .brand img")
        assert logo.evaluate("img => img.complete && img.naturalWidth > 0")
        menu_link = page.locator("#site-menu").get_by_role("link", name="Consultations")
        expect(menu_link).to_be_hidden()
        toggle = page.locator("[data-menu-toggle]")
        expect(toggle).to_be_visible()
        box = toggle.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24
        page.keyboard.press("Tab")  # the skip link
        page.keyboard.press("Tab")  # the brand
        page.keyboard.press("Tab")
        expect(toggle).to_be_focused()
        page.keyboard.press("Enter")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(menu_link).to_be_visible()
        link_box = menu_link.bounding_box()
        assert link_box["height"] >= 24
        page.keyboard.press("Tab")
        expect(menu_link).to_be_focused()
        page.keyboard.press("Escape")
        expect(menu_link).to_be_hidden()
        expect(toggle).to_be_focused()
        # icons of the sprite are drawn (the <use> finds its symbol)
        visitor.goto("/styleguide")
        drawn = page.locator(".icon-grid .icon").first.bounding_box()
        assert drawn["width"] >= 24
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        visitor.check()
        # on a desktop there is no button: the menu is in the header
        page.set_viewport_size({"width": 1280, "height": 800})
        expect(menu_link).to_be_visible()
        expect(toggle).to_be_hidden()
        expect(menu_link).to_be_visible()
    finally:
        context.close()
