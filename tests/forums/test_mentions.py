"""@mentions: found by the Markdown parser in plain text only — never in a quote at any depth,
code, a link or a web or e-mail address — linked to the profiles of people who exist (one
query for all of them, at most MAX_MENTIONS), and notified exactly when linked: on create,
and on edit only for the newly mentioned."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from m100hub.forums.services import render_post
from m100hub.notifications.models import Notification
from m100hub.text import MAX_MENTIONS, render_markdown
from tests.support import factories
from tests.support import forum_factories as ff

MENTION_LINK = re.compile(r'<a class="mention" href="/u/(\d+)">@([a-z0-9._]+)</a>')


class Directory:
    """A stand-in resolver: these handles exist; it records every lookup it is asked for."""

    def __init__(self, *handles: str):
        self.ids = {handle: n for n, handle in enumerate(handles, start=1)}
        self.lookups: list[list[str]] = []

    def __call__(self, handles: list[str]) -> dict[str, str]:
        self.lookups.append(list(handles))
        return {h: f"/u/{self.ids[h]}" for h in handles if h in self.ids}


class Classes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.found += [(tag, value) for name, value in attrs if name == "class"]


def classes(html: str) -> list[tuple[str, str]]:
    """(tag, class) of every element of ``html`` with a class attribute."""
    parser = Classes()
    parser.feed(html)
    return parser.found


def linked(source: str, *handles: str) -> list[str]:
    """The handles ``source`` links when ``handles`` exist (in order of appearance)."""
    return [m.group(2) for m in MENTION_LINK.finditer(
        render_markdown(source, mentions=Directory(*handles)))]


# --- where a mention counts -----------------------------------------------------------------


@pytest.mark.parametrize("source", [
    "> > @ana",
    "> > **Radu** wrote:\n> > salut @ana\n>\n> @ana, vezi mai sus",
    "> @ana",
    "> citat\n> > adânc\n> > > mai adânc @ana",
    "- > @ana într-o listă",
    "`@ana`",
    "un ``cod cu @ana`` aici",
    "```\n@ana\n```",
    "~~~md\n> @ana\n~~~",
    "    @ana în cod indentat",
    "[@ana](https://example.ro)",
    "[scrie-i lui @ana](/u/1)",
    "<https://example.ro/@ana>",
    "https://medium.com/@ana",
    "https://example.ro/?cine=@ana",
    "https://example.ro/p#@ana",
    "scrie la ana@ana.ro",
    "<ana@ana.ro>",
    "![poza cu @ana](https://example.ro/a.png)",
    "@anamaria",
    "@ana_",
    "@anaș",
    "@ana@example.ro",
    "@" + "a" * 31,
])
def test_no_mention_outside_plain_text(source):
    assert linked(source, "ana", "a" * 30) == [], source


@pytest.mark.parametrize(("source", "expected"), [
    ("@ana", ["ana"]),
    ("Salut, @ana.", ["ana"]),
    ("Ce zici, @maria.pop.?", ["maria.pop"]),
    ("@Ana și @ANA", ["ana", "ana"]),
    ("**@ana** _(@maria.pop)_", ["ana", "maria.pop"]),
    ("# Pentru @ana", ["ana"]),
    ("> citat\n\n@ana după citat", ["ana"]),
    ("`@maria.pop` dar @ana", ["ana"]),
    ("[link](https://example.ro) @ana", ["ana"]),
    ("| cine |\n| --- |\n| @ana |", ["ana"]),
    ("@" + "a" * 30, ["a" * 30]),
])
def test_mentions_in_plain_text_are_linked(source, expected):
    assert linked(source, "ana", "maria.pop", "a" * 30) == expected


def test_unknown_handles_are_left_as_text():
    html = render_markdown("Salut @nimeni și @ana", mentions=Directory("ana"))
    assert "Salut @nimeni și" in html and html.count('class="mention"') == 1


def test_the_link_is_the_lower_case_handle_to_the_profile():
    html = render_markdown("Salut @Ana.", mentions=Directory("ana"))
    assert html == '<p>Salut <a class="mention" href="/u/1">@ana</a>.</p>'


def test_all_handles_are_looked_up_at_once_and_only_those_in_plain_text():
    directory = Directory("ana", "radu")
    render_markdown("@ana @Radu @ana @nimeni\n\n> @citat\n\n`@cod` [@link](/x)",
                    mentions=directory)
    assert directory.lookups == [["ana", "radu", "nimeni"]]


def test_no_lookup_without_a_mention():
    directory = Directory("ana")
    render_markdown("Nimic de văzut.\n\n> @ana doar în citat și `@ana`", mentions=directory)
    assert directory.lookups == []


def test_at_most_twenty_distinct_mentions():
    handles = [f"persoana.{n:02}" for n in range(25)]
    directory = Directory(*handles)
    html = render_markdown(" ".join(f"@{h}" for h in handles + handles), mentions=directory)
    assert directory.lookups == [handles[:MAX_MENTIONS]]
    assert [m.group(2) for m in MENTION_LINK.finditer(html)] == handles[:MAX_MENTIONS] * 2
    assert "@persoana.20 @persoana.21" in html  # the rest stay text


def test_without_a_resolver_nothing_is_linked():
    assert render_markdown("@ana") == "<p>@ana</p>"


def test_a_markdown_link_cannot_forge_the_mention_class():
    for source in ['[@ana](/u/1 "mention")', '<a class="mention" href="/u/1">@ana</a>',
                   "[@ana](/u/1){.mention}", '[x](/u/1)<span class="mention">']:
        html = render_markdown(source, mentions=Directory())  # nobody exists: nothing to link
        assert classes(html) == [], html


def test_the_cleaner_keeps_no_other_class():
    from m100hub.text import _cleaner  # the allow-list itself, given HTML markdown-it never makes

    html = _cleaner().clean('<a class="mention x" href="/a">a</a><a class="x" href="/b">b</a>'
                            '<p class="mention">c</p><a class="mention" href="/d">d</a>')
    assert classes(html) == [("a", "mention")] and '<a class="mention" href="/d">d</a>' in html


# --- people, queries and notifications --------------------------------------------------------


def mentioned_ids(db, post=None) -> list[int]:
    where = [Notification.kind == "forum_mention"]
    if post is not None:
        where.append(Notification.target_id == post.id)
    return sorted(db.session.scalars(select(Notification.recipient_id).where(*where)))


def test_a_mention_inside_a_nested_quote_is_neither_linked_nor_notified(client, db, login_as):
    """A reply quoting a post that itself quoted: every line of it is someone else's."""
    quoted = factories.user(handle="ana.citata")
    named = factories.user(handle="radu.numit")
    thread = ff.thread()
    login_as("citizen")
    body = ("> **Maria** wrote:\n> > **Ion** wrote:\n> > demult\n>\n> @ana.citata, vezi?\n\n"
            "Da, @radu.numit.")

    client.post(f"/forums/t/{thread.id}/reply", data={"body": body})

    html = ff.post_number(thread, 2).body_html
    assert [int(i) for i, _ in MENTION_LINK.findall(html)] == [named.id]
    assert mentioned_ids(db) == [named.id] != [quoted.id]


