"""Atom feeds (RFC 4287): people follow consultations, events, a city, a forum category or a
thread in a feed reader, without the site.

Written with the standard library's ElementTree: a feed is a dozen elements, and a library for
them (feedgen) would bring lxml, a large C extension, for what these sixty lines do. Views
pass ``Entry`` rows, public ones only, newest first; ``atom_response`` writes the feed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Response, current_app, request
from flask_babel import get_locale

from .util import absolute_url

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MEDIA_TYPE = "application/atom+xml"
#: entries per feed: what a reader that polls now and then needs
FEED_SIZE = 30
#: characters XML 1.0 cannot carry (a user's text may hold them); dropped from feeds
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: a feed with no entry yet says it was updated at this time (not "now": the same empty feed
#: is the same document)
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)

ET.register_namespace("", ATOM)


@dataclass(frozen=True)
class Entry:
    """One item of a feed. ``url`` is the item's page (absolute), also its permanent id."""

    title: str
    url: str
    updated: datetime
    #: clean HTML (as text.render_markdown stored it), or plain text
    content: str = ""
    content_is_html: bool = True
    published: datetime | None = None
    author: str = ""


def external(endpoint: str, **values) -> str:
    """An absolute address under BASE_URL (never the request's Host: a cached feed is
    served to every visitor), for entries and feeds' ids."""
    return absolute_url(endpoint, **values)


def atom_response(title: str, page_url: str, entries: list[Entry],
                  subtitle: str = "") -> Response:
    """The feed of ``entries`` (newest first) as an Atom document; ``page_url`` is the page
    it follows (absolute); the feed's own address is the request's."""
    feed = ET.Element(_tag("feed"), {XML_LANG: str(get_locale())})
    self_url = external(request.endpoint or "", **(request.view_args or {}))
    _add(feed, "id", self_url)
    _add(feed, "title", title)
    if subtitle:
        _add(feed, "subtitle", subtitle)
    updated = max((entry.updated for entry in entries), default=EPOCH)
    _add(feed, "updated", _time(updated))
    ET.SubElement(feed, _tag("link"), rel="self", type=MEDIA_TYPE, href=self_url)
    ET.SubElement(feed, _tag("link"), rel="alternate", type="text/html", href=page_url)
    author = ET.SubElement(feed, _tag("author"))
    _add(author, "name", "M100 Hub")
    _add(author, "uri", external("main.home"))
    _add(feed, "generator", "M100 Hub")
    for entry in entries:
        _write_entry(feed, entry)
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return current_app.response_class(body, mimetype=MEDIA_TYPE)


def _write_entry(feed: ET.Element, entry: Entry) -> None:
    item = ET.SubElement(feed, _tag("entry"))
    _add(item, "id", entry.url)
    _add(item, "title", entry.title)
    ET.SubElement(item, _tag("link"), rel="alternate", type="text/html", href=entry.url)
    _add(item, "updated", _time(entry.updated))
    if entry.published is not None:
        _add(item, "published", _time(entry.published))
    if entry.author:
        author = ET.SubElement(item, _tag("author"))
        _add(author, "name", entry.author)
    _add(item, "content", entry.content, type="html" if entry.content_is_html else "text")


def _tag(name: str) -> str:
    return f"{{{ATOM}}}{name}"


def _add(parent: ET.Element, name: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, _tag(name), attributes)
    element.text = _NOT_XML.sub("", text)
    return element


def _time(moment: datetime) -> str:
    """RFC 3339, in UTC, to the second."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
