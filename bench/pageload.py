"""Page loads as a browser sees them (Lighthouse-style, on loopback): the home page, a
consultation and its results, signed out, in Debian's Chromium through Playwright.

The demo data on a scratch database, served by gunicorn twice in the same run: once with
compression and fingerprinted static files off (``before``: what the hub served until
Flask-Compress and the fingerprints came) and once as configured (``after``). For each page,
a cold load (empty browser cache) and a repeat visit (new navigation, cache kept):
- first and largest contentful paint (ms, from the browser's own PerformanceObserver);
- requests and bytes transferred (encoded body sizes from Resource Timing, and the
  navigation's own), and the bytes the page would be uncompressed;
- on the repeat visit, how many requests went to the network (the rest came from the cache).
Loopback has no latency to speak of: the paints say what rendering costs, the bytes and
requests what a phone on a slow network would wait for.

Prints one JSON line.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from common import BIN, ROOT, bench_database_url, bench_env, gunicorn, migrate

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

#: collects the paints as they happen (installed before the page's own scripts)
OBSERVE = """
window.__paints = {};
new PerformanceObserver(list => { for (const e of list.getEntries())
  window.__paints[e.name] = e.startTime; }).observe({type: 'paint', buffered: true});
new PerformanceObserver(list => { const all = list.getEntries();
  window.__paints.lcp = all[all.length - 1].startTime; })
  .observe({type: 'largest-contentful-paint', buffered: true});
"""

MEASURE = """
() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  const all = [nav, ...resources];
  return {
    fcp_ms: Math.round(window.__paints['first-contentful-paint'] || 0),
    lcp_ms: Math.round(window.__paints.lcp || 0),
    requests: all.length,
    network_requests: all.filter(e => e.transferSize > 0).length,
    bytes_transferred: all.reduce((sum, e) => sum + e.transferSize, 0),
    bytes_encoded: all.reduce((sum, e) => sum + e.encodedBodySize, 0),
    bytes_decoded: all.reduce((sum, e) => sum + e.decodedBodySize, 0),
  };
}
"""


def pages_to_visit(env: dict) -> dict[str, str]:
    """Home, the open consultation and the published results of the demo data."""
    code = (
        "from sqlalchemy import select\n"
        "from m100hub import create_app\n"
        "from m100hub.extensions import db\n"
        "from m100hub.consultations.models import Consultation\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    rows = db.session.scalars(select(Consultation)).all()\n"
        "    shown = [c for c in rows if c.phase == 'open']\n"
        "    published = [c for c in rows if c.phase == 'published']\n"
        "    print(shown[0].id, published[0].id)\n")
    done = subprocess.run([str(BIN / "python"), "-c", code], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True)
    open_id, published_id = done.stdout.split()
    return {"home": "/", "consultation": f"/consultations/{open_id}",
            "results": f"/consultations/{published_id}/results"}


def measure(browser, port: int, pages: dict[str, str]) -> dict:
    figures = {}
    for name, path in pages.items():
        context = browser.new_context(base_url=f"http://127.0.0.1:{port}", locale="ro-RO")
        context.add_init_script(OBSERVE)
        tab = context.new_page()
        tab.goto(path, wait_until="load")
        tab.wait_for_timeout(300)  # the largest paint is reported after it happens
        cold = tab.evaluate(MEASURE)
        tab.goto(path, wait_until="load")
        tab.wait_for_timeout(300)
        repeat = tab.evaluate(MEASURE)
        figures[name] = {"cold": cold, "repeat": repeat}
        context.close()
    return figures


def main() -> None:
    from playwright.sync_api import sync_playwright

    url = bench_database_url(Path(tempfile.mkdtemp(prefix="m100-bench-")))
    env = {**bench_env(url), "ANONYMOUS_PAGE_SECONDS": "0"}
    migrate(env)
    subprocess.run([str(BIN / "flask"), "m100", "seed-demo"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    pages = pages_to_visit(env)
    before_env = {**env, "COMPRESS_RESPONSES": "0", "STATIC_FINGERPRINTS": "0"}
    result: dict = {"bench": "pageload", "pages": pages}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for label, settings in (("before", before_env), ("after", env)):
                with gunicorn("wsgi:app", settings) as port:
                    result[label] = measure(browser, port, pages)
        finally:
            browser.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