def test_render_post_finds_the_people_in_one_query(app, db, count_queries):
    people = [factories.user(handle=f"vecin.{n}") for n in range(5)]
    body = " ".join(f"@Vecin.{n}" for n in range(5)) + " @nimeni > `@vecin.9`"
    with app.test_request_context(), count_queries() as counter:
        html, mentioned = render_post(body)
    assert counter.count == 1, counter
    assert sorted(p.id for p in mentioned) == sorted(p.id for p in people)
    assert html.count('class="mention"') == 5


def test_render_post_makes_no_query_without_a_mention(app, db, count_queries):
    with app.test_request_context(), count_queries() as counter:
        assert render_post("> @vecin.1\n\nfără `@vecin.2`")[1] == []
    assert counter.count == 0, counter


def test_creating_a_thread_notifies_only_the_linked(client, db, login_as):
    linked_ones = [factories.user(handle=h) for h in ("ana.noua", "ion.nou")]
    others = [factories.user(handle=h) for h in ("in.citat", "in.cod", "in.link")]
    login_as("citizen")
    body = ("Salut @Ana.Noua și @ion.nou.\n\n> @in.citat\n\n`@in.cod` "
            "[@in.link](https://example.ro) contact@in.cod.ro")

    response = client.post("/forums/c/general/new", data={
        "title": "Mențiuni la început", "body": body, "city_id": "0", "tags": ""})

    assert response.status_code == 303
    assert mentioned_ids(db) == sorted(p.id for p in linked_ones)
    assert all(p.id not in mentioned_ids(db) for p in others)


def test_twenty_five_mentions_notify_the_first_twenty(client, db, login_as):
    people = [factories.user(handle=f"persoana.{n:02}") for n in range(25)]
    thread = ff.thread()
    login_as("citizen")
    client.post(f"/forums/t/{thread.id}/reply",
                data={"body": " ".join(f"@{p.handle}" for p in people)})
    assert mentioned_ids(db) == [p.id for p in people[:MAX_MENTIONS]]


def test_an_edit_notifies_only_the_newly_mentioned(client, db, login_as):
    author = login_as("citizen")
    first, second, quoted = (factories.user(handle=h) for h in ("prima", "a.doua", "citata"))
    thread = ff.thread(author=author, body="Pentru @prima")
    post = ff.opening_post(thread)
    db.session.commit()
    assert mentioned_ids(db, post) == [first.id]

    client.post(f"/forums/p/{post.id}/edit",
                data={"body": "Pentru @prima și @a.doua\n\n> @citata"})
    assert mentioned_ids(db, post) == sorted([first.id, second.id])

    client.post(f"/forums/p/{post.id}/edit", data={"body": "Acum doar @a.doua și @citata"})
    assert mentioned_ids(db, post) == sorted([first.id, second.id, quoted.id])
