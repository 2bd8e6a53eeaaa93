"""The layout's parts that are the same for every reader of a language are rendered once and
given again (templating.shared): each must still change with every input it reads — the
page, the language, the person's menu and its counts, being signed in, the static files —
and the form token stays each session's own."""

from __future__ import annotations

import re
import time

from tests.support import factories
from tests.support import forum_factories as ff


def _menu(html: str) -> str:
    return html.split('<nav class="main-nav"', 1)[1].split("</nav>", 1)[0]


def _current(html: str) -> list[str]:
    """The menu entries marked as the page's own."""
    return re.findall(r'<a href="([^"]+)" aria-current="page">', _menu(html))


def test_the_menu_marks_the_page_it_is_on_in_the_readers_language(client, login_as, db):
    login_as("citizen", locale="en")
    assert _current(client.get("/events").get_data(as_text=True)) == ["/events"]
    assert _current(client.get("/forums").get_data(as_text=True)) == ["/forums"]
    assert _current(client.get("/events").get_data(as_text=True)) == ["/events"]
    assert ">Events<" in _menu(client.get("/forums").get_data(as_text=True))
    login_as("citizen", locale="ro")
    html = client.get("/forums").get_data(as_text=True)
    assert ">Evenimente<" in _menu(html) and _current(html) == ["/forums"]


def test_a_moderators_entry_and_count_are_theirs_and_current(client, login_as, db):
    thread = ff.thread(title="De raportat")
    post_id = ff.opening_post(thread).id
    moderator = factories.person("moderator", locale="en")
    moderator_id = moderator.id
    login_as("moderator", user=moderator)
    menu = _menu(client.get("/forums").get_data(as_text=True))
    assert "Moderation" in menu and 'class="badge"' not in menu
    login_as("citizen", locale="en")
    assert client.post(f"/moderation/post/{post_id}/report",
                       data={"reason": "spam"}).status_code in (302, 303)
    assert "Moderation" not in _menu(client.get("/forums").get_data(as_text=True))
    login_as("moderator", user=db.session.get(type(moderator), moderator_id))
    menu = _menu(client.get("/forums").get_data(as_text=True))
    assert '<span class="badge">1</span>' in menu


def test_the_footer_offers_their_data_to_signed_in_people_only(client, login_as, db):
    client.set_cookie("lang", "en")
    assert "Your data" not in client.get("/events").get_data(as_text=True)
    login_as("citizen", locale="en")
    assert "Your data" in client.get("/events").get_data(as_text=True)
    client.delete_cookie("session")
    assert "Your data" not in client.get("/events").get_data(as_text=True)


def test_the_logo_follows_its_file(app, client, tmp_path, monkeypatch):
    folder = tmp_path / "static"
    (folder / "img").mkdir(parents=True)
    logo = folder / "img" / "logo.svg"
    logo.write_text("<svg>1</svg>")
    monkeypatch.setattr(app, "static_folder", str(folder))
    found = re.compile(r'<a class="brand"[^>]*><img src="([^"]+)"')
    first = found.search(client.get("/events").get_data(as_text=True))[1]
    logo.write_text("<svg>22</svg>")
    second = found.search(client.get("/events").get_data(as_text=True))[1]
    assert first != second and second.startswith("/static/img/logo.")


def test_the_site_share_image_follows_the_language(client, db):
    client.set_cookie("lang", "en")
    assert 'content="M100 Hub: climate-neutral' in client.get("/events").get_data(as_text=True)
    client.set_cookie("lang", "ro")
    html = client.get("/events").get_data(as_text=True)
    assert 'content="M100 Hub: climate-neutral' not in html and 'property="og:image"' in html


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def test_the_form_token_is_each_sessions_own_and_works(app, client, login_as, db, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login_as("citizen", locale="en")
    mine = _token(client.get("/events").get_data(as_text=True))
    time.sleep(1.1)  # a token signed anew would carry the next second's timestamp
    assert _token(client.get("/forums").get_data(as_text=True)) == mine
    other = app.test_client()
    login_as("citizen", locale="en", client_=other)
    theirs = _token(other.get("/events").get_data(as_text=True))
    assert theirs != mine
    # each token works for its own session only
    refused = other.post("/language", data={"csrf_token": mine, "language": "ro", "next": "/"})
    assert refused.status_code == 400
    taken = other.post("/language", data={"csrf_token": theirs, "language": "ro", "next": "/"})
    assert taken.status_code in (302, 303)
    db.session.commit()

