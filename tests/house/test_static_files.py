"""Static files under fingerprinted names with a year's cache lifetime, and compressed
responses (Flask-Compress), through HTTP and in the browser."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import brotli
import pytest

from m100hub.static_files import IMMUTABLE_MAX_AGE

STYLESHEET = re.compile(r'href="(/static/css/app\.([0-9a-f]{10})\.css)"')


def fetch(client, path: str, **kwargs):
    """GET a file, its body read and the file closed (a file response holds it open)."""
    response = client.get(path, **kwargs)
    response.get_data()
    response.close()
    return response


def _stylesheet_address(client) -> tuple[str, str]:
    found = STYLESHEET.search(client.get("/").get_data(as_text=True))
    assert found, "the page links its stylesheet under a fingerprinted name"
    return found.group(1), found.group(2)


def test_pages_name_static_files_by_their_content(app, client):
    address, fingerprint = _stylesheet_address(client)
    content = (Path(app.static_folder) / "css" / "app.css").read_bytes()
    assert fingerprint == hashlib.sha256(content).hexdigest()[:10]
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'src="/static/js/app\.[0-9a-f]{10}\.js"', page)


def test_a_fingerprinted_file_is_kept_for_a_year(app, client):
    address, _ = _stylesheet_address(client)
    response = fetch(client, address)
    assert response.status_code == 200
    assert response.data == (Path(app.static_folder) / "css" / "app.css").read_bytes()
    assert response.cache_control.public
    assert response.cache_control.max_age == IMMUTABLE_MAX_AGE
    assert response.cache_control.immutable
    assert not response.cache_control.no_cache
    assert response.mimetype == "text/css"


def test_an_outdated_fingerprint_gets_the_current_file_briefly(app, client):
    response = fetch(client, "/static/css/app.0123456789.css")
    assert response.status_code == 200
    assert response.data == (Path(app.static_folder) / "css" / "app.css").read_bytes()
    assert not response.cache_control.immutable
    assert response.cache_control.max_age != IMMUTABLE_MAX_AGE


def test_a_plain_name_is_still_served_without_the_long_lifetime(client):
    response = fetch(client, "/static/css/app.css")
    assert response.status_code == 200
    assert not response.cache_control.immutable


@pytest.mark.parametrize("path", [
    "/static/../config.py", "/static/css/nothing.0123456789.css", "/static/css/",
    "/static/%2e%2e/__init__.py", "/static/css/app.css.0123456789.x",
])
def test_no_file_outside_the_static_folder_or_missing(client, path):
    assert fetch(client, path).status_code == 404


def test_a_changed_file_gets_a_new_address(app, client, tmp_path, monkeypatch):
    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    sheet = folder / "css" / "app.css"
    sheet.write_text("body { color: black }")
    monkeypatch.setattr(app, "static_folder", str(folder))
    first, _ = _stylesheet_address(client)
    sheet.write_text("body { color: navy }")
    second, _ = _stylesheet_address(client)
    assert first != second
    assert fetch(client, second).data == b"body { color: navy }"
    assert fetch(client, second).cache_control.immutable
    assert not fetch(client, first).cache_control.immutable


def test_pages_are_compressed_as_the_browser_accepts(client):
    plain = client.get("/", headers={"Accept-Encoding": ""})
    assert "Content-Encoding" not in plain.headers
    squeezed = client.get("/", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert squeezed.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in squeezed.headers["Vary"]
    assert brotli.decompress(squeezed.data) == plain.data
    assert len(squeezed.data) < len(plain.data) / 2
    gzipped = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip"


def test_static_files_are_compressed_too(client):
    address, _ = _stylesheet_address(client)
    response = fetch(client, address, headers={"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br"
    assert brotli.decompress(response.get_data()) == fetch(
        client, address, headers={"Accept-Encoding": ""}).get_data()


def test_compression_can_be_left_to_a_proxy(make_app):
    app = make_app(COMPRESS_REGISTER=False)
    response = app.test_client().get("/", headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers


def test_the_browser_gets_the_stylesheet_compressed_and_applies_it(page, live):
    seen = {}
    page.on("response", lambda response: seen.setdefault(
        response.url.split("?")[0].rsplit("/", 1)[-1], response))
    page.goto("/")
    page.wait_for_load_state("load")
    sheet = next(response for name, response in seen.items() if name.startswith("app.")
                 and name.endswith(".css"))
    assert sheet.status == 200
    headers = sheet.all_headers()
    assert headers.get("content-encoding") in {"br", "zstd"}
    assert "immutable" in headers.get("cache-control", "")
    # the stylesheet took effect: the page is laid out with its rules
    assert page.evaluate("document.styleSheets[0].cssRules.length") > 10
