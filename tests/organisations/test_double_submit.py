"""Double submits of organisations' forms: a request for a new organisation and a request to
join one, each sent twice with its form's key, are one request, and the second click lands
where the first did, with the same message."""

from __future__ import annotations

from m100hub.organisations.models import Membership, Organisation
from tests.support import factories
from tests.support.forum_factories import count
from tests.support.submissions import key_on, send


def test_a_new_organisation_sent_twice_is_one_request(client, db, login_as):
    login_as("citizen", locale="en")
    before = count(Organisation)
    data = {"name": "Asociația Dublu Clic", "kind": "ngo", "city_id": "0",
            "website": "https://dublu.example.ro",
            "submission_key": key_on(client, "/organisations/new")}
    first, second = (send(client, "/organisations/new", data) for _ in range(2))
    assert first.status == 303 and first == second
    assert first.flashes == ("Thank you. The secretariat will verify your request.",)
    assert count(Organisation) == before + 1


def test_asking_to_join_twice_is_one_request(client, db, login_as):
    organisation = factories.organisation()
    db.session.commit()
    person = login_as("citizen", locale="en")
    data = {"submission_key": key_on(client, f"/organisations/{organisation.slug}")}
    first, second = (send(client, f"/organisations/{organisation.slug}/join", data)
                     for _ in range(2))
    assert first.status == 303 and first == second
    assert first.flashes == ("Your request has been sent; you will be notified of the "
                             "decision.",)
    assert count(Membership, Membership.user_id == person.id) == 1
