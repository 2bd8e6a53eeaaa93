"""The thread page's posts come from fragments rendered once per process (m100hub/fragments.py):
each reader still sees exactly their own page — their likes, their edit buttons, a
moderator's forms, hidden posts, their language — and a change shows at once. Every test views
the page first, so that what follows is served from fragments made by that view."""

from __future__ import annotations

import re

from jinja2 import meta, nodes

from m100hub.database import utcnow
from m100hub.forums import services
from m100hub.forums.views import POSTS, PostView
from m100hub.fragments import Fragments
from m100hub.moderation import services as moderation
from tests.support import factories
from tests.support import forum_factories as ff
from tests.support.forums import fresh, page


def post_html(html: str, number: int) -> str:
    """The <li> of post ``number``."""
    found = re.search(rf'<li id="post-{number}".*?</li>', html, re.S)
    assert found, f"no post {number}"
    return found.group(0)


def view(client, thread, lang: str = "en") -> str:
    client.set_cookie("lang", lang)
    response = client.get(f"/forums/t/{thread.id}")
    assert response.status_code == 200
    return page(response)


#: what a fragment's macro may read besides its view and holes: the environment's pure
#: helpers, whose other inputs (language, time zone, root path) every fragment's key holds,
#: and Jinja's own
PURE = {"avatar", "url_for", "_", "ngettext", "format_datetime", "format_when", "format_date",
        "decode_choices", "option_title", "consultation_steps", "dict", "range"}


def test_every_fragments_macros_read_nothing_but_their_view_and_holes(app):
    """The view is the fragment's key: the macro may read nothing a request could change
    besides it (no current_user, request, session, g, config, csrf_token), only pure
    helpers. Every Fragments of the app's features, found where they are made."""
    from m100hub.fragments import FRAGMENTS

    templates = {fragment.template for fragment in FRAGMENTS}
    assert {"forums/_post.html", "forums/_reply_form.html", "consultations/_about.html",
            "consultations/_ballot.html", "consultations/_comment_box.html"} <= templates
    for template in templates:
        source = app.jinja_env.loader.get_source(app.jinja_env, template)[0]
        tree = app.jinja_env.parse(source)
        # names the template sets itself (in a branch, Jinja's analysis calls them free)
        own = {name.name for assign in tree.find_all(nodes.Assign)
               for name in (assign.target, *assign.target.find_all(nodes.Name))
               if isinstance(name, nodes.Name)}
        names = meta.find_undeclared_variables(tree) - own
        assert names <= PURE, (template, names - PURE)


def test_each_reader_sees_their_own_buttons(app, client, db, login_as):
    author = factories.person("citizen", name="Ana Autoarea", locale="en")
    thread = ff.thread(author, body="Textul Anei.")
    liker = factories.person("citizen", locale="en")
    other = factories.person("citizen", locale="en")
    services.react(liker, ff.opening_post(thread))
    db.session.commit()
    pages = {}
    # the moderator first: a plain reader after them must not get their forms
    moderator = factories.person("moderator", locale="en")
    for name, person in (("moderator", moderator), ("liker", liker), ("other", other),
                         ("author", author)):
        login_as(user=person)
        pages[name] = post_html(view(client, thread), 1)
    client.get("/logout")
    with client.session_transaction() as session:
        session.clear()
    pages["anonymous"] = post_html(view(client, thread), 1)

    assert 'class="inline hide-form"' in pages["moderator"]
    assert all('hide-form' not in pages[name] for name in ("liker", "other", "author",
                                                             "anonymous"))
    assert 'aria-pressed="true"' in pages["liker"] and "/unlike" in pages["liker"]
    assert 'aria-pressed="false"' in pages["other"] and "/unlike" not in pages["other"]
    assert "/edit" in pages["author"] and "/delete" in pages["author"]
    assert "aria-pressed" not in pages["author"]  # nobody likes their own post
    assert all("/edit" not in pages[name] for name in ("liker", "other", "moderator"))
    assert "<form" not in pages["anonymous"] and "Quote" not in pages["anonymous"]
    assert all("1 like" in html for html in pages.values())
    assert len(POSTS) > 0


