"""Every page pattern on a phone (375 px) and a desktop (1280 px), signed out and signed in,
in both languages: nothing wider than the screen, and axe's WCAG 2.2 AA rules (target size
included) with zero violations.

The pages are found by following links from the home page, as a person would, one address
per route (a route is a page pattern: every thread page is laid out alike); what the crawl
cannot reach by a link (a form's own page) is added by name below."""

from __future__ import annotations

from collections import deque
from urllib.parse import urlsplit

import pytest
from werkzeug.exceptions import HTTPException

from tests.support.browser import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
#: routes a crawl must not follow: they change something or leave the HTML pages
NOT_PAGES = (".ics", ".csv", ".json", ".svg", ".atom", ".xml", "/logout", "/feed")
#: pages no link leads to from the crawl's start, visited by address
BY_ADDRESS = ("/login", "/signup", "/password/forgot", "/styleguide")
MOST_PATTERNS = 80

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    const box = e.getBoundingClientRect();
    return box.width > 0 && box.right > width + 1 && getComputedStyle(e).position !== 'fixed'
      && !e.closest('.table-scroll, pre, .skip-link, .visually-hidden');
  }).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
  return {scroll: document.documentElement.scrollWidth, width, wide};
}"""


def _crawl(page, app, start: str = "/") -> dict[str, str]:
    """endpoint → one address of it, following same-site links breadth first."""
    adapter = app.url_map.bind("localhost")
    found: dict[str, str] = {}
    queue = deque([start, *BY_ADDRESS])
    seen = set(queue)
    while queue and len(found) < MOST_PATTERNS:
        path = queue.popleft()
        try:
            endpoint, _ = adapter.match(urlsplit(path).path, method="GET")
        except HTTPException:
            continue
        if endpoint in found or endpoint == "static":
            continue
        response = page.goto(path)
        if response is None or response.status != 200 or "text/html" not in (
                response.headers.get("content-type", "")):
            continue
        found[endpoint] = path
        for href in page.eval_on_selector_all(
                "a[href]:not([download])",  # a download is a file, not a page
                "links => links.map(a => a.getAttribute('href'))"):
            target = urlsplit(href)
            if target.netloc or target.scheme or not target.path.startswith("/"):
                continue
            address = target.path + (f"?{target.query}" if target.query else "")
            if address not in seen and not any(mark in target.path for mark in NOT_PAGES):
                seen.add(address)
                queue.append(address)
    return found


def _check_layouts(page, addresses: dict[str, str]) -> list[str]:
    problems = []
    for endpoint, path in addresses.items():
        for size in (PHONE, DESKTOP):
            page.set_viewport_size(size)
            page.goto(path)
            page.wait_for_load_state("load")
            measured = page.evaluate(OVERFLOW)
            if measured["scroll"] > measured["width"]:
                problems.append(f"{endpoint} {path} at {size['width']} px is "
                                f"{measured['scroll']} px wide: {measured['wide']}")
            if size is PHONE:
                try:
                    assert_accessible(page)
                except AssertionError as failure:
                    problems.append(f"{endpoint} {path}: {failure}")
    return problems


@pytest.mark.parametrize("locale", ["ro-RO", "en-GB"])
def test_every_page_pattern_fits_a_phone_and_passes_axe_signed_out(browser, live, app, locale):
    context = browser.new_context(base_url=live.url, locale=locale, viewport=DESKTOP)
    try:
        page = context.new_page()
        addresses = _crawl(page, app)
        assert len(addresses) >= 15, addresses
        problems = _check_layouts(page, addresses)
        assert not problems, "\n".join(problems)
    finally:
        context.close()


@pytest.mark.parametrize("email", ["admin@m100.demo", "oficial.suceava@m100.demo"])
def test_every_page_pattern_fits_a_phone_and_passes_axe_signed_in(browser, live, app, email):
    from tests.support.browser import Visitor

    locale = "en-GB" if email.startswith("admin") else "ro-RO"
    context = browser.new_context(base_url=live.url, locale=locale, viewport=DESKTOP)
    try:
        page = context.new_page()
        sign_in(Visitor(page), email, live.demo_passwords[email])
        if locale == "en-GB":
            page.get_by_role("button", name="English").click()
            page.wait_for_load_state("load")
        addresses = _crawl(page, app)
        assert len(addresses) >= 25, addresses
        problems = _check_layouts(page, addresses)
        assert not problems, "\n".join(problems)
    finally:
        context.close()
