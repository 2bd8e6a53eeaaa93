"""Forum search: insensitive to case and Romanian diacritics, by word beginnings, every word
required, highlighted, never showing what the reader may not see, never failing on odd input.

The same tests run on SQLite (FTS5) and PostgreSQL (to_tsvector over the folded text)."""

from __future__ import annotations

import re

import pytest
from markupsafe import Markup

from m100hub.forums import services
from m100hub.forums.search import MAX_TERMS, fold, highlight, search_text, terms
from m100hub.moderation import services as moderation
from tests.support import factories
from tests.support import forum_factories as ff


def search(client, query: str, **params) -> str:
    response = client.get("/forums/search", query_string={"q": query, **params})
    assert response.status_code == 200, query
    return response.get_data(as_text=True)


def results(html: str) -> str:
    """The results list only (the search box repeats the query)."""
    if '<ol class="search-results">' not in html:
        return ""
    start = html.index('<ol class="search-results">')
    return html[start:html.index("</ol>", start)]


def found_posts(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/forums/p/(\d+)"', results(html))}


@pytest.fixture
def anonymous(client):
    client.set_cookie("lang", "en")
    return client


# --- the search page -------------------------------------------------------------------------


def test_without_diacritics_finds_with_diacritics(anonymous, db):
    thread = ff.thread(title="Clădiri eficiente", body="Renovarea blocurilor.")
    other = ff.thread(title="Transport public", body="Autobuze electrice.")
    db.session.commit()

    html = search(anonymous, "cladiri")

    assert found_posts(html) == {ff.opening_post(thread).id}
    assert ff.opening_post(other).id not in found_posts(html)
    assert "1 results for “cladiri”" in html or "1 result" in html


def test_case_is_ignored_both_ways(anonymous, db):
    sector = ff.thread(title="Planul pentru Sectorul 2", body="Detalii.")
    plain = ff.thread(title="despre cladiri", body="Fără diacritice în titlu.")
    db.session.commit()

    assert found_posts(search(anonymous, "sectorul")) == {ff.opening_post(sector).id}
    assert found_posts(search(anonymous, "SECTORUL")) == {ff.opening_post(sector).id}
    assert found_posts(search(anonymous, "CLĂDIRI")) == {ff.opening_post(plain).id}
    assert found_posts(search(anonymous, "ClĂdIrI")) == {ff.opening_post(plain).id}


def test_every_romanian_diacritic_folds(anonymous, db):
    thread = ff.thread(title="Ședință", body="Țară, învățământ, mâine, ştiinţă (cedilla).")
    db.session.commit()
    opening = ff.opening_post(thread).id
    for query in ("sedinta", "tara", "invatamant", "maine", "stiinta", "ȘTIINȚĂ", "ŞEDINŢĂ"):
        assert found_posts(search(anonymous, query)) == {opening}, query


def test_words_match_by_their_beginning(anonymous, db):
    thread = ff.thread(title="Despre clădirile vechi", body="Izolarea termică.")
    db.session.commit()
    opening = ff.opening_post(thread).id
    assert found_posts(search(anonymous, "cladiri")) == {opening}
    assert found_posts(search(anonymous, "clad")) == {opening}
    assert found_posts(search(anonymous, "izol")) == {opening}
    assert found_posts(search(anonymous, "cladirilor")) == set()  # longer than the word
    assert found_posts(search(anonymous, "ladiri")) == set()  # not the beginning


def test_replies_are_found_as_well_as_opening_posts(anonymous, db):
    thread = ff.thread(title="Energie", body="Panouri fotovoltaice.")
    reply = ff.reply(thread, body="Și pompe de căldură geotermale.")
    db.session.commit()
    assert found_posts(search(anonymous, "geotermale")) == {reply.id}
    assert found_posts(search(anonymous, "caldura")) == {reply.id}


def test_all_words_are_required(anonymous, db):
    both = ff.thread(title="Biciclete în Suceava", body="Piste noi.")
    only_one = ff.thread(title="Biciclete în Cluj", body="Piste vechi.")
    db.session.commit()
    assert found_posts(search(anonymous, "biciclete suceava")) == {ff.opening_post(both).id}
    assert found_posts(search(anonymous, "biciclete")) == {ff.opening_post(both).id,
                                                           ff.opening_post(only_one).id}
    assert found_posts(search(anonymous, "suceava cluj")) == set()
    # Punctuation between words does not change that.
    assert found_posts(search(anonymous, "biciclete, SUCEAVA!")) == {ff.opening_post(both).id}


def test_matching_posts_are_ranked_and_listed(anonymous, db):
    """Rank order between close cases is not asserted; what matches is listed, what does
    not match is not."""
    many = ff.thread(title="Compost", body="Compost, compost și iar compost.")
    once = ff.thread(title="Grădini", body="Un pic de compost.")
    none = ff.thread(title="Grădini urbane", body="Roșii pe balcon.")
    db.session.commit()
    found = found_posts(search(anonymous, "compost"))
    assert {ff.opening_post(many).id, ff.opening_post(once).id} == found
    assert ff.opening_post(none).id not in found


def test_snippets_show_the_text_without_markdown_marks(anonymous, db):
    ff.thread(title="Acoperișuri", body="## Plan\n\nCum facem **acoperișuri verzi** în "
                                        "[Suceava](https://x.ro), `pas cu pas`.")
    long_body = "Un **text** lung despre acoperișuri. " + "Cuvinte multe. " * 400
    ff.thread(title="Lung", body=long_body)
    db.session.commit()

    found = results(search(anonymous, "acoperisuri"))

    assert "**" not in found and "##" not in found and "](" not in found and "`" not in found
    assert "Cum facem <mark>acoperișuri</mark> verzi în Suceava, pas cu pas." in found
    assert "Un text lung despre <mark>acoperișuri</mark>. Cuvinte multe." in found
    assert found.count("…") == 1  # the long one is cut, the short one is whole


def test_matching_words_are_highlighted(anonymous, db):
    ff.thread(title="Clădiri verzi", body="Renovarea clădirilor din Sectorul 2.")
    db.session.commit()

    found = results(search(anonymous, "cladiri sectorul"))

    assert "<mark>Clădiri</mark> verzi" in found
    assert "<mark>clădiri</mark>lor" in found and "<mark>Sectorul</mark> 2" in found


def test_results_escape_what_people_wrote(anonymous, db):
    ff.thread(title="<b>Cladiri</b> <script>alert(1)</script>",
              body="<img src=x onerror=alert(1)> cladiri")
    db.session.commit()
    found = results(search(anonymous, "cladiri"))
    assert found
    assert "<script>" not in found and "<img" not in found and "<b>" not in found
    assert "&lt;b&gt;<mark>Cladiri</mark>&lt;/b&gt;" in found


def test_hidden_and_deleted_posts_are_not_found_the_replies_after_a_hidden_opening_are(
    anonymous, db
):
    moderator = factories.person("moderator")
    shown = ff.thread(title="Agricultura urbana vizibila", body="Grădini.")
    hidden_post = ff.reply(shown, body="Agricultura urbana ascunsa.")
    deleted_post = ff.reply(shown, body="Agricultura urbana stearsa.")
    hidden_thread = ff.thread(title="Agricultura urbana fir ascuns", body="Secret.")
    in_hidden_thread = ff.reply(hidden_thread, body="Agricultura urbana raspuns ascuns.")
    moderation.hide(moderator, hidden_post, "Spam")
    services.delete_post(None, deleted_post)
    moderation.hide(moderator, ff.opening_post(hidden_thread), "Spam")
    db.session.commit()

    found = found_posts(search(anonymous, "agricultura urbana"))

    # the thread of a hidden opening post stays readable, its replies too
    assert found == {ff.opening_post(shown).id, in_hidden_thread.id}
    for post in (hidden_post, deleted_post, ff.opening_post(hidden_thread)):
        assert post.id not in found
    assert "Agricultura urbana ascunsa" not in results(search(anonymous, "ascunsa"))
    assert found_posts(search(anonymous, "stearsa")) == set()
    assert found_posts(search(anonymous, "secret")) == set()


def test_a_signed_in_person_does_not_find_others_hidden_posts(client, db, login_as):
    thread = ff.thread(title="Fir", body="Text vizibil.")
    hidden = ff.reply(thread, body="Cuvantunic ascuns.")
    moderation.hide(factories.person("moderator"), hidden, "Spam")
    db.session.commit()
    login_as("citizen", locale="en")
    assert found_posts(search(client, "cuvantunic")) == set()


def test_edited_text_is_searched_not_the_old_one(client, db, login_as):
    user = login_as("citizen", locale="en")
    thread = ff.thread(user, title="Titlu initial", body="Vechiultext.")
    db.session.commit()
    opening = ff.opening_post(thread)
    client.post(f"/forums/p/{opening.id}/edit",
                data={"title": "Titlu schimbat", "body": "Noultext."})
    assert found_posts(search(client, "noultext")) == {opening.id}
    assert found_posts(search(client, "schimbat")) == {opening.id}
    assert found_posts(search(client, "vechiultext")) == set()
    assert found_posts(search(client, "initial")) == set()


def test_search_results_are_paginated(anonymous, db, app):
    author = factories.user()
    thread = ff.thread(author, title="Mulțime")
    per_page = app.config["PER_PAGE"]
    ff.replies(thread, per_page + 2, author, body="Cuvântcomun numărul {i}.")
    db.session.commit()
    first = search(anonymous, "cuvantcomun")
    second = search(anonymous, "cuvantcomun", page=2)
    assert len(found_posts(first)) == per_page
    assert len(found_posts(second)) == 2
    assert found_posts(first).isdisjoint(found_posts(second))
    assert f"{per_page + 2} results" in first


@pytest.mark.parametrize("query", ["", "   ", "!!!", "* & | : \" ' ( ) -", "—"])
def test_an_empty_query_shows_no_results_and_no_error(anonymous, db, query):
    ff.thread(title="Ceva", body="Altceva.")
    db.session.commit()
    html = search(anonymous, query)
    assert "Search the forums" in html
    assert results(html) == "" and "Nothing found" not in html and "results for" not in html


def test_the_search_form_without_a_query(anonymous, db):
    response = anonymous.get("/forums/search")
    assert response.status_code == 200
    assert 'name="q"' in response.get_data(as_text=True)


def test_nothing_found_says_so(anonymous, db):
    ff.thread(title="Ceva", body="Altceva.")
    db.session.commit()
    html = search(anonymous, "inexistentcuvant")
    assert "Nothing found for “inexistentcuvant”." in html


ODD_QUERIES = [
    '"', '""', "'", "*", "cladiri*", "*cladiri", '"cladiri"', '"cladiri', "cladiri:*",
    ":", "a:b", "&", "&&", "|", "||", "!", "!cladiri", "cladiri & !sectorul", "(", ")",
    "(cladiri", "cladiri)", "-cladiri", "+cladiri", "NEAR(cladiri sectorul)", "cladiri NOT x",
    "AND", "OR", "NOT", "and or not", "^cladiri", "cladiri^2", "{cladiri}", "[cladiri]",
    "cladiri <-> sectorul", "<->", "<1>", "\\", "\\\\", "%", "_", "__", "a_b", "%cladiri%",
    "'; DROP TABLE forum_posts; --", "' OR 1=1 --", "\u00a0cladiri\u00a0", "cladiri\tsectorul",
    "😀", "cladiri 😀", "²", "ﬁnal", "ǅ", "٣", "ß", "İstanbul", "\u0301", "a\u0301",
    "x" * 300, "cladiri " * 20, "<mark>cladiri</mark>", "<script>alert(1)</script>",
    "@persoana1", "#tag", "https://example.com/?q=cladiri&x=1", "1.5", "-1", "0x1F",
    "column:value", "search_text:cladiri", "forum_posts_fts:cladiri", "rowid:1",
    "{search_text}: cladiri", "cladiri OR sectorul", "c*l*a*d", "''''", '"" cladiri ""',
]


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_queries_never_fail(anonymous, db, query):
    ff.thread(title="Clădiri în Sectorul 2", body="Text despre clădiri și final.")
    db.session.commit()
    response = anonymous.get("/forums/search", query_string={"q": query})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html


def test_punctuation_around_words_still_finds_them(anonymous, db):
    thread = ff.thread(title="Clădiri în Sectorul 2", body="Text.")
    db.session.commit()
    opening = ff.opening_post(thread).id
    for query in ('"cladiri"', "cladiri*", "(cladiri)", "cladiri: sectorul!", "cladiri & sectorul",
                  "!cladiri", "'cladiri'", "cladiri|sectorul", "cladiri, sectorul."):
        assert found_posts(search(anonymous, query)) == {opening}, query


# --- m100hub.forums.search, unit by unit --------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "folded"),
    [
        ("Clădiri", "cladiri"),
        ("CLĂDIRI", "cladiri"),
        ("Sectorul", "sectorul"),
        ("ĂÂÎȘȚăâîșț", "aaistaaist"),
        ("ŞŢşţ", "stst"),  # the cedilla forms too
        ("Învățământ", "invatamant"),
        ("Crème brûlée", "creme brulee"),
        ("already plain 123", "already plain 123"),
        ("", ""),
    ],
)
def test_fold(value, folded):
    assert fold(value) == folded


