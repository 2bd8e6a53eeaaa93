"""Proposals and supports over HTTP: submitting, supporting and taking the support back,
sorting, and the officials' answers after closing; bad input gets a clear message and
writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from m100hub.accounts.models import User
from m100hub.consultations import participation
from m100hub.consultations.models import Consultation, Follower, Proposal, ProposalStatus, Support
from m100hub.database import utcnow
from m100hub.extensions import db as _db
from tests.support import factories
from tests.support.consultations import (
    HUGE_IDS,
    build,
    count,
    english,
    follow_redirect,
    fresh,
    logged,
    notified,
    page,
    propose,
    redirects_to_login,
    sign_in,
    snapshot,
)

# --- proposals and supports ---------------------------------------------------------------


def test_submitting_a_proposal(client, db, login_as):
    scene = build("open")
    author = sign_in(login_as, client, "citizen")
    assert client.get(f"{scene.url}/proposals/new").status_code == 200

    response = client.post(
        f"{scene.url}/proposals/new",
        data={"title": "Pistă pe Ștefan cel Mare", "body": "Ar lega **centrul** de gară."},
    )

    assert response.status_code == 303
    proposal = _db.session.scalar(select(Proposal).where(Proposal.consultation_id == scene.id))
    assert response.headers["Location"].endswith(f"/proposals/{proposal.id}")
    assert (proposal.author_id, proposal.title) == (author.id, "Pistă pe Ștefan cel Mare")
    assert proposal.body_html == "<p>Ar lega <strong>centrul</strong> de gară.</p>"
    assert (proposal.support_count, proposal.status) == (0, ProposalStatus.NONE)
    assert fresh(Consultation, scene.id).proposal_count == 1
    assert count(Follower, Follower.consultation_id == scene.id, Follower.user_id == author.id) == 1
    text = page(follow_redirect(client, response))
    assert "Your proposal is published." in text
    assert "<h1>Pistă pe Ștefan cel Mare</h1>" in text
    assert f"Proposed by {author.display_name}" in text and "0 supports" in text
    assert "Support this proposal" not in text  # not one's own
    assert f'href="/proposals/{proposal.id}"' in page(client.get(scene.url))


@pytest.mark.parametrize(
    "data",
    [
        {"title": "Abc", "body": "Un text."},
        {"title": "", "body": "Un text."},
        {"title": "          ", "body": "Un text."},
        {"title": "P" * 161, "body": "Un text."},
        {"title": "Un titlu bun", "body": ""},
        {"title": "Un titlu bun", "body": "   "},
        {"title": "Un titlu bun", "body": "x" * 10001},
        {},
    ],
)
def test_a_bad_proposal_is_refused_with_a_message(client, db, login_as, data):
    scene = build("open")
    sign_in(login_as, client, "citizen")
    before = snapshot()
    response = client.post(f"{scene.url}/proposals/new", data=data)
    assert response.status_code == 422
    assert "Please correct the following:" in page(response)
    assert snapshot() == before


@pytest.mark.parametrize("phase", ["scheduled", "closed", "published"])
def test_proposals_are_made_only_while_voting_is_open(client, db, login_as, phase):
    scene = build(phase)
    sign_in(login_as, client, "citizen")
    before = snapshot()
    assert client.get(f"{scene.url}/proposals/new").status_code == 403
    response = client.post(
        f"{scene.url}/proposals/new", data={"title": "Un titlu bun", "body": "Un text."}
    )
    assert response.status_code == 403
    assert snapshot() == before
    assert "Make a proposal" not in page(client.get(f"{scene.url}/proposals"))


def test_anonymous_and_unconfirmed_cannot_make_proposals(client, db, login_as):
    scene = build("open")
    data = {"title": "Un titlu bun", "body": "Un text."}
    before = snapshot()
    assert redirects_to_login(client.get(f"{scene.url}/proposals/new"))
    assert redirects_to_login(client.post(f"{scene.url}/proposals/new", data=data))
    assert snapshot() == before
    sign_in(login_as, client, "unconfirmed")
    before = snapshot()
    assert client.get(f"{scene.url}/proposals/new").status_code == 403
    assert client.post(f"{scene.url}/proposals/new", data=data).status_code == 403
    assert snapshot() == before


def _listed(text: str) -> list[str]:
    """The titles of the consultation page's list of proposals, in order."""
    shown = text.split('<ol class="proposal-list">', 1)[1].split("</ol>", 1)[0]
    return [item.split("</a>", 1)[0].rsplit(">", 1)[1] for item in shown.split("<li>")[1:]]


