"""Fixtures: browser (Chromium through Playwright, once per session) and page (a fresh
context on the live hub)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.environment import require_service

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    require_service("Chromium", CHROMIUM.exists())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live):
    """A fresh browser context (no cookies) on the live hub; every page it visits is checked
    with axe (WCAG 2.2 AA) by tests.support.browser.Visitor."""
    context = browser.new_context(base_url=live.url, bypass_csp=False, locale="ro-RO")
    context.set_default_timeout(15000)
    tab = context.new_page()
    yield tab
    context.close()
