"""Double submits of events' forms: a registration sent twice (a double click, a retried
request) — one after the other or at the same moment on PostgreSQL and SQLite — is one
registration, and the second click lands on it with the same message, never on "Conflict";
a new event, a message to everyone and a cancellation sent twice happen once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from m100hub.events.models import Event, Registration
from m100hub.extensions import db as database
from m100hub.notifications.models import Notification
from tests.support import event_factories as ef
from tests.support import factories
from tests.support.events import count, event_form
from tests.support.submissions import at_once, close, key_on, scratch_app, send, signed_in

REGISTERED = "You are registered. Your ticket is below."


def test_a_second_click_on_register_lands_on_the_registration(client, db, login_as):
    event = ef.event()
    db.session.commit()
    login_as("citizen", locale="en")
    data = {"submission_key": key_on(client, f"/events/{event.id}")}

    first, second = (send(client, f"/events/{event.id}/register", data) for _ in range(2))

    assert first.status == second.status == 303
    assert first.location == second.location and first.location.endswith(f"/events/{event.id}")
    assert first.flashes == second.flashes == (REGISTERED,)
    assert count(Registration, Registration.event_id == event.id) == 1
    page = client.get(second.location).get_data(as_text=True)
    assert "Cancel my registration" in page and "Conflict" not in page


def test_the_waiting_list_message_is_said_again_on_the_second_click(client, db, login_as):
    event = ef.event(capacity=1)
    ef.register(factories.user(), event)
    db.session.commit()
    login_as("citizen", locale="en")
    data = {"submission_key": key_on(client, f"/events/{event.id}")}
    first, second = (send(client, f"/events/{event.id}/register", data) for _ in range(2))
    assert first == second and "waiting list" in first.flashes[0]
    assert count(Registration, Registration.event_id == event.id) == 2


def test_a_new_event_sent_twice_is_one_event(client, db, login_as):
    login_as("admin", locale="en")
    before = count(Event)
    data = event_form(submission_key=key_on(client, "/events/new"))
    first, second = (send(client, "/events/new", data) for _ in range(2))
    assert first == second and first.flashes == ("The event is published.",)
    assert count(Event) == before + 1


def test_a_message_and_a_cancellation_sent_twice_happen_once(client, db, login_as):
    organiser = login_as("admin", locale="en")
    event = ef.event(organiser)
    ef.register(factories.user(), event)
    db.session.commit()
    told = count(Notification)
    message = {"message": "Aduceți apă.",
               "submission_key": key_on(client, f"/events/{event.id}/attendees")}
    sent = [send(client, f"/events/{event.id}/message", message) for _ in range(2)]
    assert sent[0] == sent[1] and sent[0].flashes == ("Message sent to 1 people.",)
    assert count(Notification) == told + 1

    cancel = {"reason": "Ploaie.",
              "submission_key": key_on(client, f"/events/{event.id}/attendees")}
    cancelled = [send(client, f"/events/{event.id}/cancel", cancel) for _ in range(2)]
    assert cancelled[0] == cancelled[1] and cancelled[0].status == 303  # not a 409
    assert count(Notification) == told + 2


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def hub(request, tmp_path_factory):
    app = scratch_app(request.param, tmp_path_factory.mktemp("event-double"), "event_double")
    with app.test_request_context(method="POST"):
        person = factories.user()
        database.session.commit()
        login = person.get_id()
        database.session.remove()
    yield app, login
    close(app)


def test_two_registrations_at_once_with_one_key_are_one_registration(hub):
    app, login = hub
    with app.test_request_context(method="POST"):
        event_id = ef.event(capacity=5).id
        database.session.commit()
        database.session.remove()
    key = key_on(signed_in(app, login), f"/events/{event_id}")
    answers = at_once(app, login, f"/events/{event_id}/register", {"submission_key": key})
    assert answers[0] == answers[1]
    assert answers[0].status == 303
    assert answers[0].flashes == ("Te-ai înscris. Biletul tău este mai jos.",)
    with app.app_context():
        stored = database.session.scalar(select(func.count()).select_from(Registration)
                                         .where(Registration.event_id == event_id))
        database.session.remove()
    assert stored == 1