def test_a_change_shows_at_once(client, db, login_as):
    author = factories.person("citizen", name="Ana Autoarea", handle="ana")
    thread = ff.thread(author, body="Prima variantă.")
    post = ff.opening_post(thread)
    reader = login_as("citizen", locale="en")
    before = post_html(view(client, thread), 1)
    assert "Prima variantă." in before and "0 likes" in before and "edited" not in before

    services.edit_post(author, fresh(db, post), "A doua variantă.")
    db.session.commit()
    edited = post_html(view(client, thread), 1)
    assert "A doua variantă." in edited and "Prima" not in edited and "edited" in edited

    assert client.post(f"/forums/p/{post.id}/like").status_code == 303
    liked = post_html(view(client, thread), 1)
    assert "1 like" in liked and 'aria-pressed="true"' in liked

    renamed = fresh(db, author)
    renamed.display_name, renamed.handle = "Ana Popescu", "anapop"
    db.session.commit()
    html = post_html(view(client, thread), 1)
    assert "Ana Popescu" in html and "@anapop" in html and "Autoarea" not in html
    assert ">AP</text>" in html  # the avatar's initials too

    moderation.hide(factories.person("moderator"), fresh(db, post), "Off topic")
    db.session.commit()
    hidden = post_html(view(client, thread), 1)
    assert "hidden by a moderator: Off topic" in hidden and "A doua variantă." not in hidden
    assert reader.id != author.id


def test_the_readers_language_is_part_of_the_key(client, db, login_as):
    thread = ff.thread(body="Text.")
    reader = login_as("citizen", locale="en")
    english = post_html(view(client, thread), 1)
    fresh(db, reader).locale = "ro"
    db.session.commit()
    romanian = post_html(view(client, thread), 1)
    assert "0 likes" in english and ">Like<" in english
    assert "0 aprecieri" in romanian and ">Apreciază<" in romanian, romanian


def test_a_hidden_post_shows_its_text_to_its_author_only(client, db, login_as):
    author = factories.person("citizen")
    thread = ff.thread(author, body="Deschidere.")
    post = ff.reply(thread, author, body="Textul ascuns.")
    moderation.hide(factories.person("moderator"), post, "Spam")
    db.session.commit()
    login_as(user=author)
    assert "Textul ascuns." in post_html(view(client, thread), 2)
    login_as("citizen")
    assert "Textul ascuns." not in post_html(view(client, thread), 2)


def test_each_form_gets_its_own_key_and_the_requests_token(client, db, login_as):
    """The holes: a new one-time key for every like form of every page; the CSRF token of
    the request (the one the follow form carries)."""
    thread = ff.thread(body="Unu.")
    ff.replies(thread, 3)
    db.session.commit()
    login_as("citizen", locale="en")
    keys, tokens = [], set()
    for _ in range(2):
        html = view(client, thread)
        assert "\x00" not in html
        forms = re.findall(r'<form method="post" action="/forums/p/\d+/like".*?</form>', html,
                           re.S)
        assert len(forms) == 4
        keys += [re.search(r'name="submission_key" value="([^"]+)"', f).group(1)
                 for f in forms]
        follow = re.search(r'action="/forums/t/\d+/follow".*?</form>', html, re.S).group(0)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', follow).group(1)
        assert {re.search(r'name="csrf_token" value="([^"]+)"', f).group(1)
                for f in forms} == {token}
        tokens.add(token)
    assert len(set(keys)) == 8


def test_the_blank_reply_form_never_shows_another_requests_text(client, db, login_as):
    """A quote or a preview is this request's; the blank form after them is blank."""
    thread = ff.thread(body="Citește asta.")
    db.session.commit()
    login_as("citizen", locale="en")
    blank = view(client, thread)
    quoted = page(client.get(f"/forums/t/{thread.id}?quote={ff.opening_post(thread).id}"))
    assert "&gt; Citește asta." in quoted
    previewed = page(client.post(f"/forums/t/{thread.id}/reply",
                                 data={"body": "Ciorna mea.", "preview": "1"}))
    assert "Ciorna mea." in previewed and 'id="preview-title"' in previewed
    again = view(client, thread)
    assert "Citește asta.</textarea>" not in again and "Ciorna mea." not in again
    assert 'id="preview-title"' not in again
    keys = [re.search(r'action="/forums/t/\d+/reply".*?name="submission_key" value="([^"]+)"',
                      html, re.S).group(1) for html in (blank, quoted, again)]
    assert len(set(keys)) == 3


def test_fragments_are_bounded_in_number_and_size(app, db):
    """The oldest fragment goes first when either bound is passed; one in use stays."""
    views = [PostView(1, 1, n, n, utcnow(), False, False, False, False, "", f"<p>{n}</p>" * n,
                      0, None, False, False, False, False, False, False, False)
             for n in (1, 200, 3)]
    with app.test_request_context("/"):
        few = Fragments("forums/_post.html", "post", kept=2)
        few.render(views[:1]), few.render(views[1:2]), few.render(views[:1])
        few.render(views[2:])  # the second view was the oldest in use
        assert len(few) == 2 and few.render(views[:1]) == few.render(views[:1])
        small = Fragments("forums/_post.html", "post", kept_chars=len(str(few.render(
            views[1:2]))) + 10)
        small.render(views[:1])
        assert len(small) == 1
        small.render(views[1:2])  # too big beside the first: the first goes
        assert len(small) == 1 and "<p>200</p>" in small.render(views[1:2])
        small.render(views[2:])
        assert len(small) == 1
