"""The README's screenshots: the demo data on a scratch SQLite database, served by the
development server, photographed in Debian's Chromium in both languages.

    .venv/bin/python scripts/screenshots.py      # writes docs/screenshots/*.png
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ids(env: dict) -> dict[str, str]:
    """Addresses of the pages to show, from the demo data."""
    code = (
        "from sqlalchemy import select\n"
        "from m100hub import create_app\n"
        "from m100hub.extensions import db\n"
        "from m100hub.consultations.models import Consultation\n"
        "from m100hub.events.models import Event\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    rows = db.session.scalars(select(Consultation)).all()\n"
        "    o = [c for c in rows if c.phase == 'open'][0]\n"
        "    p = [c for c in rows if c.phase == 'published'][0]\n"
        "    e = db.session.scalars(select(Event).order_by(Event.starts_dt)).first()\n"
        "    print(o.id, p.id, e.id)\n")
    done = subprocess.run([str(BIN / "python"), "-c", code], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True)
    open_id, published_id, event_id = done.stdout.split()
    return {"home": "/", "consultation": f"/consultations/{open_id}",
            "results": f"/consultations/{published_id}/results",
            "event": f"/events/{event_id}", "city": "/cities/suceava",
            "contract": "/cities/suceava/contract"}


def main() -> None:
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="m100-shots-"))
    env = {**os.environ, "FLASK_APP": "wsgi.py", "USE_REDIS": "0", "SECRET_KEY": "shots",
           "DATABASE_URL": f"sqlite:///{tmp / 'shots.sqlite3'}", "ANONYMOUS_PAGE_SECONDS": "0"}
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    subprocess.run([str(BIN / "flask"), "m100", "seed-demo"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    pages = ids(env)
    port = free_port()
    server = subprocess.Popen([str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}",
                               "--workers", "1", "--threads", "4", "wsgi:app"], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for language, locale in (("ro", "ro-RO"), ("en", "en-GB")):
                context = browser.new_context(base_url=f"http://127.0.0.1:{port}",
                                              locale=locale,
                                              viewport={"width": 1280, "height": 900})
                context.add_cookies([{"name": "lang", "value": language,
                                      "url": f"http://127.0.0.1:{port}"}])
                page = context.new_page()
                for name, path in pages.items():
                    page.goto(path, wait_until="load")
                    page.screenshot(path=str(OUT / f"{name}-{language}.png"), full_page=False)
                phone = browser.new_context(base_url=f"http://127.0.0.1:{port}", locale=locale,
                                            viewport={"width": 375, "height": 740})
                phone.add_cookies([{"name": "lang", "value": language,
                                    "url": f"http://127.0.0.1:{port}"}])
                tab = phone.new_page()
                tab.goto("/", wait_until="load")
                tab.screenshot(path=str(OUT / f"home-phone-{language}.png"))
                phone.close()
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print("\n".join(sorted(str(p.relative_to(ROOT)) for p in OUT.glob("*.png"))))


if __name__ == "__main__":
    main()
