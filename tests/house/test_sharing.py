"""Sharing and following without the site: every public page describes itself to search
engines and to the apps a link is shared in (meta description, Open Graph), and names its Atom
feed; the feeds are valid Atom with public content only — no draft, no hidden thread, no
hidden or deleted post, no meeting link — in a fixed number of queries."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from m100hub.database import utcnow
from m100hub.extensions import db as _db
from m100hub.forums import services as forum_services
from m100hub.moderation import services as moderation
from m100hub.text import summary_text
from tests.support import consultation_factories as cf
from tests.support import event_factories as ef
from tests.support import factories
from tests.support import forum_factories as ff

A = "{http://www.w3.org/2005/Atom}"
BASE = "http://localhost"  # the tests' BASE_URL


class Head(HTMLParser):
    """The page's <meta> and <link rel=alternate> tags."""

    def __init__(self, html: str):
        super().__init__()
        self.meta: dict[str, str] = {}
        self.feeds: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "meta" and ("property" in found or "name" in found):
            self.meta[found.get("property") or found["name"]] = found.get("content", "")
        if tag == "link" and found.get("rel") == "alternate":
            self.feeds.append(found)


def head(client, url: str, language: str = "en") -> Head:
    client.set_cookie("lang", language)
    response = client.get(url)
    assert response.status_code == 200, url
    return Head(response.get_data(as_text=True))


def atom(client, url: str, status: int = 200) -> ET.Element | None:
    response = client.get(url)
    assert response.status_code == status, url
    if status != 200:
        return None
    assert response.content_type == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.get_data())  # noqa: S314 (our own document, under test)
    assert feed.tag == f"{A}feed"
    for name in ("id", "title", "updated"):
        assert (feed.findtext(f"{A}{name}") or "").strip(), name
    assert feed.find(f"{A}link[@rel='self']").get("href") == BASE + url
    assert feed.find(f"{A}author/{A}name") is not None
    for entry in feed.findall(f"{A}entry"):
        for name in ("id", "title", "updated"):
            assert (entry.findtext(f"{A}{name}") or "").strip(), name
        assert entry.findtext(f"{A}updated").endswith("Z")
        assert entry.find(f"{A}link[@rel='alternate']").get("href").startswith(BASE + "/")
        assert entry.find(f"{A}content") is not None
    return feed


def titles(feed: ET.Element) -> list[str]:
    return [entry.findtext(f"{A}title") for entry in feed.findall(f"{A}entry")]


def text_of(feed: ET.Element) -> str:
    return ET.tostring(feed, encoding="unicode")


@pytest.fixture
def public(db):
    """Suceava's open and published consultations, a draft, Cluj's consultation, an event
    with a meeting link and a cancelled one, a thread of Suceava's forum with a hidden and a
    deleted reply, and a hidden thread."""
    admin = factories.person("admin")
    made = {
        "open": cf.consultation("open", title="Piste de biciclete", author=admin,
                                summary="Unde facem piste noi?"),
        "published": cf.consultation("published", title="Parcuri noi", author=admin),
        "draft": cf.consultation("draft", title="Ciornă secretă", author=admin),
        "cluj": cf.consultation("open", city_slug="cluj-napoca", title="Tramvaie Cluj",
                                author=admin),
        "event": ef.event(title="Webinar solar", attendance="hybrid",
                          description="Despre **panouri** și [rețele](https://ex.ro)."),
        "cancelled": ef.event(title="Atelier amânat", cancelled_dt=utcnow(),
                              cancel_reason="Vreme rea"),
        "thread": ff.thread(title="Trafic în Suceava", category_slug="oras-suceava",
                            body="Cum **reducem** traficul din centru?"),
        "hidden": ff.thread(title="Reclamă ascunsă", category_slug="oras-suceava"),
    }
    moderator = factories.person("moderator")
    ff.reply(made["thread"], body="Un răspuns vizibil")
    moderation.hide(moderator, ff.reply(made["thread"], body="Un răspuns ascuns"), "insulte")
    forum_services.delete_post(None, ff.reply(made["thread"], body="Un răspuns șters"))
    moderation.hide(moderator, ff.opening_post(made["hidden"]), "spam")
    _db.session.commit()
    return made


