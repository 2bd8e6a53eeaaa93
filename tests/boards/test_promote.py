"""A card turned into a forum thread or a consultation proposal, through those features'
rules; the card links to what it became and that links back; once per card; others' cards
are refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from m100hub.boards.models import Card
from m100hub.consultations.models import Proposal
from m100hub.extensions import db as _db
from m100hub.forums.models import Post, Thread
from tests.support import boards as bf
from tests.support import consultation_factories as cf
from tests.support import event_factories as ef
from tests.support import factories
from tests.support import forum_factories as ff
from tests.support.submissions import key_on, send


def count(model) -> int:
    return _db.session.scalar(select(func.count()).select_from(model))


def test_a_card_becomes_a_forum_thread_linked_both_ways_once(client, login_as, db):
    shop = bf.workshop()
    card = bf.card(shop, text="Biciclete electrice la primărie")
    category = ff.category()
    login_as(user=shop.participant)
    path = f"/boards/cards/{card.id}/promote"
    data = {"target": "thread", "title": "Biciclete electrice", "category": str(category.id),
            "submission_key": key_on(client, path)}
    first, again = send(client, path, data), send(client, path, data)
    assert first.status == again.status == 303 and first.location == again.location
    assert count(Thread) == 1
    thread = _db.session.scalar(select(Thread))
    body = _db.session.scalar(select(Post.body).where(Post.thread_id == thread.id))
    assert f"/boards/cards/{card.id}" in body and thread.event_id == shop.event.id
    _db.session.expire_all()
    assert _db.session.get_one(Card, card.id).outcome == f"thread:{thread.id}"
    outcome = client.get(f"/boards/cards/{card.id}/outcome")
    assert outcome.status_code == 302
    assert outcome.location.endswith(client.get(outcome.location).request.path)
    assert "Biciclete electrice" in client.get(outcome.location).get_data(as_text=True)
    # once per card
    assert client.get(path).status_code == 403


def test_a_card_becomes_a_proposal_in_an_open_consultation(client, login_as, db):
    shop = bf.workshop()
    card = bf.card(shop, text="Piste de biciclete pe Calea Unirii")
    consultation = cf.consultation("open")
    login_as(user=shop.participant)
    response = client.post(f"/boards/cards/{card.id}/promote", data={
        "target": "proposal", "title": "Piste pe Calea Unirii",
        "consultation": str(consultation.id)})
    assert response.status_code == 303
    proposal = _db.session.scalar(select(Proposal))
    assert proposal.consultation_id == consultation.id and f"/boards/cards/{card.id}" in \
        proposal.body


def test_a_closed_consultation_takes_no_proposal(client, login_as, db):
    shop = bf.workshop()
    card = bf.card(shop)
    closed = cf.consultation("closed")
    login_as(user=shop.participant)
    response = client.post(f"/boards/cards/{card.id}/promote", data={
        "target": "proposal", "title": "Prea târziu", "consultation": str(closed.id)})
    assert response.status_code == 409 and count(Proposal) == 0


@pytest.mark.parametrize("who", ["outsider", "other_participant"])
def test_only_the_author_or_a_facilitator_turns_a_card(client, login_as, db, who):
    shop = bf.workshop(access="public")
    card = bf.card(shop)
    category = ff.category()
    person = shop.outsider
    if who == "other_participant":
        person = factories.person()
        ef.register(person, shop.event)
    login_as(user=person)
    response = client.post(f"/boards/cards/{card.id}/promote", data={
        "target": "thread", "title": "Al meu", "category": str(category.id)})
    assert response.status_code == 403 and count(Thread) == 0


@pytest.mark.parametrize("data", [
    {"target": "thread", "title": " ", "category": "CAT"},
    {"target": "thread", "title": "x" * 201, "category": "CAT"},
    {"target": "elsewhere", "title": "Bun", "category": "CAT"},
])
def test_bad_promote_forms_write_nothing(client, login_as, db, data):
    shop = bf.workshop()
    card = bf.card(shop)
    category = ff.category()
    data = {k: (str(category.id) if v == "CAT" else v) for k, v in data.items()}
    login_as(user=shop.organiser)
    response = client.post(f"/boards/cards/{card.id}/promote", data=data)
    assert response.status_code == 422 and count(Thread) == 0