def test_fold_of_none_is_empty():
    assert fold(None) == ""


def test_terms_are_folded_unique_words_in_order():
    assert terms("Clădiri, SECTORUL! clădiri? sectorul") == ["cladiri", "sectorul"]
    assert terms("") == [] and terms("  ") == []
    assert terms("* & | : ! \" ' ( ) -") == []
    assert terms("a:b c&d") == ["a", "b", "c", "d"]
    assert terms("<script>alert(1)</script>") == ["script", "alert", "1"]


def test_terms_are_capped():
    words = [f"cuvant{n}" for n in range(MAX_TERMS + 5)]
    assert terms(" ".join(words)) == words[:MAX_TERMS]


def test_search_text_folds_title_and_body():
    assert search_text("Clădiri", "În Sectorul 2") == "cladiri\nin sectorul 2"


def test_highlight_marks_words_regardless_of_case_and_diacritics():
    result = highlight("Clădirile din sectorul 2 și CLADIRI", ["cladiri", "sectorul"])
    assert isinstance(result, Markup)
    assert str(result) == ("<mark>Clădiri</mark>le din <mark>sectorul</mark> 2 și "
                           "<mark>CLADIRI</mark>")


def test_highlight_escapes_html():
    result = str(highlight('<script>alert("cladiri")</script> & <b>cladiri</b>', ["cladiri"]))
    assert "<script>" not in result and "<b>" not in result
    assert result == ("&lt;script&gt;alert(&#34;<mark>cladiri</mark>&#34;)&lt;/script&gt; "
                      "&amp; &lt;b&gt;<mark>cladiri</mark>&lt;/b&gt;")


