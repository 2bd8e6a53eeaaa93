"""Following one action: signed-in, confirmed people follow and stop following it (idempotent,
a double submit answered as the first); they hear of its updates and status changes, once
each even when they also follow the city's contract or took part in what informed it; bad
addresses are not found; anonymous visitors sign in first, unconfirmed people are refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from m100hub.contracts.models import ActionFollower, Follower
from m100hub.extensions import db as _db
from m100hub.submissions import new_key
from tests.support import consultation_factories as consult
from tests.support import contracts as cf
from tests.support import factories
from tests.support.consultations import english, page, redirects_to_login


@pytest.fixture
def scene(db):
    contract = cf.contract()
    action = cf.action(contract, title="Renovarea școlilor")
    other = cf.action(contract, title="Piste de biciclete", sector="transport")
    _db.session.commit()
    return action, other


def _url(action, path=""):
    return f"/cities/suceava/contract/actions/{action.id}{path}"


def test_follow_and_unfollow_an_action(client, login_as, scene):
    action, other = scene
    person = login_as(user=factories.user(locale="en"))
    english(client)
    assert "Follow this action" in page(client.get(_url(action)))
    for _ in range(2):  # twice: still one row
        response = client.post(_url(action, "/follow"))
        assert response.status_code == 303 and response.headers["Location"].endswith(
            _url(action))
    assert _db.session.execute(select(ActionFollower.action_id, ActionFollower.user_id)
                               ).all() == [(action.id, person.id)]
    assert cf.count(Follower) == 0  # the action only, not the whole contract
    text = page(client.get(_url(action)))
    assert "You follow the action “Renovarea școlilor”." in text
    assert "Stop following this action" in text
    assert "Follow this action" in page(client.get(_url(other)))
    response = client.post(_url(action, "/unfollow"))
    assert response.status_code == 303
    assert "You no longer follow the action" in page(client.get(_url(action)))
    client.post(_url(action, "/follow"), data={"follow": "0"})  # harmless twice
    assert cf.count(ActionFollower) == 0


def test_a_double_submit_is_answered_as_the_first(client, login_as, scene):
    action, _other = scene
    login_as(user=factories.user(locale="en"))
    key = new_key()
    answers = [client.post(_url(action, "/follow"), data={"submission_key": key})
               for _ in range(2)]
    assert [a.status_code for a in answers] == [303, 303]
    assert answers[0].headers["Location"] == answers[1].headers["Location"]
    assert cf.count(ActionFollower) == 1


def test_bad_addresses_are_not_found_and_write_nothing(client, login_as, scene):
    action, _other = scene
    cluj = cf.action(cf.contract("cluj-napoca"), title="Tramvaie")
    login_as(user=factories.user(locale="en"))
    before = cf.count(ActionFollower)
    for url in (f"/cities/suceava/contract/actions/{cluj.id}/follow",  # another city's
                f"/cities/cluj-napoca/contract/actions/{action.id}/follow",
                "/cities/suceava/contract/actions/999999/follow",
                "/cities/suceava/contract/actions/unu/follow",
                f"/cities/nicaieri/contract/actions/{action.id}/follow"):
        assert client.post(url).status_code == 404, url
    assert client.get(_url(action, "/follow")).status_code == 405
    assert cf.count(ActionFollower) == before == 0


def test_anonymous_sign_in_first_and_unconfirmed_are_refused(client, login_as, scene):
    action, _other = scene
    assert redirects_to_login(client.post(_url(action, "/follow")))
    assert "Follow this action" not in page(client.get(_url(action)))
    login_as("unconfirmed")
    assert client.post(_url(action, "/follow")).status_code == 403
    assert cf.count(ActionFollower) == 0


def test_followers_hear_of_the_action_once_each(client, login_as, scene):
    """An action follower hears of its updates and status changes; one who also follows the
    contract, or took part in a consultation linked to it, hears once; a follower of another
    action hears nothing."""
    action, other = scene
    consultation = consult.consultation("open", title="Unde renovăm?")
    question = consult.questions_of(consultation)[0]
    only_action, both, voter_follower, elsewhere = (factories.user(locale="en")
                                                   for _ in range(4))
    consult.vote(voter_follower, consultation, question, 0)
    _db.session.commit()
    for person, urls in ((only_action, [_url(action, "/follow")]),
                         (both, [_url(action, "/follow"), "/cities/suceava/contract/follow"]),
                         (voter_follower, [_url(action, "/follow")]),
                         (elsewhere, [_url(other, "/follow")])):
        login_as(user=person)
        for url in urls:
            assert client.post(url).status_code == 303
    login_as(user=factories.official("suceava", locale="en"))
    assert client.post(_url(action, "/links"), data={
        "item": f"consultation:{consultation.id}", "explanation": "Am ales școlile votate."}
    ).status_code == 303
    linked = len(cf.notices())
    assert client.post(_url(action, "/updates"), data={
        "on_date": "2026-06-01", "body": "Au început lucrările."}).status_code == 303
    form = {"sector": "buildings", "title": action.title, "organisation_id": "0",
            "status": "done", "progress": "100"}
    assert client.post(_url(action, "/edit"), data=form).status_code == 303
    told = cf.notices()[linked:]
    followers = (only_action.id, both.id, voter_follower.id)
    assert sorted(told) == sorted([(p, "contract_action_update") for p in followers]
                                  + [(p, "contract_action_status") for p in followers])
    assert elsewhere.id not in {r for r, _k in cf.notices()}
    login_as(user=only_action)
    english(client)
    text = page(client.get("/notifications"))
    assert "Suceava posted an update on “Renovarea școlilor”." in text
    assert "“Renovarea școlilor” in Suceava is now: Done." in text


def test_an_action_follow_is_in_the_data_download_and_goes_with_the_account(app, scene):
    action, _other = scene
    from m100hub.contracts import personal_data

    person = factories.user()
    _db.session.add(ActionFollower(action_id=action.id, user_id=person.id))
    _db.session.flush()
    records = {r.key: r for r in personal_data.export(person)}
    assert [(row["action_id"], row["action"]) for row in
            records["contract_action_follows"].rows] == [(action.id, "Renovarea școlilor")]
    personal_data.erase(person)
    assert cf.count(ActionFollower) == 0
