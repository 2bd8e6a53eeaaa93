"""Static files under fingerprinted names, cached by browsers for a year, and compressed responses.

``url_for('static', filename='css/app.css')`` gives ``/static/css/app.<hash>.css``, the hash
taken from the file's content: a changed file gets a new address, so the old one can be kept
by browsers and proxies for good (``Cache-Control: public, max-age=31536000, immutable``).
An address with an outdated hash (a page cached before a deploy) is still answered, with the
current file and the ordinary short lifetime; a plain name is answered as before.

Responses are compressed by Flask-Compress (Zstandard, Brotli or gzip, as the browser accepts):
HTML, CSS, JavaScript, JSON, SVG, CSV, calendars and feeds; streamed responses (exports) chunk
by chunk, so they keep constant memory. A reverse proxy that compresses itself can take that
over with ``COMPRESS_RESPONSES=0`` in the environment.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, current_app, send_from_directory
from flask.typing import ResponseReturnValue

from .extensions import compress

#: a year: the longest lifetime HTTP caches are asked to keep
IMMUTABLE_MAX_AGE = 365 * 24 * 3600
_HASH_LENGTH = 10
_FINGERPRINTED = re.compile(
    rf"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{{{_HASH_LENGTH}}})(?P<suffix>\.[^./]+)$")


@lru_cache(maxsize=256)
def _content_hash(path: str, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()[:_HASH_LENGTH]


def file_hash(static_folder: str, filename: str) -> str | None:
    """The content hash of a static file, or None when there is no such file. Remembered by
    modification time and size, so an edited file is hashed again."""
    path = os.path.join(static_folder, filename)
    try:
        stat = os.stat(path)
    except OSError:
        return None
    if not os.path.isfile(path):
        return None
    return _content_hash(path, stat.st_mtime_ns, stat.st_size)


def fingerprinted(filename: str) -> str:
    """``css/app.css`` → ``css/app.<hash>.css`` (the name unchanged when there is no such file
    or it has no suffix)."""
    folder = current_app.static_folder
    stem, dot, suffix = filename.rpartition(".")
    if not folder or not dot or "/" in suffix:
        return filename
    found = file_hash(folder, filename)
    return f"{stem}.{found}.{suffix}" if found else filename


def _serve_static(filename: str) -> ResponseReturnValue:
    folder = current_app.static_folder
    assert folder is not None
    match = _FINGERPRINTED.match(filename)
    if match:
        plain = match["stem"] + match["suffix"]
        current = file_hash(folder, plain)
        if current == match["hash"]:
            response = _in_memory(send_from_directory(folder, plain, max_age=IMMUTABLE_MAX_AGE))
            response.cache_control.immutable = True
            return response
        if current is not None:  # an address from before the file changed
            return _in_memory(send_from_directory(folder, plain))
    return _in_memory(send_from_directory(folder, filename))


def _in_memory(response: Response) -> Response:
    """The file read and closed: the hub's static files are a few kilobytes, and a body in
    memory is compressed whole (any algorithm), while a compressed file stream would be left
    for the garbage collector to close."""
    response.direct_passthrough = False
    response.make_sequence()
    return response


def _fingerprint_static_addresses(endpoint: str, values: dict) -> None:
    """Every address built for a static file names it with its fingerprint."""
    if endpoint == "static" and isinstance(values.get("filename"), str):
        values["filename"] = fingerprinted(values["filename"])


def register(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", [
        "text/html", "text/css", "text/csv", "text/calendar", "text/plain", "text/xml",
        "application/javascript", "text/javascript", "application/json",
        "application/atom+xml", "application/xml", "image/svg+xml",
    ])
    if app.config["STATIC_FINGERPRINTS"] and app.static_folder and Path(
            app.static_folder).is_dir():
        app.view_functions["static"] = _serve_static
        app.url_defaults(_fingerprint_static_addresses)
    compress.init_app(app)