def test_highlight_escapes_inside_marks_and_never_breaks_tags():
    # A word next to markup: the mark wraps the escaped text only.
    assert str(highlight("x<cladiri>", ["cladiri"])) == "x&lt;<mark>cladiri</mark>&gt;"
    # Markup-like words cannot inject either (terms() only yields word characters anyway).
    assert "<b>" not in str(highlight("a <b> b", ["<b>"]))


def test_highlight_overlaps_and_limits():
    assert str(highlight("cladirile", ["cladiri", "cladirile"])) == "<mark>cladiri</mark>le"
    assert str(highlight("aaaa", ["aa"])) == "<mark>aa</mark><mark>aa</mark>"
    assert str(highlight("cladiri " * 100, ["cladiri"], limit=10)) == (
        "<mark>cladiri</mark> cl")
    assert str(highlight("nothing here", [])) == "nothing here"
    assert str(highlight("", ["x"])) == ""


def test_highlight_keeps_characters_that_fold_to_nothing_or_several():
    # A lone combining mark and a ligature keep their place; no crash, nothing lost.
    assert str(highlight("\u0301cladiri", ["cladiri"])) == "\u0301<mark>cladiri</mark>"
    assert str(highlight("ﬁnal cladiri", ["cladiri"])) == "ﬁnal <mark>cladiri</mark>"
