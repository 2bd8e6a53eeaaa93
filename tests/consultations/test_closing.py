"""After voting: a closed consultation whose results are not published yet says that the city
will publish them (by its date, when one is set); officials close voting early with a public
reason, shown on the consultation's page and in the activity log. And the officials' own
steps (announcing, adding or deleting a question) each say that they worked."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from m100hub.accounts.models import User
from m100hub.consultations.models import Consultation
from m100hub.database import utcnow
from m100hub.extensions import db as _db
from tests.support.consultations import (
    build,
    cast,
    consultation_form,
    english,
    follow_redirect,
    fresh,
    logged,
    page,
    question_form,
    sign_in,
    snapshot,
)

REASON = "Proiectul a fost aprobat de consiliul local; votul nu mai poate schimba decizia."


def official_of(login_as, client, scene):
    english(client)
    return login_as(user=_db.session.get(User, scene.author_id))


# --- a closed consultation ----------------------------------------------------------------


def test_a_closed_consultation_says_the_city_will_publish_the_results(client, db, login_as):
    scene = build("closed")
    sign_in(login_as, client, "citizen")
    text = page(client.get(scene.url))
    assert "Voting is closed. The results will be published by the city, with its response." in (
        text
    )


def test_the_results_date_is_told_when_one_is_set(client, db, login_as):
    scene = build("closed", results_due_on=date(2027, 3, 15))
    sign_in(login_as, client, "citizen")
    text = page(client.get(scene.url))
    # the day in the reader's language (day first or, in US English, month first)
    assert re.search(r"The results will be published by the city, with its response, by "
                     r"(15 March 2027|March 15, 2027)\.", text)
    assert client.get(f"{scene.url}/results").status_code == 404  # still not published
    published = build("published", results_due_on=date(2027, 3, 15))
    assert "will be published" not in page(client.get(published.url))


def test_officials_set_the_results_date_when_editing(client, db, login_as):
    scene = build("open")
    official_of(login_as, client, scene)
    form = consultation_form(results_due_on="2040-05-02")
    assert client.post(f"{scene.url}/edit", data=form).status_code == 303
    assert fresh(Consultation, scene.id).results_due_on == date(2040, 5, 2)


@pytest.mark.parametrize(
    "value, message",
    [
        ("2040-13-01", "Not a valid date value."),
        ("2001-01-01", "The results cannot be due before voting closes."),
    ],
)
def test_a_bad_results_date_is_refused(client, db, login_as, value, message):
    scene = build("scheduled")
    official_of(login_as, client, scene)
    before = snapshot()
    form = consultation_form(results_due_on=value, opens_at="2039-01-01T10:00",
                             closes_at="2039-02-01T10:00")
    response = client.post(f"{scene.url}/edit", data=form)
    assert response.status_code == 422 and message in page(response)
    assert snapshot() == before


# --- closing early ------------------------------------------------------------------------


def test_officials_close_voting_early_with_a_public_reason(client, db, login_as):
    scene = build("open")
    voter = sign_in(login_as, client, "citizen")
    cast(scene, _db.session.get(User, voter.id), "yes_no", 0)
    _db.session.commit()
    official = official_of(login_as, client, scene)
    assert "Close voting now" in page(client.get(f"{scene.url}/manage"))

    response = client.post(f"{scene.url}/close",
                           data={"reason": REASON, "results_due_on": "2040-01-20"})

    assert response.status_code == 303 and response.headers["Location"].endswith("/manage")
    assert "Voting is closed. Publish the results when they are ready." in page(
        follow_redirect(client, response))
    item = fresh(Consultation, scene.id)
    assert item.phase.value == "closed" and item.closed_early_reason == REASON
    assert item.closes_dt <= utcnow() and item.results_due_on == date(2040, 1, 20)
    assert item.closing_notified_dt is not None  # no "closes in 48 hours" afterwards
    assert [(e.actor_id, e.target_id, e.reason) for e in logged("consultation_closed_early")] == [
        (official.id, scene.id, REASON)
    ]
    assert item.participant_count == 1  # the ballots cast so far count

    sign_in(login_as, client, "citizen")
    text = page(client.get(scene.url))
    assert "Voting was closed early, on " in text and f"The officials' reason: {REASON}" in text
    assert re.search(r"by (20 January 2040|January 20, 2040)\.", text)
    assert "Voting is closed." in text
    assert 'name="csrf_token"' not in text.split('id="ballot"')[1].split("</section>")[0]
    log = page(client.get("/activity"))
    assert "closed voting in the consultation" in log and REASON in log
    assert client.get(f"{scene.url}/results.json").status_code == 404
    published = client.post(scene.url, data={f"question-{scene.questions['yes_no']}": "1"})
    assert published.status_code == 409  # no ballot once closed


def test_closing_twice_is_a_conflict_and_logs_once(client, db, login_as):
    scene = build("open")
    official_of(login_as, client, scene)
    assert client.post(f"{scene.url}/close", data={"reason": REASON}).status_code == 303
    before = snapshot()
    assert client.post(f"{scene.url}/close", data={"reason": "Altă dată."}).status_code == 409
    assert snapshot() == before
    assert len(logged("consultation_closed_early")) == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "This field is required."),
        ({"reason": "   "}, "This field is required."),
        ({"reason": "x" * 501}, "Field cannot be longer than 500 characters."),
        ({"reason": REASON, "results_due_on": "2001-01-01"}, "Choose today or a later day."),
        ({"reason": REASON, "results_due_on": "mâine"}, "Not a valid date value."),
    ],
)
def test_a_bad_closing_is_refused_with_a_message(client, db, login_as, data, message):
    scene = build("open")
    official_of(login_as, client, scene)
    before = snapshot()
    response = client.post(f"{scene.url}/close", data=data)
    assert response.status_code == 422
    text = page(response)
    assert message in text and 'class="error-summary"' in text
    assert snapshot() == before
    assert fresh(Consultation, scene.id).phase.value == "open"


@pytest.mark.parametrize("phase", ["draft", "scheduled", "closed", "published"])
def test_only_open_voting_is_closed_early(client, db, login_as, phase):
    scene = build(phase)
    official_of(login_as, client, scene)
    before = snapshot()
    assert client.post(f"{scene.url}/close", data={"reason": REASON}).status_code == 409
    assert snapshot() == before


@pytest.mark.parametrize("role, status", [("citizen", 403), ("cluj_official", 403)])
def test_only_its_officials_close_voting(client, db, login_as, role, status):
    scene = build("open")
    sign_in(login_as, client, role)
    before = snapshot()
    assert client.post(f"{scene.url}/close", data={"reason": REASON}).status_code == status
    assert snapshot() == before


# --- the officials' steps say that they worked --------------------------------------------


def test_announcing_says_so(client, db, login_as):
    scene = build("draft")
    official_of(login_as, client, scene)
    response = client.post(f"{scene.url}/announce")
    text = page(follow_redirect(client, response))
    assert "The consultation is announced: voting opens on " in text
    assert "flash-success" in text


def test_announcing_when_voting_is_due_says_it_is_open(client, db, login_as):
    scene = build("draft")
    item = fresh(Consultation, scene.id)
    item.opens_dt = utcnow() - timedelta(minutes=5)
    _db.session.commit()
    official_of(login_as, client, scene)
    text = page(follow_redirect(client, client.post(f"{scene.url}/announce")))
    assert "The consultation is announced and voting is open." in text


def test_withdrawing_says_so(client, db, login_as):
    scene = build("scheduled")
    official_of(login_as, client, scene)
    text = page(follow_redirect(client, client.post(f"{scene.url}/withdraw")))
    assert "The consultation is back to draft: only its officials see it." in text


def test_adding_and_deleting_a_question_say_so(client, db, login_as):
    scene = build("draft")
    official_of(login_as, client, scene)
    added = client.post(f"{scene.url}/questions", data=question_form(text="Ce linii noi vreți?"))
    assert "/manage#questions" in added.headers["Location"]
    assert "The question “Ce linii noi vreți?” is added." in page(follow_redirect(client, added))
    # a double submit adds it twice (questions may repeat), each time saying so
    question_id = scene.questions["yes_no"]
    deleted = client.post(f"{scene.url}/questions/{question_id}/delete")
    assert "The question “Sunteți de acord cu planul?” is deleted." in page(
        follow_redirect(client, deleted))
    assert client.post(f"{scene.url}/questions/{question_id}/delete").status_code == 404
