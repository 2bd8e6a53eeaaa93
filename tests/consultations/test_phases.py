"""A consultation's phases over HTTP: announcing, withdrawing, extending the vote, and
publishing the results with the official response."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from m100hub.accounts.models import User
from m100hub.consultations.models import Consultation, Follower
from m100hub.database import utcnow
from m100hub.extensions import db as _db
from tests.support import factories
from tests.support.consultations import (
    BUCHAREST,
    KINDS,
    as_author,
    build,
    cast,
    comment,
    english,
    follow_redirect,
    fresh,
    local,
    logged,
    notified,
    page,
    sign_in,
    snapshot,
)


def typed(moment: datetime) -> str:
    """What an official types in a datetime-local input for ``moment``."""
    return moment.astimezone(BUCHAREST).strftime("%Y-%m-%dT%H:%M")


# --- announce, withdraw, extend -----------------------------------------------------------


def test_announcing_a_draft_schedules_it_and_makes_it_public(client, db, login_as):
    scene = build("draft")
    official = login_as(user=_db.session.get(User, scene.author_id))

    response = client.post(f"{scene.url}/announce")

    assert response.status_code == 303 and response.headers["Location"].endswith(scene.url)
    item = fresh(Consultation, scene.id)
    assert item.announced_dt is not None and item.phase.value == "scheduled"
    assert [(e.actor_id, e.target_id) for e in logged("consultation_announced")] == [
        (official.id, scene.id)
    ]
    sign_in(login_as, client, "citizen")
    assert client.get(scene.url).status_code == 200


def test_announcing_after_the_opening_time_opens_voting(client, db, login_as):
    scene = build("draft")
    _db.session.execute(
        update(Consultation)
        .where(Consultation.id == scene.id)
        .values(opens_dt=utcnow() - timedelta(hours=1))
    )
    _db.session.commit()
    login_as(user=_db.session.get(User, scene.author_id))
    assert client.post(f"{scene.url}/announce").status_code == 303
    assert fresh(Consultation, scene.id).phase.value == "open"


@pytest.mark.parametrize(
    "case, message",
    [
        ("no questions", "Add at least one question first."),
        ("closing passed", "The closing time has passed: set new times first."),
    ],
)
def test_announcing_is_refused_with_a_message(client, db, login_as, case, message):
    scene = build("draft", kinds=() if case == "no questions" else KINDS)
    if case == "closing passed":
        _db.session.execute(
            update(Consultation)
            .where(Consultation.id == scene.id)
            .values(opens_dt=utcnow() - timedelta(days=3), closes_dt=utcnow() - timedelta(days=1))
        )
        _db.session.commit()
    login_as(user=_db.session.get(User, scene.author_id))
    english(client)
    before = snapshot()
    response = client.post(f"{scene.url}/announce")
    assert response.status_code == 303
    assert message in page(follow_redirect(client, response))
    assert snapshot() == before


@pytest.mark.parametrize(
    "phase, action",
    [
        ("scheduled", "announce"),
        ("open", "announce"),
        ("closed", "announce"),
        ("published", "announce"),
        ("draft", "withdraw"),
        ("open", "withdraw"),
        ("closed", "withdraw"),
        ("published", "withdraw"),
    ],
)
def test_announce_and_withdraw_in_the_wrong_phase_are_409(client, db, login_as, phase, action):
    scene = as_author(login_as, client, build(phase), in_english=False)
    before = snapshot()
    assert client.post(f"{scene.url}/{action}").status_code == 409
    assert snapshot() == before


def test_withdrawing_a_scheduled_consultation_makes_it_a_draft_again(client, db, login_as):
    scene = build("scheduled")
    official = login_as(user=_db.session.get(User, scene.author_id))
    assert client.post(f"{scene.url}/withdraw").status_code == 303
    assert fresh(Consultation, scene.id).phase.value == "draft"
    assert [e.actor_id for e in logged("consultation_withdrawn")] == [official.id]
    sign_in(login_as, client, "citizen")
    assert client.get(scene.url).status_code == 404


def test_extending_open_voting(client, db, login_as):
    scene = build("open")
    _db.session.execute(
        update(Consultation).where(Consultation.id == scene.id).values(closing_notified_dt=utcnow())
    )
    _db.session.commit()
    official = login_as(user=_db.session.get(User, scene.author_id))
    english(client)
    typed_local = typed(fresh(Consultation, scene.id).closes_dt + timedelta(days=14))

    response = client.post(f"{scene.url}/extend", data={"closes_at": typed_local})

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{scene.url}/manage")
    item = fresh(Consultation, scene.id)
    assert item.closes_dt == local(typed_local)
    assert item.closing_notified_dt is None  # the 48-hour reminder is due again
    entries = logged("consultation_extended")
    assert [(e.actor_id, e.target_id) for e in entries] == [(official.id, scene.id)]
    assert "extended the consultation" in page(client.get("/activity"))


def test_voting_is_never_shortened(client, db, login_as):
    scene = as_author(login_as, client, build("open"))
    earlier = typed(utcnow() + timedelta(days=2))  # it closes in six days
    before = snapshot()
    response = client.post(f"{scene.url}/extend", data={"closes_at": earlier})
    assert response.status_code == 303
    assert "Voting may be extended, never shortened: choose a later time." in page(
        follow_redirect(client, response)
    )
    assert snapshot() == before


@pytest.mark.parametrize("value", ["", "mâine", "2027-02-30T10:00"])
def test_a_bad_extension_is_400(client, db, login_as, value):
    scene = as_author(login_as, client, build("open"), in_english=False)
    before = snapshot()
    assert client.post(f"{scene.url}/extend", data={"closes_at": value}).status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize("phase", ["draft", "scheduled", "closed", "published"])
def test_only_open_voting_is_extended(client, db, login_as, phase):
    scene = as_author(login_as, client, build(phase), in_english=False)
    before = snapshot()
    response = client.post(f"{scene.url}/extend", data={"closes_at": "2040-01-01T10:00"})
    assert response.status_code == 409
    assert snapshot() == before


# --- publishing ---------------------------------------------------------------------------


def test_publishing_the_results_notifies_the_followers_once(client, db, login_as):
    scene = build("closed")
    voter, commenter, follower = (factories.user() for _ in range(3))
    cast(scene, voter, "yes_no", 0)
    comment(scene, author=commenter)
    _db.session.add(Follower(consultation_id=scene.id, user_id=follower.id))
    _db.session.add(Follower(consultation_id=scene.id, user_id=commenter.id))
    _db.session.commit()
    official = login_as(user=_db.session.get(User, scene.author_id))
    english(client)
    form = page(client.get(f"{scene.url}/publish"))
    assert "Publish the results" in form

    response = client.post(f"{scene.url}/publish", data={"response": "Facem **pista**."})

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{scene.url}/results")
    item = fresh(Consultation, scene.id)
    published = item.published_dt
    assert published is not None and item.phase.value == "published"
    assert item.response_html == "<p>Facem <strong>pista</strong>.</p>"
    assert notified("consultation_published") == sorted([voter.id, commenter.id, follower.id])
    assert [e.actor_id for e in logged("consultation_published")] == [official.id]
    text = page(follow_redirect(client, response))
    assert "The results and the response are published." in text
    assert "Facem <strong>pista</strong>." in text

    # amending the response later: no second round of notifications
    response = client.post(f"{scene.url}/publish", data={"response": "Facem două piste."})
    assert response.status_code == 303
    assert "The response is updated." in page(follow_redirect(client, response))
    item = fresh(Consultation, scene.id)
    assert (item.response, item.published_dt) == ("Facem două piste.", published)
    assert notified("consultation_published") == sorted([voter.id, commenter.id, follower.id])
    assert len(logged("consultation_published")) == 1


@pytest.mark.parametrize("phase", ["draft", "scheduled", "open"])
def test_results_are_published_only_after_closing(client, db, login_as, phase):
    scene = as_author(login_as, client, build(phase), in_english=False)
    before = snapshot()
    assert client.get(f"{scene.url}/publish").status_code == 409
    assert client.post(f"{scene.url}/publish", data={"response": "Gata."}).status_code == 409
    assert snapshot() == before


@pytest.mark.parametrize("response_text", ["", "   ", "x" * 20001])
def test_publishing_needs_a_response(client, db, login_as, response_text):
    scene = as_author(login_as, client, build("closed"))
    before = snapshot()
    response = client.post(f"{scene.url}/publish", data={"response": response_text})
    assert response.status_code == 422
    assert "Please correct the following:" in page(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    "phase, shown, absent",
    [
        ("draft", ["Announce", "Add a question"], ["Back to draft", "Extend voting"]),
        ("scheduled", ["Back to draft", "Add a question"], ["Announce", "Extend voting"]),
        ("open", ["Extend voting", "Edit the text", "Results"], ["Add a question", "Announce"]),
        ("closed", ["Publish the results", "Results"], ["Extend voting", "Add a question"]),
        ("published", ["Update the official response"], ["Extend voting", "Publish the results"]),
    ],
)
def test_the_manage_page_offers_what_the_phase_allows(client, db, login_as, phase, shown, absent):
    scene = as_author(login_as, client, build(phase))
    text = page(client.get(f"{scene.url}/manage"))
    for label in shown:
        assert label in text, label
    for label in absent:
        assert label not in text, label
    assert 'aria-current="step"' in text