def test_a_consultation_describes_itself_and_names_its_feed(client, public):
    item = public["open"]
    tags = head(client, f"/consultations/{item.id}")
    assert tags.meta["og:title"] == "Piste de biciclete · M100 Hub".split(" · ")[0]
    assert tags.meta["description"] == tags.meta["og:description"] == "Unde facem piste noi?"
    assert tags.meta["og:type"] == "article"
    assert tags.meta["og:url"] == f"{BASE}/consultations/{item.id}"
    assert tags.meta["og:locale"] == "en_GB"
    assert tags.meta["og:locale:alternate"] == "ro_RO"
    assert tags.meta["og:site_name"] == "M100 Hub"
    assert [f["href"] for f in tags.feeds] == ["/consultations/feed.atom"]
    assert tags.feeds[0]["type"] == "application/atom+xml"
    assert head(client, f"/consultations/{item.id}", "ro").meta["og:locale"] == "ro_RO"


def test_an_event_city_and_thread_describe_themselves_in_plain_text(client, public):
    event = head(client, f"/events/{public['event'].id}")
    assert event.meta["description"] == "Despre panouri și rețele."
    assert event.meta["og:title"] == "Webinar solar"
    assert [f["href"] for f in event.feeds] == ["/events/feed.atom"]
    city = head(client, "/cities/suceava")
    assert city.meta["og:url"] == f"{BASE}/cities/suceava"
    assert city.meta["description"]
    assert [f["href"] for f in city.feeds] == ["/cities/suceava/feed.atom"]
    thread = head(client, f"/forums/t/{public['thread'].id}")
    assert thread.meta["description"] == "Cum reducem traficul din centru?"
    assert [f["href"] for f in thread.feeds] == [f"/forums/t/{public['thread'].id}/feed.atom"]
    category = head(client, "/forums/c/oras-suceava")
    assert [f["href"] for f in category.feeds] == ["/forums/c/oras-suceava/feed.atom"]
    home = head(client, "/")
    assert home.meta["og:type"] == "website" and "climate" in home.meta["description"]
    assert home.meta["og:url"] == f"{BASE}/"
    assert {f["href"] for f in home.feeds} == {"/consultations/feed.atom", "/events/feed.atom"}


def test_the_consultations_feed_has_announced_ones_only(client, public):
    client.set_cookie("lang", "en")
    feed = atom(client, "/consultations/feed.atom")
    found = titles(feed)
    assert "Piste de biciclete" in found and "Tramvaie Cluj" in found
    assert "Results: Parcuri noi" in found
    assert "Ciornă secretă" not in text_of(feed)
    assert found.index("Results: Parcuri noi") == 0  # the newest news first
    entry = feed.find(f"{A}entry")
    assert entry.findtext(f"{A}id") == f"{BASE}/consultations/{public['published'].id}"


def test_the_events_feed_never_gives_the_meeting_link(client, public):
    client.set_cookie("lang", "en")
    feed = atom(client, "/events/feed.atom")
    assert "Webinar solar" in titles(feed)
    assert "Cancelled: Atelier amânat" in titles(feed)
    assert "Vreme rea" in text_of(feed)
    assert "meet.example.ro" not in text_of(feed)
    assert "&lt;strong&gt;panouri&lt;/strong&gt;" in text_of(feed)  # HTML content, escaped


def test_a_citys_feed_gathers_what_every_feature_adds(client, public):
    client.set_cookie("lang", "en")
    found = titles(atom(client, "/cities/suceava/feed.atom"))
    for title in ("Piste de biciclete", "Results: Parcuri noi", "Webinar solar",
                  "Trafic în Suceava"):
        assert title in found, title
    for title in ("Ciornă secretă", "Tramvaie Cluj", "Reclamă ascunsă"):
        assert title not in found, title
    atom(client, "/cities/nowhere/feed.atom", 404)


def test_forum_feeds_hold_public_posts_only(client, public):
    client.set_cookie("lang", "en")
    category = atom(client, "/forums/c/oras-suceava/feed.atom")
    assert "Trafic în Suceava" in titles(category)
    assert "Reclamă ascunsă" not in text_of(category)
    thread = atom(client, f"/forums/t/{public['thread'].id}/feed.atom")
    content = text_of(thread)
    assert "Un răspuns vizibil" in content and "reducem" in content
    assert "Un răspuns ascuns" not in content and "Un răspuns șters" not in content
    assert len(titles(thread)) == 2
    atom(client, f"/forums/t/{public['hidden'].id}/feed.atom", 404)
    atom(client, "/forums/c/nu-exista/feed.atom", 404)


