"""Public consultations over HTTP as readers find them: the list and its filters, the
consultation page (a ballot for each kind of question, to whom and when), and drafts, seen
only by those who manage them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from m100hub.consultations import queries
from m100hub.consultations.models import Consultation
from m100hub.extensions import db as _db
from tests.support import consultation_factories as cf
from tests.support import factories
from tests.support.consultations import (
    HUGE_IDS,
    MANAGERS,
    build,
    cast,
    comment,
    consultation_form,
    english,
    page,
    propose,
    question_form,
    redirects_to_login,
    sign_in,
    snapshot,
)

NOT_MANAGERS = ("unconfirmed", "citizen", "moderator", "cluj_official")


# --- the list -----------------------------------------------------------------------------


def test_list_shows_announced_consultations_open_then_upcoming_then_closed(client, db):
    titles = {}
    for phase in ("closed", "published", "scheduled", "open", "draft"):
        scene = build(phase, title=f"Consultarea {phase} din Suceava")
        titles[phase] = (scene, f"Consultarea {phase} din Suceava")
    english(client)

    response = client.get("/consultations")

    assert response.status_code == 200
    text = page(response)
    assert "Consultarea draft din Suceava" not in text
    positions = [text.index(titles[p][1]) for p in ("open", "scheduled", "published", "closed")]
    assert positions[:2] == sorted(positions[:2]) and max(positions[:2]) < min(positions[2:])
    for badge in ("phase-open", "phase-scheduled", "phase-closed", "phase-published"):
        assert badge in text
    assert "Results published" in text
    assert f'href="/consultations/{titles["open"][0].id}"' in text
    assert "New consultation" not in text


def test_list_counts_participants_proposals_and_comments(client, db):
    scene = build("open", title="Consultarea numărată")
    for _ in range(2):
        cast(scene, factories.user(), "yes_no", 0)
    propose(scene)
    comment(scene)
    comment(scene)
    _db.session.commit()
    english(client)

    text = page(client.get("/consultations"))

    assert "2 participants · 1 proposal · 2 comments" in text


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ("phase=open", ["deschisă"], ["programată", "închisă", "publicată"]),
        ("phase=upcoming", ["programată"], ["deschisă", "închisă", "publicată"]),
        ("phase=closed", ["închisă", "publicată"], ["deschisă", "programată"]),
        ("city=cluj-napoca", ["clujeană"], ["deschisă", "programată", "închisă", "națională"]),
        ("sector=energy", ["energetică"], ["deschisă", "clujeană", "națională"]),
        ("sector=energy&phase=closed", [], ["energetică", "închisă"]),
    ],
)
def test_list_filters_by_phase_city_and_sector(client, db, query, shown, hidden):
    build("open", title="Consultarea deschisă")
    build("scheduled", title="Consultarea programată")
    build("closed", title="Consultarea închisă")
    build("published", title="Consultarea publicată")
    build("open", city="cluj-napoca", title="Consultarea clujeană")
    build("open", city=None, title="Consultarea națională")
    build("open", title="Consultarea energetică", sectors=["energy", "buildings"])
    english(client)

    text = page(client.get(f"/consultations?{query}"))

    for word in shown:
        assert f"Consultarea {word}" in text, word
    for word in hidden:
        assert f"Consultarea {word}" not in text, word
    if not shown:
        assert "No consultation matches." in text


def test_list_shows_national_consultations_as_national(client, db):
    build("open", city=None, title="Consultarea națională")
    english(client)
    text = page(client.get("/consultations"))
    assert "Consultarea națională" in text and "National" in text


@pytest.mark.parametrize(
    "query",
    [
        "phase=nope",
        "city=nu-exista",
        "sector=space",
        "page=abc",
        "page=-3",
        "page=99999999999999999999",
        "phase=open&phase=closed",
    ],
)
def test_list_ignores_bad_filters(client, db, query):
    build("open", title="Consultarea rezistentă")
    english(client)
    response = client.get(f"/consultations?{query}")
    assert response.status_code == 200
    assert "Consultarea rezistentă" in page(response)


def test_list_paginates_twenty_a_page(client, db):
    author = factories.official("suceava")
    for n in range(queries.PER_PAGE + 1):
        cf.consultation("open", author=author, title=f"Consultarea nr. {n:02d}")
    _db.session.commit()
    english(client)
    first = page(client.get("/consultations"))
    second = page(client.get("/consultations?page=2"))
    on_first = set(re.findall(r"Consultarea nr\. \d\d", first))
    on_second = set(re.findall(r"Consultarea nr\. \d\d", second))
    assert len(on_first) == queries.PER_PAGE and len(on_second) == 1
    assert not on_first & on_second
    assert "Page 1 of 2" in first and 'rel="next"' in first


@pytest.mark.parametrize(
    "role, sees",
    [
        ("anonymous", set()),
        ("unconfirmed", set()),
        ("citizen", set()),
        ("moderator", set()),
        ("cluj_official", {"Cluj"}),
        ("suceava_official", {"Suceava"}),
        ("admin", {"Suceava", "Cluj", "națională"}),
    ],
)
def test_drafts_are_listed_only_for_those_who_manage_them(client, db, login_as, role, sees):
    build("draft", title="Ciorna Suceava")
    build("draft", city="cluj-napoca", title="Ciorna Cluj")
    build("draft", city=None, title="Ciorna națională")
    build("open", title="Consultarea publică")
    sign_in(login_as, client, role)

    text = page(client.get("/consultations"))

    assert "Consultarea publică" in text
    for name in ("Suceava", "Cluj", "națională"):
        assert (f"Ciorna {name}" in text) == (name in sees), name
    # only officials and admins are offered to start a consultation
    assert ("New consultation" in text) == (role in ("cluj_official", "suceava_official", "admin"))


# --- the consultation page ----------------------------------------------------------------


def test_consultation_page_for_an_anonymous_reader(client, db):
    scene = build(
        "open",
        title="Piste noi",
        body="Planul **2027**.<script>alert(1)</script>",
        sectors=["transport", "energy"],
    )
    _db.session.execute(
        update(Consultation)
        .where(Consultation.id == scene.id)
        .values(opens_dt=datetime(2026, 1, 15, 10, 0, tzinfo=UTC))
    )
    _db.session.commit()
    english(client)

    response = client.get(scene.url)

    assert response.status_code == 200
    text = page(response)
    assert "<h1>Piste noi</h1>" in text
    assert "<strong>2027</strong>" in text
    assert "<script>alert(1)" not in response.get_data(as_text=True)
    assert 'href="/cities/suceava"' in text
    # the sectors as tags, each led by its (decorative) icon
    assert re.search(r'<span class="tag sector-tag"><svg class="icon" aria-hidden="true" '
                     r'focusable="false"><use href="[^"]*#energy"></use></svg>Energy</span>', text)
    assert "#transport\"></use></svg>Transport</span>" in text
    # 10:00 UTC is noon in Bucharest (winter, UTC+2); the machine-readable time stays UTC
    opening = re.search(r'<time datetime="2026-01-15T10:00:00\+00:00">([^<]*)</time>', text)
    assert opening and "12:00" in opening.group(1) and "10:00" not in opening.group(1)
    assert "Bucharest time" in text
    for label in (
        "Sunteți de acord cu planul?",
        "Yes",
        "No",
        "Abstain",
        "Tramvaie",
        "Copaci",
        "Universitate",
    ):
        assert label in text
    assert f'<a href="/login?next=/consultations/{scene.id}">Sign in to vote.</a>' in text
    assert "/vote" not in text and 'type="radio"' not in text
    assert "Follow this consultation" not in text and 'id="comment-form"' not in text
    assert "You voted" not in text and "Manage" not in text


@pytest.mark.parametrize("ident", HUGE_IDS)
def test_unknown_consultation_is_404(client, db, ident):
    assert client.get(f"/consultations/{ident}").status_code == 404
    assert client.get(f"/consultations/{ident}/results").status_code == 404
    assert client.get(f"/proposals/{ident}").status_code == 404
    assert client.get(f"/comments/{ident}").status_code == 404


def test_citizen_gets_a_ballot_for_each_kind_of_question(client, db, login_as):
    scene = build("open")
    sign_in(login_as, client, "citizen")

    text = page(client.get(scene.url))

    for kind in ("yes_no", "single"):
        name = f"question-{scene.questions[kind]}"
        for option_id in scene.options[kind]:
            assert f'type="radio" id="option-{option_id}" name="{name}" value="{option_id}"' in text
    approval = scene.questions["approval"]
    for option_id in scene.options["approval"]:
        assert f'type="checkbox" id="option-{option_id}" name="question-{approval}"' in text
    assert "choose up to 2" in text and "rank up to 2" in text
    for option_id in scene.options["ranked"]:
        assert f'<select id="rank-{option_id}" name="rank-{option_id}">' in text
    # one form for the whole ballot, sent to the consultation's own address
    assert text.count("<form method=\"post\" action=\"" + scene.url + "\"") == 1
    assert text.count('<button type="submit" class="button">Vote</button>') == 1
    assert "Follow this consultation" in text and 'id="comment-form"' in text
    assert "Make a proposal" in text


def test_unconfirmed_person_is_asked_to_confirm_and_gets_no_ballot(client, db, login_as):
    scene = build("open")
    sign_in(login_as, client, "unconfirmed")
    text = page(client.get(scene.url))
    assert "Confirm your e-mail address to vote." in text
    assert "/vote" not in text and 'id="comment-form"' not in text
    assert "Make a proposal" not in text


@pytest.mark.parametrize(
    "phase, notice",
    [
        ("scheduled", "Voting has not opened yet."),
        ("closed", "Voting is closed."),
        ("published", "Voting is closed."),
    ],
)
def test_no_ballot_outside_the_voting_window(client, db, login_as, phase, notice):
    scene = build(phase)
    sign_in(login_as, client, "citizen")
    text = page(client.get(scene.url))
    assert notice in text
    assert "/vote" not in text and "Make a proposal" not in text
    # discussion runs from the announcement until voting closes
    assert ('id="comment-form"' in text) == (phase == "scheduled")


def test_published_consultation_shows_the_official_response(client, db):
    scene = build("published")
    english(client)
    text = page(client.get(scene.url))
    assert "Official response: what we did with your input" in text
    assert "<p>Răspuns.</p>" in text
    assert f'href="/consultations/{scene.id}/results"' in text


# --- drafts -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ("anonymous", *NOT_MANAGERS))
def test_a_draft_is_not_found_for_those_who_do_not_manage_it(client, db, login_as, role):
    scene = build("draft")
    sign_in(login_as, client, role)
    before = snapshot()

    for suffix in ("", "/proposals", "/results", "/results.json", "/results.csv"):
        assert client.get(scene.url + suffix).status_code == 404, suffix
    writes = [
        (f"{scene.vote_url('yes_no')}", {"option": scene.option("yes_no", 0)}),
        (f"{scene.url}/comments", {"body": "Salut"}),
        (f"{scene.url}/follow", {}),
        (f"{scene.url}/proposals/new", {"title": "O propunere", "body": "Text"}),
        (f"{scene.url}/announce", {}),
        (f"{scene.url}/questions", question_form()),
        (f"{scene.url}/edit", consultation_form()),
    ]
    for url, data in writes:
        response = client.post(url, data=data)
        if role == "anonymous":
            assert redirects_to_login(response), url
        elif role == "unconfirmed":
            assert response.status_code == 403, url  # confirm first, whatever the target
        else:
            assert response.status_code == 404, (url, response.status_code)
    assert snapshot() == before


@pytest.mark.parametrize("role", MANAGERS)
def test_a_draft_is_seen_by_the_citys_officials_and_admins(client, db, login_as, role):
    scene = build("draft")
    sign_in(login_as, client, role)
    text = page(client.get(scene.url))
    assert "This is a draft: only the city's officials and the secretariat see it." in text
    assert "Voting has not opened yet." in text and "/vote" not in text
    assert client.get(f"{scene.url}/manage").status_code == 200
    # no results before voting
    assert client.get(f"{scene.url}/results").status_code == 404


def test_a_national_draft_is_the_secretariats_only(client, db, login_as):
    scene = build("draft", city=None)
    sign_in(login_as, client, "suceava_official")
    assert client.get(scene.url).status_code == 404
    sign_in(login_as, client, "admin")
    assert client.get(scene.url).status_code == 200
