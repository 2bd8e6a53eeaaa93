"""Uploading a cover in Chromium: the image a person sees loads, upright and sized, with its
text alternative; the page stays axe clean."""

from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.support.browser import Visitor, sign_in
from tests.support.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_admin_uploads_a_city_cover_and_everyone_sees_it(browser, live, tmp_path):
    photo = tmp_path / "cetatea.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (1800, 1200), (40, 110, 60)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    admin_email = f"sec-{uuid.uuid4().hex[:6]}@example.ro"
    live.flask("m100", "create-admin", admin_email, "--password", PASSWORD)
    context = browser.new_context(base_url=live.url, locale="ro-RO")
    try:
        admin = Visitor(context.new_page())
        page = admin.page
        sign_in(admin, admin_email, PASSWORD)
        admin.goto("/terms/accept")  # an account made on the command line accepts them first
        page.check("#accept")
        admin.submit(page.locator("main button[type=submit]"))
        admin.goto("/admin/cities")
        with page.expect_navigation():
            page.get_by_role("link", name="Editează Suceava").click()
        admin.check()
        page.set_input_files("#image", str(photo))
        page.fill("#image_alt", "Cetatea de Scaun a Sucevei")
        admin.submit(page.locator("main button[type=submit]"))
        expect(page.locator(".flashes")).to_be_visible()
    finally:
        context.close()

    visitor_context = browser.new_context(base_url=live.url, locale="ro-RO")
    try:
        visitor = Visitor(visitor_context.new_page())
        visitor.goto("/cities/suceava")
        cover = visitor.page.get_by_role("img", name="Cetatea de Scaun a Sucevei")
        expect(cover).to_be_visible()
        loaded = cover.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
        assert loaded[0] and loaded[1] > 0
        assert loaded[1] > loaded[2]  # the landscape photo stays landscape
        box = cover.bounding_box()
        assert box["width"] > 200
    finally:
        visitor_context.close()
