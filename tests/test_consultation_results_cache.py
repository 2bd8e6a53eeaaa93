"""Results pages of closed consultations are cached for visitors without a session, under
keys of everything they show: a changed response shows at once; open results are never
cached."""

from __future__ import annotations

from m100hub.consultations import services
from m100hub.consultations.results_views import results_cache

from . import consultation_factories as cf
from . import factories


def test_a_new_response_shows_at_once_to_anonymous_readers(db, client):
    item = cf.consultation("published")
    official = factories.person("admin")
    item_id = item.id
    db.session.commit()
    first = client.get(f"/consultations/{item_id}/results")
    assert first.status_code == 200 and "Răspuns." in first.get_data(as_text=True)
    assert "Set-Cookie" not in first.headers
    hits = results_cache.hits
    assert "Răspuns." in client.get(f"/consultations/{item_id}/results").get_data(as_text=True)
    assert results_cache.hits == hits + 1
    services.publish(official, db.session.get(type(item), item_id), "Am schimbat planul.")
    db.session.commit()
    page = client.get(f"/consultations/{item_id}/results").get_data(as_text=True)
    assert "Am schimbat planul." in page and "Răspuns." not in page


def test_running_results_are_never_cached(db, client):
    item = cf.consultation("open", results_while_open=True)
    question = cf.questions_of(item)[0]
    item_id = item.id
    db.session.commit()
    assert "0 voturi" in client.get(f"/consultations/{item_id}/results").get_data(as_text=True)
    cf.vote(factories.person(), item, question, 0)
    db.session.commit()
    page = client.get(f"/consultations/{item_id}/results").get_data(as_text=True)
    assert "1 vot" in page
