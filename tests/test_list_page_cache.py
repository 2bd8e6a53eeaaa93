"""The lists of events and consultations are cached whole for visitors without a session,
under keys of everything they show: every change shows at once; odd addresses, signed-in
readers and visitors with a session are never served from the cache."""

from __future__ import annotations

from m100hub.page_cache import pages_cache

from . import consultation_factories as cf
from . import event_factories as ef
from . import factories


def _twice_cached(client, url) -> str:
    client.get(url)
    hits = pages_cache.hits
    page = client.get(url)
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    assert pages_cache.hits == hits + 1, url
    return page.get_data(as_text=True)


def test_the_event_list_shows_changes_at_once(client, db):
    client.set_cookie("lang", "en")
    event = ef.event(capacity=2, title="Atelier solar")
    db.session.commit()
    assert "2 places left" in _twice_cached(client, "/events")
    ef.register(factories.person(), event)
    db.session.commit()
    assert "1 place left" in client.get("/events").get_data(as_text=True)
    ef.event(title="Webinar nou", kind="webinar")
    db.session.commit()
    page = _twice_cached(client, "/events")
    assert "Webinar nou" in page and "Atelier solar" in page
    assert "Webinar nou" in _twice_cached(client, "/events?kind=webinar")


def test_the_consultation_list_shows_changes_at_once(client, db):
    client.set_cookie("lang", "en")
    item = cf.consultation("open", title="Piste noi")
    db.session.commit()
    assert "0 participants" in _twice_cached(client, "/consultations")
    cf.vote(factories.person(), item, cf.questions_of(item)[0], 0)
    db.session.commit()
    assert "1 participant" in client.get("/consultations").get_data(as_text=True)
    assert "Piste noi" in _twice_cached(client, "/consultations?phase=open")


def test_odd_addresses_and_signed_in_readers_are_never_cached(client, db, login_as):
    ef.event()
    cf.consultation("open")
    db.session.commit()
    for url in ("/events?utm=x", "/events?kind=nimic", "/events?page=01",
                "/consultations?phase=toate", "/consultations?city=nicaieri",
                "/consultations?page=1&page=2"):
        hits = pages_cache.hits
        client.get(url)
        client.get(url)
        assert pages_cache.hits == hits, url
    assert "utm" not in _twice_cached(client, "/events")
    login_as("citizen")
    hits = pages_cache.hits
    for url in ("/events", "/consultations"):
        client.get(url)
        client.get(url)
    assert pages_cache.hits == hits
