"""m100hub.text: Markdown → HTML through one allow-list; nothing executable survives."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from m100hub.text import ALLOWED_TAGS, LINK_REL, plain_text, render_markdown
from tests.support.payloads import PAYLOADS


class Structure(HTMLParser):
    """What a browser would build from the HTML: tags and attributes (text is inert)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def problems(html: str) -> list[str]:
    parser = Structure()
    parser.feed(html)
    found = []
    for tag, attrs in parser.tags:
        if tag not in ALLOWED_TAGS:
            found.append(f"tag {tag}")
        for name, value in attrs.items():
            if name.startswith("on") or name == "style":
                found.append(f"attribute {name}")
            if name in ("href", "src") and urlsplit((value or "").strip()).scheme.lower() not in (
                "", "http", "https", "mailto"  # "" is a relative link on this site
            ):
                found.append(f"{name}={value}")
    return found


@pytest.mark.parametrize("payload", PAYLOADS)
def test_nothing_executable_survives(payload):
    html = render_markdown(payload)
    assert problems(html) == [], html


def test_the_checker_catches_what_it_must():
    bad = '<img src=x onerror=alert(1)><a href="javascript:x">y</a><p style="x">z</p>'
    assert len(problems(bad)) == 4


def test_markdown_basics_survive():
    html = render_markdown("# Titlu\n\n**clădiri** _eficiente_\n\n- unu\n- doi\n\n> citat")
    assert "<h2>Titlu</h2>" in html  # the page owns <h1>
    assert "<strong>clădiri</strong>" in html and "<em>eficiente</em>" in html
    assert "<li>unu</li>" in html and "<blockquote>" in html


def test_links_are_nofollow_and_bare_urls_are_linked():
    html = render_markdown("[M100](https://m100.example) și https://ec.europa.eu")
    assert html.count(f'rel="{LINK_REL}"') == 2
    assert 'href="https://ec.europa.eu"' in html


def test_code_is_escaped_not_linked():
    html = render_markdown("```\n<b>https://x.example</b>\n```")
    assert "&lt;b&gt;" in html and "<a " not in html


# --- plain text, for calendars and snippets ----------------------------------------------------


def test_plain_text_reads_as_written_without_the_marks():
    source = ("# Atelier\n\nCum pornim o **comunitate de energie** în [cartier](https://x.ro)"
              " cu `cod` și _grijă_.\nRândul doi.\n\n- unu\n- *doi*\n\n> citat\n\n"
              "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\n**literal**\n```")
    assert plain_text(source) == (
        "Atelier\n\nCum pornim o comunitate de energie în cartier cu cod și grijă. Rândul "
        "doi.\n\nunu\ndoi\n\ncitat\n\na b\n1 2\n\n**literal**")


@pytest.mark.parametrize("source", ["", "   ", "\n\n"])
def test_plain_text_of_nothing_is_empty(source):
    assert plain_text(source) == ""


def test_plain_text_keeps_what_would_be_html_as_text():
    # a calendar shows text: nothing is interpreted, and nothing is lost
    assert plain_text("<script>x</script> **a** &amp;") == "<script>x</script> a &"
