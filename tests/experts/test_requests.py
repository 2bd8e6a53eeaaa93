"""Requests for expertise: a city's officials post them, experts answer once each, the
officials mark who helped (the expert is told) and close them; per role, bad inputs, double
submits, the public activity log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from m100hub.activity.models import ActivityEntry
from m100hub.experts.models import ExpertiseAnswer, ExpertiseRequest
from m100hub.extensions import db as _db
from m100hub.notifications.models import Notification
from m100hub.submissions import new_key
from tests.support import experts as ef
from tests.support import factories
from tests.support.consultations import english, page, redirects_to_login

ROLES = ("anonymous", "unconfirmed", "citizen", "cluj_official", "suceava_official", "admin")


def _sign_in(login_as, role):
    if role == "anonymous":
        return None
    if role.endswith("_official"):
        slug = {"cluj": "cluj-napoca", "suceava": "suceava"}[role.split("_")[0]]
        return login_as(user=factories.official(slug, locale="en"))
    return login_as(role, locale="en")


def _notified(kind: str) -> list[int]:
    return list(_db.session.scalars(select(Notification.recipient_id).where(
        Notification.kind == kind)))


@pytest.mark.parametrize("role", ROLES)
def test_only_a_citys_officials_post_requests_for_it(client, login_as, role):
    _sign_in(login_as, role)
    suceava = factories.city("suceava")
    response = client.post("/experts/requests/new", data=ef.request_form(suceava.id))
    if role == "anonymous":
        assert redirects_to_login(response)
    elif role == "suceava_official":
        assert response.status_code == 303
        item = _db.session.scalar(select(ExpertiseRequest))
        assert item.city_id == suceava.id and item.search_text.startswith("renovarea scolilor")
        assert _db.session.scalar(select(ActivityEntry.verb)) == "expertise_request_posted"
        return
    elif role == "cluj_official":
        assert response.status_code == 422  # Suceava is not among the cities offered
    else:
        assert response.status_code == 403
    assert ef.count(ExpertiseRequest) == 0


BAD_REQUESTS = [
    ("no title", {"title": ""}),
    ("title on two lines", {"title": "Renovarea\nșcolilor"}),
    ("no details", {"body": "  "}),
    ("no sector", {"sectors": []}),
    ("a past day", {"needed_by": ef.in_days(-1).isoformat()}),
    ("not a day", {"needed_by": "mâine"}),
    ("no city", {"city_id": "0"}),
    ("not a number", {"city_id": "x"}),
]


@pytest.mark.parametrize("changes", [b[1] for b in BAD_REQUESTS], ids=[b[0] for b in BAD_REQUESTS])
def test_a_bad_request_is_refused_with_a_message_and_nothing_written(client, login_as, changes):
    login_as(user=factories.official("suceava", locale="en"))
    english(client)
    response = client.post("/experts/requests/new",
                           data={**ef.request_form(factories.city("suceava").id), **changes})
    assert response.status_code == 422
    assert "error" in page(response)
    assert ef.count(ExpertiseRequest) == 0


def test_a_double_submitted_request_is_posted_once(client, login_as):
    login_as(user=factories.official("suceava"))
    data = {**ef.request_form(factories.city("suceava").id), "submission_key": new_key()}
    first, second = client.post("/experts/requests/new", data=data), client.post(
        "/experts/requests/new", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert ef.count(ExpertiseRequest) == 1


def test_an_expert_answers_once_and_the_official_is_told(client, login_as):
    official = factories.official("suceava")
    item = ef.expertise_request(author=official)
    expert = factories.user(name="Ana Expert")
    ef.profile(expert)
    login_as(user=expert)
    data = {"body": "Pot face auditul în mai.", "submission_key": new_key()}
    assert client.post(f"/experts/requests/{item.id}/answers", data=data).status_code == 303
    # the same form again: answered from the first submission
    assert client.post(f"/experts/requests/{item.id}/answers", data=data).status_code == 303
    # a second answer with another key: a conflict, nothing written
    again = client.post(f"/experts/requests/{item.id}/answers",
                        data={"body": "Încă o dată", "submission_key": new_key()})
    assert again.status_code == 409
    assert ef.count(ExpertiseAnswer) == 1
    _db.session.refresh(item)
    assert item.answer_count == 1
    assert _notified("expertise_answer") == [official.id]
    assert "Pot face auditul în mai." in page(client.get(f"/experts/requests/{item.id}"))


@pytest.mark.parametrize("who", ["no profile", "hidden profile", "anonymous", "unconfirmed"])
def test_who_may_not_answer(client, login_as, who):
    item = ef.expertise_request()
    if who == "anonymous":
        response = client.post(f"/experts/requests/{item.id}/answers", data={"body": "Eu"})
        assert redirects_to_login(response)
    else:
        person = login_as("unconfirmed" if who == "unconfirmed" else "citizen")
        if who == "hidden profile":
            ef.profile(person, listed=False)
            _db.session.commit()
        response = client.post(f"/experts/requests/{item.id}/answers", data={"body": "Eu"})
        assert response.status_code == 403
    assert ef.count(ExpertiseAnswer) == 0


def test_a_closed_request_takes_no_answer(client, login_as):
    item = ef.expertise_request(closed=True)
    expert = login_as()
    ef.profile(expert)
    _db.session.commit()
    response = client.post(f"/experts/requests/{item.id}/answers", data={"body": "Eu"})
    assert response.status_code == 403
    assert ef.count(ExpertiseAnswer) == 0


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_an_empty_or_long_answer_is_refused(client, login_as, body):
    item = ef.expertise_request()
    expert = login_as()
    ef.profile(expert)
    _db.session.commit()
    response = client.post(f"/experts/requests/{item.id}/answers", data={"body": body})
    assert response.status_code == 422
    assert ef.count(ExpertiseAnswer) == 0


@pytest.mark.parametrize("role", ROLES)
def test_only_the_citys_officials_mark_who_helped(client, login_as, role):
    from m100hub.experts import services

    item = ef.expertise_request()
    expert = factories.user()
    ef.profile(expert)
    answer = services.answer(expert, item.id, "Pot ajuta.")
    _db.session.commit()
    _sign_in(login_as, role)
    url = f"/experts/requests/{item.id}/answers/{answer.id}/helped"
    response = client.post(url)
    _db.session.refresh(answer)
    if role in ("suceava_official", "admin"):
        assert response.status_code == 303
        assert answer.helped_dt is not None
        assert _notified("expertise_helped") == [expert.id]
        assert _db.session.scalar(select(ActivityEntry.verb).where(
            ActivityEntry.verb == "expertise_helped")) == "expertise_helped"
        # marking again changes nothing and tells nobody twice
        assert client.post(url).status_code == 303
        assert _notified("expertise_helped") == [expert.id]
    else:
        assert redirects_to_login(response) if role == "anonymous" else (
            response.status_code == 403)
        assert answer.helped_dt is None and _notified("expertise_helped") == []


def test_an_answer_of_another_request_is_not_found(client, login_as):
    from m100hub.experts import services

    first, second = ef.expertise_request(), ef.expertise_request(title="Alta")
    expert = factories.user()
    ef.profile(expert)
    answer = services.answer(expert, second.id, "Pot ajuta.")
    login_as("admin")
    assert client.post(f"/experts/requests/{first.id}/answers/{answer.id}/helped"
                       ).status_code == 404


def test_an_official_closes_a_request_once(client, login_as):
    official = factories.official("suceava")
    item = ef.expertise_request(author=official)
    login_as(user=official)
    assert client.post(f"/experts/requests/{item.id}/close").status_code == 303
    assert client.post(f"/experts/requests/{item.id}/close").status_code == 303
    _db.session.refresh(item)
    assert item.closed_dt is not None
    assert ef.count(ActivityEntry, ActivityEntry.verb == "expertise_request_closed") == 1
    login_as(user=factories.official("cluj-napoca"))
    other = ef.expertise_request()
    assert client.post(f"/experts/requests/{other.id}/close").status_code == 403


def test_the_requests_list_filters_by_status_city_and_sector(client, db):
    ef.expertise_request("suceava", title="Cerere Suceava clădiri", sectors=("buildings",))
    ef.expertise_request("cluj-napoca", title="Cerere Cluj transport", sectors=("transport",))
    ef.expertise_request("suceava", title="Cerere închisă", closed=True)
    _db.session.commit()

    def titles(query):
        text = page(client.get(f"/experts/requests?{query}"))
        return {t for t in ("Cerere Suceava clădiri", "Cerere Cluj transport", "Cerere închisă")
                if t in text}

    assert titles("") == {"Cerere Suceava clădiri", "Cerere Cluj transport"}
    assert titles("status=closed") == {"Cerere închisă"}
    assert titles("city=suceava") == {"Cerere Suceava clădiri"}
    assert titles("sector=transport") == {"Cerere Cluj transport"}
    assert titles("status=nonsense&sector=x") == {"Cerere Suceava clădiri",
                                                  "Cerere Cluj transport"}
