"""One search across the hub: every kind a feature declares, insensitive to case and Romanian
diacritics (``cladiri`` finds ``clădiri``), filtered by kind, sector and city; hidden,
moderated and draft content never appears, whoever asks."""

from __future__ import annotations

import re

import pytest

from m100hub.extensions import db as _db
from m100hub.features import registry
from m100hub.folding import TRANSLATE_FROM, fold
from tests.support import consultation_factories as cfa
from tests.support import event_factories as evf
from tests.support import experts as ef
from tests.support import factories
from tests.support import forum_factories as ff
from tests.support.consultations import english, page

KINDS = {"threads", "consultations", "proposals", "events", "cities", "experts",
         "expertise_requests", "resources", "funding_calls"}


def _links(response) -> list[str]:
    """The results' addresses, in order."""
    found = re.search(r'<ol class="search-results">(.*?)</ol>', page(response), re.S)
    return re.findall(r'<a href="([^"]+)">', found.group(1)) if found else []


@pytest.fixture
def everything(db):
    """One item of every kind about "clădiri", in Suceava and the buildings sector."""
    suceava = factories.city("suceava")
    items = {
        "thread": ff.thread(title="Renovarea clădirilor vechi", city_id=suceava.id),
        "consultation": cfa.consultation(title="Clădiri publice eficiente",
                                         sectors=["buildings"]),
        "event": evf.event(title="Atelier despre clădiri", sectors=["buildings"]),
        "request": ef.expertise_request(title="Audit pentru clădiri școlare"),
        "expert": ef.profile(factories.user(name="Ana Expert"),
                             headline="Consultanță pentru clădiri pasive"),
    }
    items["proposal"] = cfa.proposal(items["consultation"], title="Panouri pe clădiri")
    _db.session.commit()
    return items


def _expected(items) -> set[str]:
    return {f"/forums/t/{items['thread'].id}", f"/consultations/{items['consultation'].id}",
            f"/proposals/{items['proposal'].id}", f"/events/{items['event'].id}",
            f"/experts/requests/{items['request'].id}", f"/experts/{items['expert'].id}"}


def test_every_feature_declares_its_kinds(db):
    assert {source.kind for source in registry().search_sources()} == KINDS


@pytest.mark.parametrize("query", ["cladiri", "CLADIRI", "clădiri", "CLĂDIRI", "cLaDiRi"])
def test_the_search_ignores_case_and_diacritics(client, everything, query):
    assert set(_links(client.get(f"/search?q={query}"))) == _expected(everything)


def test_cities_are_found_by_name_without_diacritics(client, db):
    city = factories.city("suceava")
    city.name = "Sucevița de test"
    _db.session.commit()
    assert f"/cities/{city.slug}" in _links(client.get("/search?q=sucevita"))


def test_every_word_must_match(client, everything):
    assert _links(client.get("/search?q=cladiri+pasive")) == [
        f"/experts/{everything['expert'].id}"]
    assert _links(client.get("/search?q=cladiri+inexistent")) == []


def test_filters_by_kind_sector_and_city(client, everything):
    english(client)
    assert _links(client.get("/search?q=cladiri&kind=events")) == [
        f"/events/{everything['event'].id}"]
    # the kind's count stays beside each kind's link
    text = page(client.get("/search?q=cladiri&kind=events"))
    assert "Events (1)" in text and "All (6)" in text
    by_sector = set(_links(client.get("/search?q=cladiri&sector=buildings")))
    assert f"/forums/t/{everything['thread'].id}" not in by_sector  # a general category
    assert f"/events/{everything['event'].id}" in by_sector
    assert _links(client.get("/search?q=cladiri&sector=transport")) == []
    by_city = set(_links(client.get("/search?q=cladiri&city=cluj-napoca")))
    # the expert serves any city; everything else is in Suceava
    assert by_city == {f"/experts/{everything['expert'].id}"}


def test_hidden_moderated_and_draft_content_never_appears(client, login_as, db):
    author = factories.user()
    hidden = ff.thread(author=author, title="Clădiri ascunse")
    hidden.hidden = True
    moderated = ff.thread(title="Subiect oarecare", body="Despre clădiri interzise")
    ff.opening_post(moderated).hidden_dt = moderated.created_dt
    draft = cfa.consultation("draft", title="Clădiri în ciornă")
    unlisted = ef.profile(factories.user(), listed=False, headline="Clădiri secrete")
    _db.session.commit()
    gone = {f"/forums/t/{hidden.id}", f"/forums/t/{moderated.id}",
            f"/consultations/{draft.id}", f"/experts/{unlisted.id}"}
    for who in ("anonymous", author, "moderator", "admin"):
        if who != "anonymous":
            login_as(who) if isinstance(who, str) else login_as(user=who)
        assert not gone & set(_links(client.get("/search?q=cladiri"))), who
    # a moderated opening post's thread is still found by its (visible) title
    assert f"/forums/t/{moderated.id}" in _links(client.get("/search?q=oarecare"))


def test_results_show_a_highlighted_snippet_and_the_city(client, everything):
    text = page(client.get("/search?q=cladiri&kind=events"))
    assert "<mark>clădiri</mark>" in text and "Suceava" in text


@pytest.mark.parametrize("query", ["", "   ", "%", "!!!", "_", "%25", "x" * 5000,
                                   "' OR 1=1 --", "<script>alert(1)</script>"])
def test_odd_queries_never_fail(client, everything, query):
    response = client.get("/search", query_string={"q": query, "page": "abc", "kind": "nope",
                                                   "sector": "'", "city": "nowhere"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_a_wildcard_is_a_character_not_a_pattern(client, everything):
    assert _links(client.get("/search?q=_")) == []
    assert _links(client.get("/search?q=clad_ri")) == []


def test_pages_of_results(client, app, db):
    for n in range(app.config["PER_PAGE"] + 5):
        evf.event(title=f"Clădire {n}")
    _db.session.commit()
    first, second = (_links(client.get(f"/search?q=cladire&page={n}")) for n in (1, 2))
    assert len(first) == app.config["PER_PAGE"] and len(second) == 5
    assert not set(first) & set(second)
    assert _links(client.get("/search?q=cladire&page=99")) == []


def test_the_header_has_a_search_box_on_every_page(client, db):
    for path in ("/", "/experts", "/events", "/search?q=x"):
        assert 'role="search" class="header-search"' in page(client.get(path))


def test_the_sql_fold_is_the_python_fold(db):
    """PostgreSQL's translate table and SQLite's function fold exactly as ``fold``."""
    from sqlalchemy import literal, select

    from m100hub.folding import Folded

    sample = TRANSLATE_FROM + " ȘȚĂÂÎ șțăâî Ş Ţ ş ţ ABC"
    assert _db.session.scalar(select(Folded(literal(sample)))) == fold(sample)


@pytest.mark.parametrize(("text", "word"), [("CLĂDIRI", "cladiri"), ("Școală veche", "scoala"),
                                            ("ȚARĂ", "tara"), ("Győr ŐSZ", "osz"),
                                            ("reducere 50%_x", "50"), ("a_b%c", "a_b")])
def test_the_first_test_lets_every_text_holding_the_word_through(db, text, word):
    from sqlalchemy import literal, select

    from m100hub.folding import loose_pattern, text_has_words

    assert word in fold(text)
    assert _db.session.scalar(select(literal(text).ilike(loose_pattern(word), escape="\\")))
    assert _db.session.scalar(select(text_has_words(literal(text), [word])))
    assert not _db.session.scalar(select(text_has_words(literal(text), [word + "zz"])))