def test_the_consultation_page_lists_the_five_most_supported_proposals(client, db, login_as):
    """Most supported first, the newest first among equals, with their supports and
    statuses: read with the consultation (one JSON column), or by a statement of their own
    when a refused comment shows the page again."""
    scene = build("open")
    supports = {"Unu": 3, "Doi": 0, "Trei": 5, "Patru": 5, "Cinci": 1, "Șase": 0, "Șapte": 2}
    start = utcnow() - timedelta(hours=1)
    for n, (title, supported) in enumerate(supports.items()):
        ident = propose(scene, factories.user(), f"Propunerea {title}")
        _db.session.execute(update(Proposal).where(Proposal.id == ident).values(
            support_count=supported, created_dt=start + timedelta(minutes=n),
            status=ProposalStatus.ACCEPTED if title == "Patru" else ProposalStatus.NONE))
    _db.session.commit()
    expected = [f"Propunerea {t}" for t in ("Patru", "Trei", "Unu", "Șapte", "Cinci")]

    for role in ("anonymous", "citizen"):
        sign_in(login_as, client, role)
        text = page(client.get(scene.url))
        assert _listed(text) == expected, role
        assert "5 supports · Accepted</span>" in text and "All proposals (7)" in text
    refused = client.post(f"{scene.url}/comments", data={"body": ""})
    assert refused.status_code == 422 and _listed(page(refused)) == expected
    empty = build("open", title="Fără propuneri")
    assert "No proposal yet." in page(client.get(empty.url))


def test_supporting_a_proposal_and_taking_the_support_back(client, db, login_as):
    scene = build("open")
    proposal_id = propose(scene, factories.user(), "Propunerea de sprijinit")
    _db.session.commit()
    supporter = sign_in(login_as, client, "citizen")
    mine = (Support.proposal_id == proposal_id, Support.user_id == supporter.id)
    assert "Support this proposal" in page(client.get(f"/proposals/{proposal_id}"))

    response = client.post(f"/proposals/{proposal_id}/support")

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/proposals/{proposal_id}")
    assert count(Support, *mine) == 1 and fresh(Proposal, proposal_id).support_count == 1
    text = page(client.get(f"/proposals/{proposal_id}"))
    assert "1 support" in text and "you support it" in text and "Withdraw my support" in text
    assert "you support it" in page(client.get(f"{scene.url}/proposals"))

    # twice: refused, still one
    before = snapshot()
    assert client.post(f"/proposals/{proposal_id}/support").status_code == 409
    assert snapshot() == before

    assert client.post(f"/proposals/{proposal_id}/unsupport").status_code == 303
    assert count(Support, *mine) == 0 and fresh(Proposal, proposal_id).support_count == 0
    before = snapshot()
    assert client.post(f"/proposals/{proposal_id}/unsupport").status_code == 409
    assert snapshot() == before


def test_nobody_supports_their_own_proposal(client, db, login_as):
    scene = build("open")
    author = factories.user(locale="en")
    proposal_id = propose(scene, author)
    _db.session.commit()
    login_as(user=author)
    before = snapshot()
    assert client.post(f"/proposals/{proposal_id}/support").status_code == 403
    assert client.post(f"/proposals/{proposal_id}/unsupport").status_code == 403
    assert snapshot() == before
    assert fresh(Proposal, proposal_id).support_count == 0


@pytest.mark.parametrize("phase", ["closed", "published"])
def test_supports_only_while_voting_is_open(client, db, login_as, phase):
    scene = build(phase)
    proposal_id = propose(scene)
    _db.session.commit()
    sign_in(login_as, client, "citizen")
    before = snapshot()
    assert client.post(f"/proposals/{proposal_id}/support").status_code == 403
    assert snapshot() == before
    assert "Support this proposal" not in page(client.get(f"/proposals/{proposal_id}"))


def test_anonymous_and_unconfirmed_cannot_support(client, db, login_as):
    scene = build("open")
    proposal_id = propose(scene)
    _db.session.commit()
    before = snapshot()
    assert redirects_to_login(client.post(f"/proposals/{proposal_id}/support"))
    sign_in(login_as, client, "unconfirmed")
    before = snapshot()
    assert client.post(f"/proposals/{proposal_id}/support").status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("ident", HUGE_IDS)
