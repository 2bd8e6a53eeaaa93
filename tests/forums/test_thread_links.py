"""Forum threads about a consultation or an event: started from its page, shown on both."""

from __future__ import annotations

from sqlalchemy import func, select

from m100hub.forums.models import Thread
from tests.support import consultation_factories as cf
from tests.support import event_factories as ef


def _start(client, slug, **about):
    query = "&".join(f"{k}={v}" for k, v in about.items())
    page = client.get(f"/forums/c/{slug}/new?{query}")
    data = {"title": "Ce părere aveți?", "body": "Să discutăm.", "city_id": "0", "tags": "",
            **{f"{k}_id": str(v) for k, v in about.items()}}
    return page, client.post(f"/forums/c/{slug}/new", data=data)


def test_a_thread_about_a_consultation_shows_on_both_pages(db, client, login_as):
    item = cf.consultation("open", title="Piste de biciclete")
    item_id = item.id
    login_as("citizen", locale="en")
    consultation_page = client.get(f"/consultations/{item_id}").get_data(as_text=True)
    assert f"/forums/c/oras-suceava/new?consultation={item_id}" in consultation_page
    form, response = _start(client, "oras-suceava", consultation=item_id)
    assert "About the consultation “Piste de biciclete”" in form.get_data(as_text=True)
    assert response.status_code == 303
    thread = db.session.scalar(select(Thread).order_by(Thread.id.desc()))
    assert thread.consultation_id == item_id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "About the consultation" in page and f"/consultations/{item_id}" in page
    assert "Ce părere aveți?" in client.get(f"/consultations/{item_id}").get_data(as_text=True)


def test_a_thread_about_an_event(db, client, login_as):
    event = ef.event(title="Atelier solar")
    event_id = event.id
    login_as("citizen", locale="en")
    form, response = _start(client, "general", event=event_id)
    assert response.status_code == 303
    assert db.session.scalar(select(Thread.event_id).order_by(Thread.id.desc())) == event_id
    assert "Ce părere aveți?" in client.get(f"/events/{event_id}").get_data(as_text=True)


def test_unknown_or_hidden_targets_are_404_and_nothing_is_written(db, client, login_as):
    draft = cf.consultation("draft")
    draft_id = draft.id
    login_as("citizen")
    before = db.session.scalar(select(func.count()).select_from(Thread))
    for about in ({"consultation": draft_id}, {"consultation": 999999999}, {"event": 999999}):
        form, response = _start(client, "general", **about)
        assert form.status_code == 404 and response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Thread)) == before
    response = client.post("/forums/c/general/new", data={
        "title": "Titlu bun", "body": "Text.", "city_id": "0", "consultation_id": "abc"})
    assert response.status_code == 200 and "Titlu bun" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Thread)) == before