def test_a_moderator_gets_the_same_public_feed(client, login_as, public):
    login_as("moderator")
    content = text_of(atom(client, f"/forums/t/{public['thread'].id}/feed.atom"))
    assert "Un răspuns ascuns" not in content
    atom(client, f"/forums/t/{public['hidden'].id}/feed.atom", 404)


def test_characters_xml_cannot_carry_are_left_out(client, db):
    ff.thread(title="Titlu\x0bcu\x01control", category_slug="general")
    _db.session.commit()
    assert "Titlucucontrol" in titles(atom(client, "/forums/c/general/feed.atom"))


def test_plain_text_is_what_a_reader_sees():
    source = "## Titlu\n\nUn text **gras** cu [o legătură](https://ex.ro) și `cod`.\n\n- unu\n- doi"
    assert summary_text(source) == "Titlu Un text gras cu o legătură și cod. unu doi"
    # raw HTML is text in the hub's Markdown: shown as written (and escaped by the template)
    assert summary_text("<b>x</b> & y") == "<b>x</b> & y"
    long = summary_text("cuvânt " * 100, 50)
    assert len(long) <= 50 and long.endswith("…") and not long.endswith(" …")
    assert summary_text("") == "" and summary_text(None) == ""


def test_quotes_and_brackets_in_a_description_stay_text(client, db):
    item = cf.consultation("open", summary='Spune "da" <acum> & azi')
    _db.session.commit()
    tags = head(client, f"/consultations/{item.id}")
    assert tags.meta["description"] == 'Spune "da" <acum> & azi'


# --- og:image -----------------------------------------------------------------------------


def picture(width: int, height: int, alt: str):
    import io

    from PIL import Image

    from m100hub.media import services as media

    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 60)).save(out, "JPEG")
    return media.store_image(media.read_picture(out.getvalue()), alt)


def assert_image_served(client, tags: Head, kind: str) -> bytes:
    """The og:image address answers, under BASE_URL, with a picture of the size it says."""
    import io

    from PIL import Image

    url = tags.meta["og:image"]
    assert url.startswith(f"{BASE}/"), url
    response = client.get(url.removeprefix(BASE))
    data = response.get_data()
    response.close()  # a static file is sent from an open file
    assert response.status_code == 200 and response.mimetype == kind, url
    with Image.open(io.BytesIO(data)) as shown:
        assert shown.size == (int(tags.meta["og:image:width"]),
                              int(tags.meta["og:image:height"]))
    assert tags.meta["og:image:type"] == kind
    assert tags.meta["twitter:card"] == "summary_large_image"
    return data


def test_pages_without_a_picture_share_the_site_image(client, public):
    for url in ("/", "/consultations", f"/consultations/{public['open'].id}",
                f"/events/{public['event'].id}", "/cities/suceava",
                f"/forums/t/{public['thread'].id}"):
        tags = head(client, url)
        assert "/static/img/share." in tags.meta["og:image"], url
        assert (tags.meta["og:image:width"], tags.meta["og:image:height"]) == ("1200", "630")
        assert tags.meta["og:image:alt"].startswith("M100 Hub: climate-neutral")
    assert_image_served(client, tags, "image/png")
    assert head(client, "/", "ro").meta["og:image:alt"].startswith(
        "M100 Hub: orașe neutre climatic")


def test_an_event_consultation_and_city_share_their_own_picture(client, public):
    event, consultation = public["event"], public["published"]
    event.image = picture(1600, 900, "Sala de conferințe")
    consultation.image = picture(800, 1000, "")  # decorative: the title says what it is
    city = factories.city("suceava")
    city.image = picture(1200, 800, "Cetatea de Scaun")
    _db.session.commit()
    shared = head(client, f"/events/{event.id}")
    assert f"/media/{event.image.id}/large-" in shared.meta["og:image"]
    assert shared.meta["og:image:alt"] == "Sala de conferințe"
    assert_image_served(client, shared, "image/webp")
    for url in (f"/consultations/{consultation.id}", f"/consultations/{consultation.id}/results",
                f"/consultations/{consultation.id}/participation"):
        tags = head(client, url)
        assert f"/media/{consultation.image.id}/large-" in tags.meta["og:image"], url
        assert tags.meta["og:image:alt"] == "Parcuri noi"
    assert_image_served(client, tags, "image/webp")
    tags = head(client, "/cities/suceava")
    assert tags.meta["og:image:alt"] == "Cetatea de Scaun"
    assert_image_served(client, tags, "image/webp")