def test_supporting_an_unknown_proposal_is_404(client, db, login_as, ident):
    sign_in(login_as, client, "citizen")
    before = snapshot()
    assert client.post(f"/proposals/{ident}/support").status_code == 404
    assert (
        client.post(
            f"/proposals/{ident}/status", data={"status": "accepted", "reason": "Da."}
        ).status_code
        == 404
    )
    assert client.post(f"/proposals/{ident}/comments", data={"body": "Da."}).status_code == 404
    assert snapshot() == before


def test_proposals_sorted_by_supports_or_newest(client, db, login_as):
    scene = build("open")
    ids = [propose(scene, title=f"Propunerea {name}") for name in ("veche", "mijlocie", "nouă")]
    now = utcnow()
    for n, proposal_id in enumerate(ids):
        _db.session.execute(
            update(Proposal)
            .where(Proposal.id == proposal_id)
            .values(created_dt=now - timedelta(hours=3 - n))
        )
    item = _db.session.get(Consultation, scene.id)
    for supports, proposal_id in ((0, ids[0]), (2, ids[1]), (1, ids[2])):
        for _ in range(supports):
            participation.support(factories.user(), item, _db.session.get(Proposal, proposal_id))
    _db.session.commit()
    english(client)

    def order(text):
        return sorted(
            ("veche", "mijlocie", "nouă"), key=lambda name: text.index(f"Propunerea {name}")
        )

    by_supports = page(client.get(f"{scene.url}/proposals"))
    assert order(by_supports) == ["mijlocie", "nouă", "veche"]
    assert "2 supports" in by_supports and "1 support" in by_supports
    assert order(page(client.get(f"{scene.url}/proposals?order=new"))) == [
        "nouă",
        "mijlocie",
        "veche",
    ]
    assert order(page(client.get(f"{scene.url}/proposals?order=nonsense"))) == [
        "mijlocie",
        "nouă",
        "veche",
    ]
    assert order(page(client.get(scene.url))) == ["mijlocie", "nouă", "veche"]


@pytest.mark.parametrize(
    "status, label",
    [("accepted", "Accepted"), ("rejected", "Rejected"), ("under_study", "Under study")],
)
def test_officials_answer_each_proposal_after_closing(client, db, login_as, status, label):
    scene = build("closed")
    author = factories.user()
    proposal_id = propose(scene, author, "Propunerea de răspuns")
    _db.session.commit()
    official = login_as(user=_db.session.get(User, scene.author_id))
    english(client)
    assert "Answer this proposal" in page(client.get(f"/proposals/{proposal_id}"))

    response = client.post(
        f"/proposals/{proposal_id}/status",
        data={"status": status, "reason": "Bugetul pe 2027 decide."},
    )

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/proposals/{proposal_id}")
    proposal = fresh(Proposal, proposal_id)
    assert (proposal.status.value, proposal.status_reason) == (status, "Bugetul pe 2027 decide.")
    assert proposal.status_dt is not None
    assert notified("consultation_proposal_status") == [author.id]
    entries = logged("consultation_proposal_status")
    assert [(e.actor_id, e.target_id, e.details["status"]) for e in entries] == [
        (official.id, proposal_id, status)
    ]
    text = page(follow_redirect(client, response))
    assert "The proposal's status is saved." in text
    assert f"The officials' answer: {label}" in text and "Bugetul pe 2027 decide." in text
    assert label in page(client.get(f"{scene.url}/proposals"))


@pytest.mark.parametrize(
    "data, message",
    [
        ({"status": "accepted", "reason": ""}, "This field is required."),
        ({"status": "accepted", "reason": "   "}, "This field is required."),
        ({"status": "accepted", "reason": "x" * 1001}, "Field cannot be longer than 1000"),
        ({"status": "maybe", "reason": "Motiv."}, "Not a valid choice"),
        ({"reason": "Motiv."}, "Not a valid choice"),
    ],
)
def test_a_bad_answer_to_a_proposal_is_refused(client, db, login_as, data, message):
    scene = build("closed")
    proposal_id = propose(scene)
    _db.session.commit()
    login_as(user=_db.session.get(User, scene.author_id))
    english(client)
    before = snapshot()
    response = client.post(f"/proposals/{proposal_id}/status", data=data)
    assert response.status_code == 422
    assert message in page(response)
    assert snapshot() == before


def test_proposals_are_answered_only_after_closing(client, db, login_as):
    scene = build("open")
    proposal_id = propose(scene)
    _db.session.commit()
    login_as(user=_db.session.get(User, scene.author_id))
    before = snapshot()
    response = client.post(
        f"/proposals/{proposal_id}/status", data={"status": "accepted", "reason": "Da."}
    )
    assert response.status_code in (403, 409)
    assert snapshot() == before
