"""What the search matches is stored: each kind's text folded once, when written
(``folding.Searchable``, ``search_text``), matched at word starts — on PostgreSQL through a
GIN index. The stored text follows every write (create, edit, hide, rerender)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import column, select, text, update
from sqlalchemy import table as table_

from m100hub.cities.models import City
from m100hub.consultations import services as consultation_services
from m100hub.consultations.models import Consultation, Proposal
from m100hub.events.models import Event
from m100hub.extensions import db as _db
from m100hub.features import rerender_all
from m100hub.folding import Searchable, searchable, word_starts
from m100hub.forums import services as forum_services
from m100hub.forums.models import Thread
from m100hub.resources import services as resource_services
from m100hub.resources.models import FundingCall, Resource
from tests.support import consultation_factories as cfa
from tests.support import event_factories as evf
from tests.support import experts as ef
from tests.support import factories
from tests.support import forum_factories as ff
from tests.support import resources as rf
from tests.support.consultations import page

STORED = (City, Consultation, Proposal, Event, Thread, Resource, FundingCall)


def _links(response) -> list[str]:
    found = re.search(r'<ol class="search-results">(.*?)</ol>', page(response), re.S)
    return re.findall(r'<a href="([^"]+)">', found.group(1)) if found else []


def _stored(obj) -> str:
    return _db.session.scalar(select(type(obj).search_text).where(type(obj).id == obj.id))


@pytest.fixture
def termoficare(db):
    """One item of every kind that stores its text, about "Termoficare"."""
    city = factories.city("suceava")
    city.summary = "Orașul are o rețea de termoficare."
    consultation = cfa.consultation(title="Termoficarea orașului", sectors=["energy"])
    items = {
        "city": city, "consultation": consultation,
        "proposal": cfa.proposal(consultation, title="Contoare de termoficare"),
        "event": evf.event(title="Atelier despre termoficare"),
        "thread": ff.thread(title="Termoficare în Suceava", body="Ce facem?"),
        "request": ef.expertise_request(title="Audit pentru termoficare"),
        "expert": ef.profile(factories.user(), headline="Inginer de termoficare"),
        "resource": rf.item(title="Ghid de termoficare"),
        "call": rf.call(title="Finanțare pentru termoficare"),
    }
    _db.session.commit()
    return items


def _addresses(items) -> set[str]:
    return {f"/cities/{items['city'].slug}", f"/consultations/{items['consultation'].id}",
            f"/proposals/{items['proposal'].id}", f"/events/{items['event'].id}",
            f"/forums/t/{items['thread'].id}", f"/experts/requests/{items['request'].id}",
            f"/experts/{items['expert'].id}", f"/resources/{items['resource'].id}",
            f"/funding/{items['call'].id}"}


def test_every_searched_model_stores_its_folded_text(termoficare):
    for name, obj in termoficare.items():
        if isinstance(obj, Searchable):
            assert _stored(obj) == searchable(*(getattr(obj, f) for f in obj.search_fields))
            assert "termoficare" in _stored(obj), name


@pytest.mark.parametrize("query", ["termoficare", "TERMOF", "termo", "Termoficărea"[:5]])
def test_words_match_at_their_start_in_every_kind(client, termoficare, query):
    found = set(_links(client.get(f"/search?q={query}")))
    assert _addresses(termoficare) <= found


@pytest.mark.parametrize("query", ["oficare", "ermo", "ficare"])
def test_a_piece_inside_a_word_matches_nothing(client, termoficare, query):
    assert _links(client.get(f"/search?q={query}")) == []


def test_every_word_must_begin_a_word(client, termoficare):
    assert _links(client.get("/search?q=atelier+termo")) == [
        f"/events/{termoficare['event'].id}"]
    assert _links(client.get("/search?q=atelier+ficare")) == []


def test_the_stored_text_follows_edits(client, termoficare, login_as):
    items = termoficare
    admin = factories.person("admin")
    consultation = items["consultation"]
    consultation_services.edit(admin, consultation, {
        "title": "Apă caldă pentru blocuri", "summary": "Rezumat nou.", "body": "Fără **altceva**.",
        "results_due_on": None})
    items["city"].summary = "Un oraș din nord."
    items["proposal"].title, items["proposal"].body = "Contoare noi", "Pentru apa caldă."
    items["event"].title = "Atelier despre blocuri"
    forum_services.edit_post(admin, ff.opening_post(items["thread"]),
                             "Despre apa caldă.", title="Blocuri izolate")
    _db.session.commit()
    left = set(_links(client.get("/search?q=termoficare")))
    assert left == _addresses(items) - {
        f"/cities/{items['city'].slug}", f"/consultations/{consultation.id}",
        f"/proposals/{items['proposal'].id}", f"/events/{items['event'].id}",
        f"/forums/t/{items['thread'].id}"}
    found = set(_links(client.get("/search?q=blocuri")))
    assert {f"/consultations/{consultation.id}", f"/events/{items['event'].id}",
            f"/forums/t/{items['thread'].id}"} <= found
    assert f"/proposals/{items['proposal'].id}" in _links(client.get("/search?q=apa+calda"))
    assert f"/cities/{items['city'].slug}" in _links(client.get("/search?q=oras+nord"))


def test_a_new_item_is_found_at_once(client, db):
    item = evf.event(title="Stații de încărcare rapidă")
    _db.session.commit()
    assert _links(client.get("/search?q=statii+incarc")) == [f"/events/{item.id}"]


def test_hidden_and_retired_items_leave_the_search(client, termoficare):
    items = termoficare
    items["thread"].hidden = True
    resource_services.retire(factories.person("admin"), items["resource"], "Depășit.")
    _db.session.commit()
    found = set(_links(client.get("/search?q=termoficare")))
    assert f"/forums/t/{items['thread'].id}" not in found
    assert f"/resources/{items['resource'].id}" not in found
    items["thread"].hidden = False
    _db.session.commit()
    assert f"/forums/t/{items['thread'].id}" in _links(client.get("/search?q=termoficare"))


def test_a_hidden_opening_post_is_no_longer_searched_but_the_title_is(client, db):
    item = ff.thread(title="Piste noi", body="Despre biciclete electrice.")
    _db.session.commit()
    assert _links(client.get("/search?q=biciclete")) == [f"/forums/t/{item.id}"]
    ff.opening_post(item).hidden_dt = item.created_dt
    _db.session.commit()
    assert _links(client.get("/search?q=biciclete")) == []
    assert _links(client.get("/search?q=piste")) == [f"/forums/t/{item.id}"]


def test_rerender_writes_the_stored_text_again(client, termoficare):
    """A text changed behind the ORM's back (an old row, a bulk load) is folded again by
    ``flask m100 rerender``."""
    for model in STORED:
        _db.session.execute(update(model).values(search_text="").execution_options(
            synchronize_session=False))
    _db.session.commit()
    assert _links(client.get("/search?q=termoficare&kind=events")) == []
    rerender_all()
    _db.session.commit()
    for name, obj in termoficare.items():
        if isinstance(obj, STORED):
            assert "termoficare" in _stored(obj), name
    assert _links(client.get("/search?q=termoficare&kind=events")) == [
        f"/events/{termoficare['event'].id}"]


def test_the_migration_folded_the_seeded_cities(db):
    for city in _db.session.scalars(select(City)):
        assert _stored(city) == searchable(city.name, city.county, city.summary)


@pytest.mark.parametrize("model", [*STORED, "expert_profiles", "expertise_requests",
                                   "forum_posts"])
def test_postgresql_answers_from_the_gin_index(db, model):
    """The match is written as the index is (else PostgreSQL scans and folds every row)."""
    if _db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite scans")
    table = model if isinstance(model, str) else model.__tablename__
    rows = table_(table, column("id"), column("search_text"))
    stmt = select(rows.c.id).where(word_starts(rows.c.search_text, ["cladiri", "energ"]))
    _db.session.execute(text("SET LOCAL enable_seqscan = off"))
    compiled = stmt.compile(_db.engine, compile_kwargs={"literal_binds": True})
    plan = "\n".join(_db.session.execute(text(f"EXPLAIN {compiled}")).scalars())
    assert "Bitmap Index Scan on ix_" in plan and "search" in plan, plan


def test_a_change_to_other_fields_leaves_the_stored_text_alone(db, count_queries):
    """Only a searched field refolds the text: a reply's counters on its thread must not
    rewrite search_text (and its GIN index entry) on every reply."""
    thread = ff.thread(title="Termoficare în Suceava", body="Ce facem?")
    _db.session.commit()

    with count_queries() as counted:
        forum_services.reply(factories.user(), thread.id, "Un răspuns.")
        _db.session.flush()

    updates = [s for s in counted.statements if "UPDATE forum_threads" in s]
    assert updates and not any("search_text" in s for s in updates)
    thread.title = "Termoficare nouă"
    _db.session.commit()
    assert _db.session.scalar(select(Thread.search_text).where(Thread.id == thread.id)) \
        == searchable("Termoficare nouă")
