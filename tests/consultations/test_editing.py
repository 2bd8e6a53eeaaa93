"""The officials' management over HTTP: creating and editing a consultation (times read in
Bucharest) and its questions; once voting is open only the wording may change."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from m100hub.accounts.models import User
from m100hub.consultations import queries
from m100hub.consultations.models import Consultation, Follower, Option
from m100hub.extensions import db as _db
from tests.support import factories
from tests.support.consultations import (
    HUGE_IDS,
    as_author,
    assert_tallies_exact,
    build,
    cast,
    consultation_form,
    count,
    english,
    follow_redirect,
    fresh,
    local,
    logged,
    page,
    question_form,
    redirects_to_login,
    sign_in,
    snapshot,
)

WORDING_ONLY = "While voting is open only the wording may change"


# --- creating and editing -----------------------------------------------------------------


def refused(client, url: str, data: dict, message: str = "") -> None:
    """The form sent to ``url`` comes back to be corrected (422), saying ``message``."""
    response = client.post(url, data=data)
    assert response.status_code == 422, response.status_code
    assert message in page(response)


def city_select(text: str) -> str:
    return re.search(r'<select id="city_id".*?</select>', text, re.S).group(0)


def test_an_official_creates_a_draft_with_times_read_in_bucharest(client, db, login_as):
    official = sign_in(login_as, client, "suceava_official")
    form = page(client.get("/consultations/new"))
    choices = city_select(form)
    assert "Suceava" in choices and "Cluj-Napoca" not in choices and "National" not in choices

    response = client.post("/consultations/new", data=consultation_form(results_while_open="y"))

    assert response.status_code == 303, page(response)
    item = _db.session.scalar(
        select(Consultation).where(Consultation.title == "Piste de biciclete în Suceava")
    )
    assert response.headers["Location"].endswith(f"/consultations/{item.id}/manage")
    assert item.city_id == factories.city("suceava").id
    assert item.sectors == ["energy", "transport"]
    assert item.body_html == "<p>Planul <strong>2027</strong>.</p>"
    # winter: Bucharest is UTC+2; summer: UTC+3
    assert item.opens_dt == datetime(2027, 1, 15, 10, 0, tzinfo=UTC) == local("2027-01-15T12:00")
    assert item.closes_dt == datetime(2027, 7, 15, 9, 0, tzinfo=UTC)
    assert item.results_while_open is True
    assert (item.created_by_id, item.announced_dt, item.phase.value) == (official.id, None, "draft")
    assert (
        count(Follower, Follower.consultation_id == item.id, Follower.user_id == official.id) == 1
    )
    assert logged("consultation_created") == []  # a draft stays out of the public log
    text = page(follow_redirect(client, response))
    assert "The draft is saved. Add its questions, then announce it." in text
    edit = page(client.get(f"/consultations/{item.id}/edit"))
    assert 'value="2027-01-15T12:00"' in edit and 'value="2027-07-15T12:00"' in edit

    sign_in(login_as, client, "citizen")
    assert client.get(f"/consultations/{item.id}").status_code == 404


def test_an_admin_may_consult_nationally_or_in_any_city(client, db, login_as):
    sign_in(login_as, client, "admin")
    choices = city_select(page(client.get("/consultations/new")))
    assert "National (the secretariat)" in choices and "Cluj-Napoca" in choices
    cluj = factories.city("cluj-napoca").id
    for city_id, title in (("0", "Consultarea națională"), (str(cluj), "Consultarea clujeană")):
        response = client.post(
            "/consultations/new", data=consultation_form(city_id=city_id, title=title)
        )
        assert response.status_code == 303
    assert (
        _db.session.scalar(
            select(Consultation.city_id).where(Consultation.title == "Consultarea națională")
        )
        is None
    )
    assert (
        _db.session.scalar(
            select(Consultation.city_id).where(Consultation.title == "Consultarea clujeană")
        )
        == cluj
    )


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"title": "Abc"}, "Field must be between 5 and 200 characters long."),
        ({"title": "T" * 201}, "Field must be between 5 and 200 characters long."),
        ({"title": "      "}, "This field is required."),
        ({"summary": ""}, "This field is required."),
        ({"summary": "S" * 501}, "Field cannot be longer than 500 characters."),
        ({"closes_at": "2027-01-15T12:00"}, "Voting must close after it opens."),
        ({"closes_at": "2027-01-14T12:00"}, "Voting must close after it opens."),
        ({"opens_at": "2027-13-01T10:00"}, "Voting opens (Bucharest time): "),
        ({"opens_at": "mâine"}, "Voting opens (Bucharest time): "),
        ({"opens_at": ""}, "This field is required."),
        ({"closes_at": None}, "This field is required."),
        ({"city_id": "cluj"}, "Not a valid choice"),
        ({"city_id": "cluj-napoca"}, "Not a valid choice"),
        ({"city_id": "0"}, "Not a valid choice"),
        ({"city_id": "-1"}, "Not a valid choice"),
        ({"city_id": "99999999999999999999"}, "Not a valid choice"),
        ({"sectors": ["space"]}, "not a valid choice"),
    ],
)
def test_a_bad_consultation_is_refused_with_a_message(client, db, login_as, overrides, message):
    sign_in(login_as, client, "suceava_official")
    if overrides.get("city_id") in ("cluj", "cluj-napoca"):  # another city's id
        overrides = {"city_id": str(factories.city("cluj-napoca").id)}
    before = snapshot()
    response = client.post("/consultations/new", data=consultation_form(**overrides))
    assert response.status_code == 422
    text = page(response)
    assert "Please correct the following:" in text and message in text
    assert snapshot() == before


@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", "login"),
        ("unconfirmed", 403),
        ("citizen", 403),
        ("moderator", 403),
        ("cluj_official", 200),
        ("suceava_official", 200),
        ("admin", 200),
    ],
)
def test_who_may_start_a_consultation(client, db, login_as, role, status):
    sign_in(login_as, client, role)
    before = snapshot()
    form = client.get("/consultations/new")
    if status == "login":
        assert redirects_to_login(form)
        assert redirects_to_login(client.post("/consultations/new", data=consultation_form()))
    else:
        assert form.status_code == status
    if status == 403:
        assert client.post("/consultations/new", data=consultation_form()).status_code == 403
    assert snapshot() == before


def test_editing_a_scheduled_consultation_changes_everything(client, db, login_as):
    scene = as_author(login_as, client, build("scheduled"))
    before = len(logged("consultation_edited_while_open"))

    response = client.post(
        f"{scene.url}/edit",
        data=consultation_form(
            title="Titlul nou",
            sectors=["buildings"],
            opens_at="2027-02-01T08:30",
            closes_at="2027-03-01T20:00",
            results_while_open="y",
        ),
    )

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{scene.url}/manage")
    item = fresh(Consultation, scene.id)
    assert (item.title, item.sectors, item.results_while_open) == (
        "Titlul nou",
        ["buildings"],
        True,
    )
    assert item.opens_dt == local("2027-02-01T08:30")
    assert item.closes_dt == local("2027-03-01T20:00")
    assert len(logged("consultation_edited_while_open")) == before
    assert "The consultation is saved." in page(follow_redirect(client, response))


def test_editing_an_open_consultation_changes_only_the_wording_and_logs_it(client, db, login_as):
    scene = build("open", body="Textul vechi.")
    old = fresh(Consultation, scene.id)
    rules = (old.city_id, old.sectors, old.opens_dt, old.closes_dt, old.results_while_open)
    login_as(user=_db.session.get(User, scene.author_id))
    english(client)
    form = page(client.get(f"{scene.url}/edit"))
    assert "Voting is open: only the wording may change now" in form
    assert 'name="opens_at"' not in form and 'name="city_id"' not in form

    response = client.post(
        f"{scene.url}/edit",
        data=consultation_form(
            title="Titlul corectat",
            summary="Rezumat.",
            body="Textul *corectat*.",
            city_id=str(factories.city("cluj-napoca").id),
            sectors=["industry"],
            opens_at="2030-01-01T10:00",
            closes_at="2030-02-01T10:00",
            results_while_open="y",
        ),
    )

    assert response.status_code == 303
    item = fresh(Consultation, scene.id)
    assert (item.title, item.summary, item.body) == (
        "Titlul corectat",
        "Rezumat.",
        "Textul *corectat*.",
    )
    assert item.body_html == "<p>Textul <em>corectat</em>.</p>"
    assert (
        item.city_id,
        item.sectors,
        item.opens_dt,
        item.closes_dt,
        item.results_while_open,
    ) == rules
    entries = logged("consultation_edited_while_open")
    assert [(e.actor_id, e.target_id, e.details["what"]) for e in entries] == [
        (scene.author_id, scene.id, "title, body")
    ]
    activity = page(client.get("/activity"))
    assert "corrected the text of the open consultation “Titlul corectat” (title, body)" in activity

    # saving the same text again logs nothing
    assert (
        client.post(
            f"{scene.url}/edit",
            data=consultation_form(
                title="Titlul corectat", summary="Rezumat.", body="Textul *corectat*."
            ),
        ).status_code
        == 303
    )
    assert len(logged("consultation_edited_while_open")) == 1


@pytest.mark.parametrize("phase", ["closed", "published"])
def test_a_consultation_is_not_edited_after_closing(client, db, login_as, phase):
    scene = as_author(login_as, client, build(phase), in_english=False)
    before = snapshot()
    assert client.get(f"{scene.url}/edit").status_code in (403, 409)
    response = client.post(f"{scene.url}/edit", data=consultation_form(title="Altceva"))
    assert response.status_code in (403, 409)
    assert snapshot() == before


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"title": "Abc"}, "Field must be between 5 and 200 characters long."),
        ({"closes_at": "2026-01-01T00:00"}, "Voting must close after it opens."),
        ({"opens_at": "2027-02-30T10:00"}, "Voting opens (Bucharest time): "),
    ],
)
def test_a_bad_edit_is_refused_with_a_message(client, db, login_as, overrides, message):
    scene = as_author(login_as, client, build("scheduled"))
    before = snapshot()
    refused(client, f"{scene.url}/edit", consultation_form(**overrides), message)
    assert snapshot() == before


def test_an_official_cannot_move_a_consultation_to_another_city(client, db, login_as):
    scene = as_author(login_as, client, build("scheduled"))
    before = snapshot()
    cluj = str(factories.city("cluj-napoca").id)
    refused(client, f"{scene.url}/edit", consultation_form(city_id=cluj), "Not a valid choice")
    refused(client, f"{scene.url}/edit", consultation_form(city_id="0"))
    assert snapshot() == before


# --- questions ----------------------------------------------------------------------------


def test_adding_questions_of_each_kind_to_a_draft(client, db, login_as):
    scene = as_author(login_as, client, build("draft", kinds=()))
    forms = [
        question_form(text="Sunteți de acord?", kind="yes_no", options="ignorat\naltul"),
        question_form(text="Ce linie?", kind="single", options="  Linia 1 \n\nLinia 2\n"),
        question_form(
            text="Ce parcuri?", kind="approval", max_choices="2", options="Parc A\nParc B\nParc C"
        ),
        question_form(text="Ordonați", kind="ranked", options="X\nY\nZ"),
    ]
    for data in forms:
        response = client.post(f"{scene.url}/questions", data=data)
        assert response.status_code == 303, page(response)
        assert response.headers["Location"].endswith(f"{scene.url}/manage#questions")

    questions = queries.questions(scene.id)
    assert [(q.text, q.kind.value, q.max_choices) for q in questions] == [
        ("Sunteți de acord?", "yes_no", None),
        ("Ce linie?", "single", None),
        ("Ce parcuri?", "approval", 2),
        ("Ordonați", "ranked", None),
    ]
    assert [(o.code, o.label) for o in questions[0].options] == [
        ("yes", ""),
        ("no", ""),
        ("abstain", ""),
    ]
    assert [o.label for o in questions[1].options] == ["Linia 1", "Linia 2"]
    assert [o.label for o in questions[2].options] == ["Parc A", "Parc B", "Parc C"]
    text = page(client.get(f"{scene.url}/manage"))
    for label in ("Sunteți de acord?", "Yes", "Abstain", "Linia 2", "Parc C", "at most 2"):
        assert label in text


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"text": "Da"}, "Field must be between 3 and 300 characters long."),
        ({"text": "   "}, "This field is required."),
        ({"options": "Doar una"}, "Give between 2 and 20 options."),
        ({"options": ""}, "Give between 2 and 20 options."),
        (
            {"options": "\n".join(f"Opțiunea {n}" for n in range(21))},
            "Give between 2 and 20 options.",
        ),
        ({"options": "Linia 1\nLINIA 1"}, "Two options have the same text."),
        ({"options": "Scurtă\n" + "L" * 201}, "An option may have at most 200 characters."),
        ({"kind": "approval", "max_choices": "4"}, "There are fewer options than that."),
        ({"kind": "ranked", "max_choices": "0"}, "Number must be between 1 and 20."),
        ({"kind": "approval", "max_choices": "abc"}, "Not a valid integer value."),
        ({"kind": "essay"}, "Not a valid choice"),
    ],
)
def test_a_bad_question_is_refused_with_a_message(client, db, login_as, overrides, message):
    scene = as_author(login_as, client, build("draft"))
    before = snapshot()
    refused(client, f"{scene.url}/questions", question_form(**overrides), message)
    # and the same on an existing question
    refused(client, f"{scene.url}/questions/{scene.questions['single']}",
            question_form(**overrides), message)
    assert snapshot() == before


def test_changing_a_question_before_opening_may_change_anything(client, db, login_as):
    scene = as_author(login_as, client, build("scheduled"))
    url = f"{scene.url}/questions/{scene.questions['single']}"
    form = page(client.get(url))
    assert "Autobuze\nTramvaie\nBiciclete" in form

    response = client.post(
        url,
        data=question_form(
            text="Ordonați liniile", kind="ranked", max_choices="2", options="A\nB\nC\nD"
        ),
    )

    assert response.status_code == 303
    question = queries.question(scene.id, scene.questions["single"])
    assert (question.text, question.kind.value, question.max_choices) == (
        "Ordonați liniile",
        "ranked",
        2,
    )
    assert [o.label for o in question.options] == ["A", "B", "C", "D"]
    assert count(Option, Option.id.in_(scene.options["single"])) == 0


@pytest.mark.parametrize("kind", ["single", "yes_no"])
def test_a_question_edit_sent_without_its_options_keeps_them(client, db, login_as, kind):
    """A field not sent keeps its value; the form's ``options`` once took the question's rows
    instead (a 500 found by tests/house/test_fuzz_forms.py)."""
    scene = as_author(login_as, client, build("scheduled"), in_english=False)
    url = f"{scene.url}/questions/{scene.questions[kind]}"
    text = queries.question(scene.id, scene.questions[kind]).text

    empty = client.post(url, data={})
    renamed = client.post(url, data={"text": "Mergeți cu autobuzul?", "kind": kind})

    assert (empty.status_code, renamed.status_code) == (303, 303)
    question = queries.question(scene.id, scene.questions[kind])
    assert question.text == "Mergeți cu autobuzul?" != text
    labels = [o.label for o in question.options if not o.code]
    assert labels == (["Autobuze", "Tramvaie", "Biciclete"] if kind == "single" else [])


def test_deleting_a_question_before_opening(client, db, login_as):
    scene = as_author(login_as, client, build("scheduled"), in_english=False)
    response = client.post(f"{scene.url}/questions/{scene.questions['approval']}/delete")
    assert response.status_code == 303
    assert [q.id for q in queries.questions(scene.id)] == [
        scene.questions[k] for k in ("yes_no", "single", "ranked")
    ]
    assert count(Option, Option.question_id == scene.questions["approval"]) == 0


def test_a_wording_fix_while_open_is_logged_publicly_and_keeps_the_ballots(client, db, login_as):
    scene = build("open")
    voter = factories.user()
    cast(scene, voter, "ranked", 1, 0)
    _db.session.commit()
    login_as(user=_db.session.get(User, scene.author_id))
    english(client)
    url = f"{scene.url}/questions/{scene.questions['ranked']}"
    assert "only the wording may change now" in page(client.get(url))
    ballots = snapshot()["consultation_ballots:rows"]

    response = client.post(
        url,
        data=question_form(
            text="Ordonați traseele noi",
            kind="ranked",
            max_choices="2",
            options="Centrul vechi\nGara Burdujeni\nUniversitate",
        ),
    )

    assert response.status_code == 303
    question = queries.question(scene.id, scene.questions["ranked"])
    assert question.text == "Ordonați traseele noi"
    assert [(o.id, o.label) for o in question.options] == list(
        zip(
            scene.options["ranked"],
            ["Centrul vechi", "Gara Burdujeni", "Universitate"],
            strict=True,
        )
    )
    assert snapshot()["consultation_ballots:rows"] == ballots
    assert_tallies_exact(scene)
    entries = logged("consultation_edited_while_open")
    assert [(e.actor_id, e.details["what"]) for e in entries] == [
        (scene.author_id, "Ordonați traseele noi")
    ]
    assert "corrected the text of the open consultation" in page(client.get("/activity"))

    # a yes/no question's wording may be fixed too (its options are worded by the hub)
    response = client.post(
        f"{scene.url}/questions/{scene.questions['yes_no']}",
        data=question_form(text="Sunteți de acord cu planul nou?", kind="yes_no", options=""),
    )
    assert response.status_code == 303
    assert len(logged("consultation_edited_while_open")) == 2


@pytest.mark.parametrize(
    "kind, overrides",
    [
        ("single", {"kind": "approval", "options": "Autobuze\nTramvaie\nBiciclete"}),
        ("single", {"options": "Autobuze\nTramvaie\nBiciclete\nTrenuri"}),
        ("single", {"options": "Autobuze\nTramvaie"}),
        (
            "approval",
            {"kind": "approval", "max_choices": "3", "options": "Parcuri\nPiste\nPanouri\nCopaci"},
        ),
        ("ranked", {"kind": "ranked", "max_choices": "", "options": "Centru\nGară\nUniversitate"}),
        ("yes_no", {"kind": "single", "options": "Da\nNu"}),
    ],
)
def test_a_structural_change_while_open_is_409_with_a_message(
    client, db, login_as, kind, overrides
):
    scene = as_author(login_as, client, build("open"))
    data = question_form(
        text="Textul schimbat odată cu structura",
        kind=kind,
        max_choices="2" if kind in ("approval", "ranked") else "",
    )
    data.update(overrides)
    before = snapshot()
    response = client.post(f"{scene.url}/questions/{scene.questions[kind]}", data=data)
    assert response.status_code == 409
    assert WORDING_ONLY in page(response)
    assert snapshot() == before


def test_questions_are_not_added_or_deleted_once_voting_is_open(client, db, login_as):
    scene = as_author(login_as, client, build("open"), in_english=False)
    before = snapshot()
    assert client.post(f"{scene.url}/questions", data=question_form()).status_code == 409
    assert (
        client.post(f"{scene.url}/questions/{scene.questions['single']}/delete").status_code == 409
    )
    assert snapshot() == before
    text = page(client.get(f"{scene.url}/manage"))
    assert "Add a question" not in text and "/delete" not in text


@pytest.mark.parametrize("phase", ["closed", "published"])
def test_questions_do_not_change_after_closing(client, db, login_as, phase):
    scene = as_author(login_as, client, build(phase), in_english=False)
    before = snapshot()
    url = f"{scene.url}/questions/{scene.questions['single']}"
    assert client.post(
        url, data=question_form(text="Altă formulare", options="Autobuze\nTramvaie\nBiciclete")
    ).status_code in (403, 409)
    assert client.post(f"{scene.url}/questions", data=question_form()).status_code in (403, 409)
    assert client.post(f"{url}/delete").status_code in (403, 409)
    assert snapshot() == before


def test_a_question_of_another_consultation_is_404(client, db, login_as):
    scene = build("scheduled")
    other = build("scheduled", author=_db.session.get(User, scene.author_id))
    login_as(user=_db.session.get(User, scene.author_id))
    before = snapshot()
    foreign = f"{scene.url}/questions/{other.questions['single']}"
    assert client.get(foreign).status_code == 404
    assert client.post(foreign, data=question_form()).status_code == 404
    assert client.post(f"{foreign}/delete").status_code == 404
    for ident in HUGE_IDS:
        assert client.get(f"{scene.url}/questions/{ident}").status_code == 404
    assert snapshot() == before
