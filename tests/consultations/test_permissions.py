"""Who manages what: only the city's officials and admins manage its consultations, per
role and per action; officials' text and citizens' text is escaped everywhere."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from m100hub.consultations.models import Consultation, Option, Question
from m100hub.extensions import db as _db
from tests.support import factories
from tests.support.consultations import (
    MANAGERS,
    build,
    consultation_form,
    english,
    page,
    propose,
    question_form,
    redirects_to_login,
    sign_in,
    snapshot,
)

ROLES = (
    "anonymous",
    "unconfirmed",
    "citizen",
    "moderator",
    "cluj_official",
    "suceava_official",
    "admin",
)


# --- who manages what ---------------------------------------------------------------------


#: (name, phase, method, path after the consultation's address or absolute, form)
ACTIONS = [
    ("manage page", "open", "get", "/manage", None),
    ("edit form", "scheduled", "get", "/edit", None),
    ("edit", "scheduled", "post", "/edit", "consultation"),
    ("add question", "scheduled", "post", "/questions", "question"),
    ("question form", "scheduled", "get", "/questions/{question}", None),
    ("edit question", "scheduled", "post", "/questions/{question}", "question"),
    ("delete question", "scheduled", "post", "/questions/{question}/delete", None),
    ("withdraw", "scheduled", "post", "/withdraw", None),
    ("announce", "draft", "post", "/announce", None),
    ("extend", "open", "post", "/extend", {"closes_at": "2040-01-01T10:00"}),
    ("publish form", "closed", "get", "/publish", None),
    ("publish", "closed", "post", "/publish", {"response": "Am decis."}),
    (
        "answer proposal",
        "closed",
        "post",
        "/proposals/{proposal}/status",
        {"status": "accepted", "reason": "Da."},
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS, ids=[a[0] for a in ACTIONS])
def test_only_the_citys_officials_and_admins_manage_its_consultations(
    client, db, login_as, role, action
):
    name, phase, method, path, form = action
    scene = build(phase)
    proposal_id = propose(scene) if "{proposal}" in path else None
    _db.session.commit()
    url = (
        path.format(proposal=proposal_id)
        if path.startswith("/proposals")
        else scene.url + path.format(question=scene.questions["single"])
    )
    data = (
        {"consultation": consultation_form(), "question": question_form()}[form]
        if isinstance(form, str)
        else form
    )
    if role == "admin" and form == "consultation":
        data["city_id"] = str(factories.city("suceava").id)
    sign_in(login_as, client, role)
    before = snapshot()

    response = getattr(client, method)(url, data=data)

    if role == "anonymous":
        assert redirects_to_login(response), response.status_code
    elif role in MANAGERS:
        assert response.status_code == (200 if method == "get" else 303), page(response)
        if method == "post":
            assert snapshot() != before
        return
    elif phase == "draft" and role != "unconfirmed":  # unconfirmed: refused before anything
        assert response.status_code == 404  # a draft is not even seen
    else:
        assert response.status_code == 403, response.status_code
    assert snapshot() == before


@pytest.mark.parametrize("role", ["citizen", "moderator", "cluj_official"])
def test_those_who_do_not_manage_see_no_management_links(client, db, login_as, role):
    scene = build("closed")
    proposal_id = propose(scene)
    _db.session.commit()
    sign_in(login_as, client, role)
    text = page(client.get(scene.url))
    assert "/manage" not in text and "Manage" not in text
    assert "Answer this proposal" not in page(client.get(f"/proposals/{proposal_id}"))


def test_a_suceava_official_cannot_touch_a_cluj_napoca_consultation(client, db, login_as):
    scenes = {
        phase: build(phase, city="cluj-napoca")
        for phase in ("draft", "scheduled", "open", "closed")
    }
    proposal_id = propose(scenes["closed"])
    _db.session.commit()
    sign_in(login_as, client, "suceava_official")
    before = snapshot()
    assert client.get(scenes["draft"].url).status_code == 404
    assert client.post(f"{scenes['draft'].url}/announce").status_code == 404
    assert (
        client.post(f"{scenes['scheduled'].url}/edit", data=consultation_form()).status_code == 403
    )
    assert client.post(f"{scenes['scheduled'].url}/withdraw").status_code == 403
    assert (
        client.post(f"{scenes['scheduled'].url}/questions", data=question_form()).status_code == 403
    )
    assert (
        client.post(
            f"{scenes['open'].url}/extend", data={"closes_at": "2040-01-01T10:00"}
        ).status_code
        == 403
    )
    assert client.get(f"{scenes['open'].url}/results").status_code == 404
    assert (
        client.post(f"{scenes['closed'].url}/publish", data={"response": "Nu."}).status_code == 403
    )
    assert (
        client.post(
            f"/proposals/{proposal_id}/status", data={"status": "rejected", "reason": "Nu."}
        ).status_code
        == 403
    )
    assert snapshot() == before


def test_an_official_of_two_cities_manages_both_and_no_third(client, db, login_as):
    """The page reads which cities its reader is an official of with the consultation itself
    (one comma-joined column): every one of them counts, and no other city does."""
    person = factories.official("suceava", locale="en")
    town_hall = factories.organisation(kind="municipality", city_slug="cluj-napoca")
    factories.membership(person, town_hall, "member")
    scenes = {
        (city, phase): build(phase, city=city)
        for city in ("suceava", "cluj-napoca", "bucuresti-sector-2")
        for phase in ("draft", "open")
    }
    login_as(user=person)
    english(client)
    for (city, phase), scene in scenes.items():
        response = client.get(scene.url)
        if city == "bucuresti-sector-2":
            if phase == "draft":
                assert response.status_code == 404
            else:
                assert "Manage" not in page(response) and "/manage" not in page(response)
            continue
        assert response.status_code == 200, (city, phase)
        assert f'href="{scene.url}/manage"' in page(response), (city, phase)


@pytest.mark.parametrize(
    "case", ["pending member", "rejected member", "unverified town hall", "member of an NGO"]
)
def test_only_verified_members_of_a_verified_town_hall_are_officials(client, db, login_as, case):
    person = factories.user(sector="public", locale="en")
    org = factories.organisation(
        kind="ngo" if case == "member of an NGO" else "municipality",
        status="pending" if case == "unverified town hall" else "verified",
    )
    factories.membership(
        person,
        org,
        "manager",
        status={"pending member": "pending", "rejected member": "rejected"}.get(case, "verified"),
    )
    draft, scheduled = build("draft"), build("scheduled")
    login_as(user=person)
    before = snapshot()
    assert client.get("/consultations/new").status_code == 403
    assert client.post("/consultations/new", data=consultation_form()).status_code == 403
    assert client.get(draft.url).status_code == 404
    assert client.get(f"{scheduled.url}/manage").status_code == 403
    assert client.post(f"{scheduled.url}/withdraw").status_code == 403
    assert snapshot() == before


def test_an_official_with_an_unconfirmed_address_cannot_manage(client, db, login_as):
    """Like starting a consultation, running one needs a confirmed e-mail address."""
    official = factories.official("suceava", confirmed=False, locale="en")
    scenes = {phase: build(phase, author=official) for phase in ("draft", "open", "closed")}
    proposal_id = propose(scenes["closed"])
    _db.session.commit()
    login_as(user=official)
    before = snapshot()
    writes = [
        (f"{scenes['draft'].url}/announce", {}),
        (f"{scenes['draft'].url}/questions", question_form()),
        (f"{scenes['draft'].url}/edit", consultation_form()),
        (f"{scenes['open'].url}/extend", {"closes_at": "2040-01-01T10:00"}),
        (f"{scenes['closed'].url}/publish", {"response": "Am decis."}),
        (f"/proposals/{proposal_id}/status", {"status": "accepted", "reason": "Da."}),
    ]
    statuses = {url: client.post(url, data=data).status_code for url, data in writes}
    assert statuses == dict.fromkeys(statuses, 403)
    assert snapshot() == before


def test_a_drafts_title_stays_out_of_the_public_activity_log(client, db, login_as):
    sign_in(login_as, client, "suceava_official")
    assert (
        client.post(
            "/consultations/new", data=consultation_form(title="Ciorna secretă a primăriei")
        ).status_code
        == 303
    )
    draft_id = _db.session.scalar(
        select(Consultation.id).where(Consultation.title == "Ciorna secretă a primăriei")
    )
    assert client.post("/logout").status_code in (302, 303)
    english(client)
    assert client.get(f"/consultations/{draft_id}").status_code == 404
    activity = page(client.get("/activity"))
    assert "Ciorna secretă a primăriei" not in activity


def test_the_city_page_lists_its_announced_consultations_only(client, db):
    build("published", title="Consultarea cu rezultate")
    build("open", title="Consultarea în curs")
    build("draft", title="Consultarea ciornă")
    build("open", city="cluj-napoca", title="Consultarea clujeană")
    english(client)
    text = page(client.get("/cities/suceava"))
    assert "Consultarea cu rezultate" in text and "Consultarea în curs" in text
    assert "Consultarea ciornă" not in text and "Consultarea clujeană" not in text
    assert "results and what the city did" in text


def test_text_from_officials_and_citizens_is_escaped_everywhere(client, db, login_as):
    scene = build(
        "published",
        kinds=("single",),
        title="Titlu <b>îngroșat</b>",
        summary="Rezumat <img src=x onerror=alert(1)>",
    )
    _db.session.execute(
        update(Option)
        .where(Option.id == scene.options["single"][0])
        .values(label="<script>alert('opțiune')</script>")
    )
    _db.session.execute(
        update(Question)
        .where(Question.id == scene.questions["single"])
        .values(text="Întrebare <i>cursivă</i>")
    )
    propose(scene, title="Propunere <u>subliniată</u>")
    _db.session.commit()
    sign_in(login_as, client, "suceava_official")
    for url in (
        scene.url,
        f"{scene.url}/results",
        f"{scene.url}/proposals",
        "/consultations",
        f"{scene.url}/manage",
    ):
        raw = client.get(url).get_data(as_text=True)
        for tag in ("<b>îngroșat", "<img src=x", "<script>alert(", "<i>cursivă", "<u>sublin"):
            assert tag not in raw, (url, tag)
