"""An event's page reads the event, the reader's registration and whether its other parts
(co-organisers, boards, threads about it) have anything in one statement, and asks those
parts only when they have: each must still show exactly what is there, to each reader."""

from __future__ import annotations

from m100hub.accounts.models import User
from m100hub.database import utcnow
from m100hub.extensions import db
from m100hub.forums.models import Thread
from tests.support import boards, factories
from tests.support import event_factories as ef
from tests.support import forum_factories as ff


def _page(client, event_id: int) -> str:
    db.session.commit()
    db.session.expunge_all()
    response = client.get(f"/events/{event_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_an_event_with_nothing_around_it_is_two_statements(measure, login_as, db):
    """The person (with their unread count) and the event with everything else."""
    event_id = ef.event(kind="webinar", title="Webinar solar").id
    login_as("citizen", locale="en")
    counter = measure(f"/events/{event_id}", "Webinar solar", 1)
    assert counter.count == 2, repr(counter)
    assert "No discussion yet." in counter.text


def test_threads_about_the_event_are_shown_as_long_as_they_are_advertised(client, login_as, db):
    event_id = ef.event(kind="webinar").id
    login_as("citizen", locale="en")
    assert "Despre webinar" not in _page(client, event_id)
    thread_id = ff.thread(title="Despre webinar").id
    db.session.get(Thread, thread_id).event_id = event_id
    assert "Despre webinar" in _page(client, event_id)
    db.session.get(Thread, thread_id).hidden = True
    assert "Despre webinar" not in _page(client, event_id)
    thread = db.session.get(Thread, thread_id)
    thread.hidden = False
    ff.opening_post(thread).hidden_dt = utcnow()  # a moderator hid the opening post
    assert "Despre webinar" not in _page(client, event_id)


def test_co_organisers_and_boards_appear_once_there_are_some(client, login_as, db):
    shop = boards.workshop()
    event_id, board_id, organiser_id = shop.event.id, shop.board_id, shop.organiser.id
    shop.participant.locale = "en"
    login_as("citizen", user=shop.participant)
    html = _page(client, event_id)
    assert f"/boards/{board_id}" in html and "Co-organisers" not in html
    helper = factories.user(name="Ilinca Coorganizatoare")
    other_id = ef.event(organiser=db.session.get(User, organiser_id), co_organisers=[helper]).id
    html = _page(client, other_id)
    assert "Ilinca Coorganizatoare" in html and "/boards/" not in html


def test_each_reader_sees_their_own_registration(client, login_as, db):
    event = ef.event(capacity=1)
    event_id = event.id
    people = [factories.person("citizen", locale="en") for _ in range(3)]
    ef.register(people[0], event)
    ef.register(people[1], event)  # full: waiting
    first, second, third = (person.id for person in people)
    login_as("citizen", user=db.session.get(User, first))
    assert "You have a place." in _page(client, event_id)
    login_as("citizen", user=db.session.get(User, second))
    html = _page(client, event_id)
    assert "You are number 1 on the waiting list." in html and "You have a place." not in html
    login_as("citizen", user=db.session.get(User, third))
    html = _page(client, event_id)
    assert "You have a place." not in html and "waiting list." not in html
    assert "Join the waiting list" in html
