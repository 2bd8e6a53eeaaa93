"""Public consultations over HTTP: the list and its filters, the consultation page, ballots of
every kind (and changing them), proposals and supports, threaded comments with up/down votes
and reports, the officials' management (create, edit, questions, announce, withdraw, extend,
publish, answer proposals), results with charts, tables, CSV and JSON, and permissions per
role. Bad input on every write path gets a clear message or 400/403/404/409 and writes nothing
(row counts and counters compared before and after); tallies always add up to the ballots;
nobody but the voter ever sees what a person voted."""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from m100hub.accounts.models import Sector, User
from m100hub.activity.models import ActivityEntry
from m100hub.consultations import participation, queries
from m100hub.consultations.models import (
    Ballot,
    Comment,
    CommentVote,
    Consultation,
    Follower,
    Option,
    Participant,
    Proposal,
    ProposalStatus,
    Question,
    Support,
    Tally,
)
from m100hub.database import utcnow
from m100hub.extensions import db as _db
from m100hub.moderation import services as moderation
from m100hub.moderation.models import Report
from m100hub.notifications.models import Notification
from tests.support import consultation_factories as cf
from tests.support import factories

WRITTEN = (
    Consultation,
    Question,
    Option,
    Ballot,
    Tally,
    Participant,
    Follower,
    Proposal,
    Support,
    Comment,
    CommentVote,
    Report,
    ActivityEntry,
    Notification,
)
BUCHAREST = ZoneInfo("Europe/Bucharest")
HUGE_IDS = ["0", "2147483648", "99999999999999999999", "-1", "abc"]
NOT_FITTING = "That answer does not fit the question: check your choices."
WORDING_ONLY = "While voting is open only the wording may change"

#: one question of each kind; the approval question takes at most 2 of 4, the ranked one
#: ranks at most 2 of 3
QUESTIONS = {
    "yes_no": cf.question_data("yes_no", text="Sunteți de acord cu planul?"),
    "single": cf.question_data(
        "single", options=("Autobuze", "Tramvaie", "Biciclete"), text="Cu ce mergeți la lucru?"
    ),
    "approval": cf.question_data(
        "approval",
        options=("Parcuri", "Piste", "Panouri", "Copaci"),
        max_choices=2,
        text="Ce facem întâi?",
    ),
    "ranked": cf.question_data(
        "ranked",
        options=("Centru", "Gară", "Universitate"),
        max_choices=2,
        text="Ordonați traseele",
    ),
}
KINDS = tuple(QUESTIONS)
ROLES = (
    "anonymous",
    "unconfirmed",
    "citizen",
    "moderator",
    "cluj_official",
    "suceava_official",
    "admin",
)
MANAGERS = ("suceava_official", "admin")
NOT_MANAGERS = ("unconfirmed", "citizen", "moderator", "cluj_official")


# --- helpers ------------------------------------------------------------------------------


@dataclass
class Scene:
    """A consultation built for a test, by ids (the session is shared with the views)."""

    id: int
    author_id: int
    questions: dict[str, int]
    options: dict[str, list[int]]

    @property
    def url(self) -> str:
        return f"/consultations/{self.id}"

    def vote_url(self, kind: str) -> str:
        return f"{self.url}/questions/{self.questions[kind]}/vote"

    def option(self, kind: str, index: int) -> str:
        return str(self.options[kind][index])


def build(
    phase: str = "open", city: str | None = "suceava", author=None, kinds=KINDS, **fields
) -> Scene:
    """A consultation of ``city`` (None: national, by an admin) in ``phase``, committed."""
    if author is None:
        author = (
            factories.official(city, locale="en")
            if city
            else factories.person("admin", locale="en")
        )
    item = cf.consultation(
        phase, city_slug=city, author=author, questions=[QUESTIONS[k] for k in kinds], **fields
    )
    questions = cf.questions_of(item)
    scene = Scene(
        item.id,
        author.id,
        {k: q.id for k, q in zip(kinds, questions, strict=True)},
        {k: [o.id for o in q.options] for k, q in zip(kinds, questions, strict=True)},
    )
    _db.session.commit()
    return scene


def cast(scene: Scene, person, kind: str, *indexes: int) -> str:
    """A ballot through the voting service (by option position)."""
    item = _db.session.get(Consultation, scene.id)
    return cf.vote(person, item, queries.question(scene.id, scene.questions[kind]), *indexes)


def propose(scene: Scene, author=None, title=None) -> int:
    item = _db.session.get(Consultation, scene.id)
    if item.phase.value == "open":
        return cf.proposal(item, author, title).id
    saved = item.opens_dt, item.closes_dt  # proposals are made while open
    item.opens_dt, item.closes_dt = utcnow() - timedelta(days=1), utcnow() + timedelta(days=1)
    try:
        return cf.proposal(item, author, title).id
    finally:
        item.opens_dt, item.closes_dt = saved
        _db.session.flush()


def comment(
    scene: Scene, author=None, body="Un comentariu.", proposal_id=None, parent_id=None
) -> int:
    """A comment written straight to the table (any phase), counters kept."""
    author = author or factories.user()
    parent = _db.session.get(Comment, parent_id) if parent_id else None
    row = Comment(
        consultation_id=scene.id,
        proposal_id=proposal_id,
        parent_id=parent_id,
        depth=parent.depth + 1 if parent else 0,
        author_id=author.id,
        body=body,
        body_html=f"<p>{body}</p>",
    )
    _db.session.add(row)
    target = (Proposal, proposal_id) if proposal_id else (Consultation, scene.id)
    _db.session.execute(
        update(target[0])
        .where(target[0].id == target[1])
        .values(comment_count=target[0].comment_count + 1)
    )
    _db.session.flush()
    return row.id


def count(model, *where) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def fresh(model, ident):
    """The row as the database has it now."""
    _db.session.expire_all()
    return _db.session.get(model, ident)


def snapshot() -> dict:
    """Row counts of everything a consultation request may write, and the fields it may
    change. What a request did not commit is dropped first, as at the end of a real request."""
    _db.session.rollback()
    _db.session.expire_all()
    rows = {model.__tablename__: count(model) for model in WRITTEN}
    columns = {
        Consultation: (
            Consultation.title,
            Consultation.summary,
            Consultation.body,
            Consultation.city_id,
            Consultation.sectors,
            Consultation.opens_dt,
            Consultation.closes_dt,
            Consultation.results_while_open,
            Consultation.announced_dt,
            Consultation.published_dt,
            Consultation.response,
            Consultation.closing_notified_dt,
            Consultation.participant_count,
            Consultation.proposal_count,
            Consultation.comment_count,
        ),
        Question: (Question.text, Question.help_text, Question.kind, Question.max_choices),
        Option: (Option.question_id, Option.label, Option.code),
        Ballot: (Ballot.question_id, Ballot.user_id, Ballot.choice_key, Ballot.sector),
        Proposal: (
            Proposal.title,
            Proposal.support_count,
            Proposal.comment_count,
            Proposal.status,
            Proposal.status_reason,
        ),
        Comment: (
            Comment.body,
            Comment.up_count,
            Comment.down_count,
            Comment.hidden_dt,
            Comment.deleted_dt,
            Comment.report_count,
        ),
        CommentVote: (CommentVote.user_id, CommentVote.value),
        Report: (Report.kind, Report.target_id, Report.reporter_id, Report.resolved_dt),
    }
    for model, fields in columns.items():
        key = model.comment_id if model is CommentVote else model.id
        rows[f"{model.__tablename__}:rows"] = [
            tuple(str(v) for v in row)
            for row in _db.session.execute(select(key, *fields).order_by(*key_order(model)))
        ]
    rows["tallies"] = sorted(
        (q, k, str(s), n)
        for q, k, s, n in _db.session.execute(
            select(Tally.question_id, Tally.choice_key, Tally.sector, Tally.count)
        )
    )
    return rows


def key_order(model):
    if model is CommentVote:
        return (CommentVote.comment_id, CommentVote.user_id)
    return (model.id,)


def assert_tallies_exact(scene: Scene) -> None:
    """Every question's tallies (per choices and sector) equal its current ballots."""
    _db.session.expire_all()
    for kind, question_id in scene.questions.items():
        from_ballots = {
            (key, str(sector)): n
            for key, sector, n in _db.session.execute(
                select(Ballot.choice_key, Ballot.sector, func.count())
                .where(Ballot.question_id == question_id)
                .group_by(Ballot.choice_key, Ballot.sector)
            )
        }
        from_tallies = {
            (key, str(sector)): n
            for key, sector, n in _db.session.execute(
                select(Tally.choice_key, Tally.sector, Tally.count).where(
                    Tally.question_id == question_id, Tally.count != 0
                )
            )
        }
        assert from_tallies == from_ballots, kind
        total = _db.session.scalar(
            select(func.coalesce(func.sum(Tally.count), 0)).where(Tally.question_id == question_id)
        )
        assert total == count(Ballot, Ballot.question_id == question_id), kind


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def english(client) -> None:
    client.set_cookie("lang", "en")


def redirects_to_login(response) -> bool:
    return response.status_code in (302, 303) and "/login" in response.headers["Location"]


def follow_redirect(client, response):
    assert response.status_code in (302, 303), response.status_code
    return client.get(response.headers["Location"])


def sign_in(login_as, client, role: str):
    """Sign in as ``role`` (see ROLES), in English; None for anonymous."""
    english(client)
    if role == "anonymous":
        return None
    if role == "cluj_official":
        return login_as(user=factories.official("cluj-napoca", locale="en"))
    if role == "suceava_official":
        return login_as(user=factories.official("suceava", locale="en"))
    return login_as(role, locale="en")


def notified(kind: str) -> list[int]:
    """Recipients of notifications of ``kind``, sorted."""
    return sorted(
        _db.session.scalars(select(Notification.recipient_id).where(Notification.kind == kind))
    )


def logged(verb: str) -> list[ActivityEntry]:
    return list(
        _db.session.scalars(
            select(ActivityEntry).where(ActivityEntry.verb == verb).order_by(ActivityEntry.id)
        )
    )


def local(text: str) -> datetime:
    """A datetime-local value read in Bucharest, as UTC."""
    naive = datetime.strptime(text, "%Y-%m-%dT%H:%M")
    return naive.replace(tzinfo=BUCHAREST).astimezone(UTC)


def typed(moment: datetime) -> str:
    """What an official types in a datetime-local input for ``moment``."""
    return moment.astimezone(BUCHAREST).strftime("%Y-%m-%dT%H:%M")


def consultation_form(**overrides) -> dict:
    data = {
        "title": "Piste de biciclete în Suceava",
        "summary": "Unde facem piste noi?",
        "body": "Planul **2027**.",
        "city_id": str(factories.city("suceava").id),
        "sectors": ["transport", "energy"],
        "opens_at": "2027-01-15T12:00",
        "closes_at": "2027-07-15T12:00",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def question_form(**overrides) -> dict:
    data = {
        "text": "Ce linii noi vreți?",
        "help_text": "",
        "kind": "single",
        "max_choices": "",
        "options": "Linia 1\nLinia 2\nLinia 3",
    }
    data.update(overrides)
    return data


def limit_per_minute(app, setting: str) -> int:
    match = re.search(r"(\d+)\s*(?:per|/)\s*(?:1\s*)?minute", app.config[setting])
    assert match, app.config[setting]
    return int(match.group(1))


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
    assert 'href="/cities/suceava"' in text and "Energy, Transport" in text
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
        for option_id in scene.options[kind]:
            assert f'type="radio" id="option-{option_id}" name="option" value="{option_id}"' in text
    for option_id in scene.options["approval"]:
        assert f'type="checkbox" id="option-{option_id}" name="option"' in text
    assert "choose up to 2" in text and "rank up to 2" in text
    for option_id in scene.options["ranked"]:
        assert f'<select id="rank-{option_id}" name="rank-{option_id}">' in text
    for kind in KINDS:
        assert f'action="{scene.vote_url(kind)}"' in text
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


# --- voting -------------------------------------------------------------------------------


def test_voting_on_each_kind_writes_ballot_tally_participant_and_follow(client, db, login_as):
    scene = build("open")
    voter = sign_in(login_as, client, "citizen")
    forms = {
        "yes_no": {"option": scene.option("yes_no", 0)},
        "single": {"option": scene.option("single", 1)},
        "approval": {"option": [scene.option("approval", 3), scene.option("approval", 0)]},
        "ranked": {
            f"rank-{scene.option('ranked', 2)}": "1",
            f"rank-{scene.option('ranked', 0)}": "2",
            f"rank-{scene.option('ranked', 1)}": "",
        },
    }
    for kind, data in forms.items():
        response = client.post(scene.vote_url(kind), data=data)
        assert response.status_code == 303, (kind, page(response))
        assert response.headers["Location"].endswith(
            f"{scene.url}#question-{scene.questions[kind]}"
        )
        assert "Your vote is recorded." in page(follow_redirect(client, response))

    _db.session.expire_all()
    ballots = {
        row.question_id: row
        for row in _db.session.scalars(select(Ballot).where(Ballot.user_id == voter.id))
    }
    o = scene.options
    assert {kind: ballots[qid].choice_key for kind, qid in scene.questions.items()} == {
        "yes_no": str(o["yes_no"][0]),
        "single": str(o["single"][1]),
        "approval": f"{o['approval'][0]},{o['approval'][3]}",
        "ranked": f"{o['ranked'][2]}>{o['ranked'][0]}",
    }
    assert {b.sector for b in ballots.values()} == {Sector.CITIZEN}
    assert_tallies_exact(scene)
    assert fresh(Consultation, scene.id).participant_count == 1
    assert count(Participant, Participant.consultation_id == scene.id) == 1
    assert count(Follower, Follower.consultation_id == scene.id, Follower.user_id == voter.id) == 1

    text = page(client.get(scene.url))
    assert "You voted: Yes — you may change your vote until voting closes." in text
    assert "You voted: Tramvaie" in text
    assert "You voted: Parcuri, Copaci" in text
    assert "You voted: Universitate › Centru" in text
    assert f'id="option-{o["single"][1]}" name="option" value="{o["single"][1]}" checked' in text
    assert "Change my vote" in text and "1 person has voted" in text


def test_changing_a_vote_moves_the_tally_and_keeps_one_ballot(client, db, login_as):
    scene = build("open")
    voter = sign_in(login_as, client, "citizen")
    url = scene.vote_url("yes_no")
    yes, no = scene.option("yes_no", 0), scene.option("yes_no", 1)

    assert client.post(url, data={"option": yes}).status_code == 303
    changed = client.post(url, data={"option": no})
    assert "Your vote is changed." in page(follow_redirect(client, changed))
    same = client.post(url, data={"option": no})
    assert "Your vote was already this." in page(follow_redirect(client, same))

    _db.session.expire_all()
    ballot = _db.session.scalar(select(Ballot).where(Ballot.user_id == voter.id))
    assert count(Ballot, Ballot.question_id == scene.questions["yes_no"]) == 1
    assert ballot.choice_key == no and ballot.changed_dt is not None
    assert_tallies_exact(scene)
    results = client.get(f"{scene.url}/results.json")
    assert results.status_code == 404  # not while open (results_while_open is off)
    assert fresh(Consultation, scene.id).participant_count == 1
    assert "You voted: No" in page(client.get(scene.url))


def test_tallies_add_up_to_the_ballots_after_many_votes_and_changes(client, db, login_as):
    scene = build("open", results_while_open=True)
    voters = [
        factories.user(sector=s, locale="en")
        for s in ("public", "private", "civil", "citizen", "citizen", "public")
    ]
    plan = [  # (voter, kind, form) in order; later ones change earlier ballots
        (0, "yes_no", {"option": scene.option("yes_no", 0)}),
        (1, "yes_no", {"option": scene.option("yes_no", 0)}),
        (2, "yes_no", {"option": scene.option("yes_no", 2)}),
        (0, "yes_no", {"option": scene.option("yes_no", 1)}),
        (3, "approval", {"option": [scene.option("approval", 0), scene.option("approval", 1)]}),
        (4, "approval", {"option": [scene.option("approval", 1), scene.option("approval", 0)]}),
        (3, "approval", {"option": [scene.option("approval", 2)]}),
        (
            5,
            "ranked",
            {f"rank-{scene.option('ranked', 0)}": "1", f"rank-{scene.option('ranked', 1)}": "2"},
        ),
        (
            5,
            "ranked",
            {f"rank-{scene.option('ranked', 1)}": "1", f"rank-{scene.option('ranked', 0)}": "2"},
        ),
        (1, "single", {"option": scene.option("single", 2)}),
        (1, "single", {"option": scene.option("single", 2)}),
    ]
    for who, kind, data in plan:
        login_as(user=voters[who])
        assert client.post(scene.vote_url(kind), data=data).status_code == 303
        assert_tallies_exact(scene)

    assert count(Ballot) == 7
    assert fresh(Consultation, scene.id).participant_count == 6
    data = client.get(f"{scene.url}/results.json").get_json()
    by_id = {q["id"]: q for q in data["questions"]}
    yes_no = by_id[scene.questions["yes_no"]]
    assert yes_no["ballots"] == 3
    assert yes_no["ballots_by_sector"] == {"public": 1, "private": 1, "civil": 1, "citizen": 0}
    assert [o["votes"] for o in yes_no["options"]] == [1, 1, 1]
    approval = by_id[scene.questions["approval"]]
    assert [o["votes"] for o in approval["options"]] == [1, 1, 1, 0]


def test_the_voters_sector_is_recorded_with_the_ballot_and_follows_a_new_vote(client, db, login_as):
    scene = build("open")
    voter = login_as(user=factories.user(sector="civil", locale="en"))
    data = {"option": scene.option("yes_no", 0)}
    assert client.post(scene.vote_url("yes_no"), data=data).status_code == 303
    assert (
        _db.session.scalar(select(Ballot.sector).where(Ballot.user_id == voter.id)) == Sector.CIVIL
    )
    _db.session.execute(update(User).where(User.id == voter.id).values(sector=Sector.PRIVATE))
    _db.session.commit()

    # the same choice again, now as someone of the private sector
    response = client.post(scene.vote_url("yes_no"), data=data)

    assert response.status_code == 303
    _db.session.expire_all()
    assert (
        _db.session.scalar(select(Ballot.sector).where(Ballot.user_id == voter.id))
        == Sector.PRIVATE
    )
    assert count(Ballot) == 1
    assert_tallies_exact(scene)


@pytest.mark.parametrize("role", ["citizen", "suceava_official", "admin", "anonymous"])
def test_what_someone_voted_is_shown_to_them_alone(client, db, login_as, role):
    scene = build("open", results_while_open=True)
    voter = factories.user(name="Ioana Votanta", locale="en")
    cast(scene, voter, "yes_no", 2)
    cast(scene, voter, "single", 1)
    cast(scene, voter, "ranked", 1, 0)
    _db.session.commit()
    sign_in(login_as, client, role)

    text = page(client.get(scene.url))
    results = page(client.get(f"{scene.url}/results"))

    assert "You voted" not in text and " checked" not in text
    assert "Change my vote" not in text
    assert "Gară › Centru" not in text
    for shown in (text, results):
        assert "Ioana Votanta" not in shown and voter.handle not in shown
        assert voter.email not in shown
    assert "1 person has voted" in results


@pytest.mark.parametrize(
    "kind, data",
    [
        ("yes_no", {}),
        ("yes_no", {"option": ""}),
        ("yes_no", {"option": "abc"}),
        ("yes_no", {"option": "1.5"}),
        ("yes_no", {"option": "99999999999999999999"}),
        ("yes_no", {"option": "-1"}),
        ("yes_no", {"option": ["yes", "no"]}),
        ("yes_no", "two options"),
        ("yes_no", "another question's option"),
        ("single", "two options"),
        ("single", "another question's option"),
        ("approval", "k+1 options"),
        ("approval", "the same option twice"),
        ("approval", "another question's option"),
        ("ranked", {}),
        ("ranked", "repeated rank"),
        ("ranked", "unknown option"),
        ("ranked", "another question's option"),
        ("ranked", "too many ranks"),
        ("ranked", {"rank-abc": "1"}),
        ("ranked", "rank not a number"),
    ],
)
def test_a_ballot_that_does_not_fit_is_refused_and_nothing_changes(
    client, db, login_as, kind, data
):
    scene = build("open")
    voter = sign_in(login_as, client, "citizen")
    for k in KINDS:  # an earlier valid vote stays as it was
        cast(scene, _db.session.get(User, voter.id), k, 0)
    _db.session.commit()
    o = {k: [str(i) for i in ids] for k, ids in scene.options.items()}
    other = {"yes_no": "single", "single": "approval", "approval": "yes_no", "ranked": "single"}
    named = {
        "two options": {"option": o[kind][:2]},
        "another question's option": (
            {f"rank-{o[other[kind]][1]}": "1"}
            if kind == "ranked"
            else {"option": o[other[kind]][1]}
        ),
        "k+1 options": {"option": o["approval"][:3]},
        "the same option twice": {"option": [o["approval"][1], o["approval"][1]]},
        "repeated rank": {f"rank-{o['ranked'][0]}": "1", f"rank-{o['ranked'][1]}": "1"},
        "unknown option": {f"rank-{o['ranked'][0]}": "1", "rank-2147480000": "2"},
        "too many ranks": {f"rank-{i}": str(n) for n, i in enumerate(o["ranked"], 1)},
        "rank not a number": {f"rank-{o['ranked'][0]}": "first"},
    }
    form = named[data] if isinstance(data, str) else data
    before = snapshot()

    response = client.post(scene.vote_url(kind), data=form)

    assert response.status_code == 400, page(response)
    text = page(response)
    assert NOT_FITTING in text
    assert f'id="question-{scene.questions[kind]}-error"' in text
    assert snapshot() == before
    assert_tallies_exact(scene)


@pytest.mark.parametrize(
    "phase, role, status",
    [
        ("scheduled", "citizen", 409),
        ("closed", "citizen", 409),
        ("published", "citizen", 409),
        ("draft", "citizen", 404),
        ("draft", "suceava_official", 409),
        ("draft", "admin", 409),
    ],
)
def test_voting_outside_the_window_is_refused(client, db, login_as, phase, role, status):
    scene = build(phase)
    sign_in(login_as, client, role)
    before = snapshot()
    for kind in ("yes_no", "ranked"):
        form = (
            {f"rank-{scene.option('ranked', 0)}": "1"}
            if kind == "ranked"
            else {"option": scene.option(kind, 0)}
        )
        assert client.post(scene.vote_url(kind), data=form).status_code == status
    assert snapshot() == before


def test_a_vote_after_the_closing_time_is_refused(client, db, login_as):
    scene = build("open")
    voter = sign_in(login_as, client, "citizen")
    cast(scene, _db.session.get(User, voter.id), "yes_no", 0)
    _db.session.execute(
        update(Consultation)
        .where(Consultation.id == scene.id)
        .values(closes_dt=utcnow() - timedelta(seconds=1))
    )
    _db.session.commit()
    before = snapshot()
    # neither a change nor a first ballot
    assert (
        client.post(
            scene.vote_url("yes_no"), data={"option": scene.option("yes_no", 1)}
        ).status_code
        == 409
    )
    assert (
        client.post(
            scene.vote_url("single"), data={"option": scene.option("single", 1)}
        ).status_code
        == 409
    )
    assert snapshot() == before
    assert "You voted: Yes" in page(client.get(scene.url))


def test_voting_on_a_question_of_another_consultation_is_404(client, db, login_as):
    scene = build("open")
    other = build("open")
    sign_in(login_as, client, "citizen")
    before = snapshot()
    wrong = f"{scene.url}/questions/{other.questions['yes_no']}/vote"
    assert client.post(wrong, data={"option": other.option("yes_no", 0)}).status_code == 404
    for ident in HUGE_IDS:
        assert (
            client.post(f"{scene.url}/questions/{ident}/vote", data={"option": "1"}).status_code
            == 404
        )
        assert (
            client.post(
                f"/consultations/{ident}/questions/{scene.questions['yes_no']}/vote",
                data={"option": "1"},
            ).status_code
            == 404
        )
    assert snapshot() == before


def test_anonymous_and_unconfirmed_cannot_vote(client, db, login_as):
    scene = build("open")
    before = snapshot()
    english(client)
    form = {"option": scene.option("yes_no", 0)}
    assert redirects_to_login(client.post(scene.vote_url("yes_no"), data=form))
    sign_in(login_as, client, "unconfirmed")
    before = snapshot()
    response = client.post(scene.vote_url("yes_no"), data=form)
    assert response.status_code == 403
    assert "Please confirm your e-mail address first" in page(response)
    assert snapshot() == before


def test_voting_is_rate_limited_per_person(app, client, db, login_as):
    scene = build("open")
    sign_in(login_as, client, "citizen")
    allowed = limit_per_minute(app, "RATE_LIMIT_VOTE")
    yes, no = scene.option("yes_no", 0), scene.option("yes_no", 1)
    for n in range(allowed):
        response = client.post(scene.vote_url("yes_no"), data={"option": (yes, no)[n % 2]})
        assert response.status_code == 303, n
    before = snapshot()
    assert (
        client.post(scene.vote_url("yes_no"), data={"option": (yes, no)[allowed % 2]}).status_code
        == 429
    )
    assert snapshot() == before
    assert_tallies_exact(scene)


@pytest.mark.parametrize(
    "role", ["citizen", "moderator", "cluj_official", "suceava_official", "admin"]
)
def test_every_confirmed_role_may_vote_with_its_sector(client, db, login_as, role):
    scene = build("open")
    voter = sign_in(login_as, client, role)
    assert (
        client.post(
            scene.vote_url("yes_no"), data={"option": scene.option("yes_no", 0)}
        ).status_code
        == 303
    )
    _db.session.expire_all()
    assert (
        _db.session.scalar(select(Ballot.sector).where(Ballot.user_id == voter.id))
        == _db.session.get(User, voter.id).sector
    )
    assert_tallies_exact(scene)


@pytest.mark.parametrize("rule", ["ballot", "support", "comment vote", "open report"])
def test_one_per_person_is_the_databases_rule(db, rule):
    """Even a request that skipped the services' checks could not write a second row."""
    from sqlalchemy.exc import IntegrityError

    scene = build("open")
    person = factories.user()
    proposal_id = propose(scene)
    comment_id = comment(scene)
    _db.session.commit()

    def row():
        if rule == "ballot":
            return Ballot(
                question_id=scene.questions["yes_no"],
                user_id=person.id,
                choice_key=scene.option("yes_no", 0),
                sector=Sector.CITIZEN,
            )
        if rule == "support":
            return Support(proposal_id=proposal_id, user_id=person.id)
        if rule == "comment vote":
            return CommentVote(comment_id=comment_id, user_id=person.id, value=1)
        return Report(kind="comment", target_id=comment_id, reporter_id=person.id, reason="Spam")

    _db.session.add(row())
    _db.session.flush()
    _db.session.expunge_all()
    with pytest.raises(IntegrityError), _db.session.begin_nested():
        _db.session.add(row())
        _db.session.flush()


# --- following ----------------------------------------------------------------------------


def test_following_and_unfollowing(client, db, login_as):
    scene = build("open")
    person = sign_in(login_as, client, "citizen")
    mine = (Follower.consultation_id == scene.id, Follower.user_id == person.id)

    response = client.post(f"{scene.url}/follow")
    assert response.status_code == 303 and response.headers["Location"].endswith(scene.url)
    assert client.post(f"{scene.url}/follow").status_code == 303  # twice: still one
    assert count(Follower, *mine) == 1
    assert "Stop following" in page(client.get(scene.url))

    assert client.post(f"{scene.url}/unfollow").status_code == 303
    assert client.post(f"{scene.url}/unfollow").status_code == 303
    assert count(Follower, *mine) == 0
    assert "Follow this consultation" in page(client.get(scene.url))


def test_anonymous_cannot_follow(client, db):
    scene = build("open")
    before = snapshot()
    assert redirects_to_login(client.post(f"{scene.url}/follow"))
    assert redirects_to_login(client.post(f"{scene.url}/unfollow"))
    assert client.get(f"{scene.url}/follow").status_code == 405
    assert snapshot() == before


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


# --- comments -----------------------------------------------------------------------------


def test_comments_and_threaded_replies(client, db, login_as):
    scene = build("open")
    first = login_as(user=factories.user(name="Prima Persoană", locale="en"))
    english(client)

    response = client.post(f"{scene.url}/comments", data={"body": "Bună **idee**!"})

    assert response.status_code == 303
    top = _db.session.scalar(select(Comment).where(Comment.author_id == first.id))
    assert response.headers["Location"].endswith(f"{scene.url}#comment-{top.id}")
    assert (top.depth, top.parent_id, top.proposal_id) == (0, None, None)
    assert top.body_html == "<p>Bună <strong>idee</strong>!</p>"

    second = login_as(user=factories.user(name="A Doua Persoană", locale="en"))
    response = client.post(
        f"{scene.url}/comments", data={"body": "De acord.", "parent_id": str(top.id)}
    )
    assert response.status_code == 303
    reply = _db.session.scalar(select(Comment).where(Comment.author_id == second.id))
    assert (reply.depth, reply.parent_id) == (1, top.id)
    assert notified("consultation_comment_reply") == [first.id]
    assert fresh(Consultation, scene.id).comment_count == 2
    assert (
        count(
            Follower,
            Follower.consultation_id == scene.id,
            Follower.user_id.in_([first.id, second.id]),
        )
        == 2
    )

    text = page(client.get(scene.url))
    parent_at = text.index(f'id="comment-{top.id}"')
    reply_at = text.index(f'id="comment-{reply.id}"')
    between = text[parent_at:reply_at]
    assert "</article>" in between and '<ol class="comments">' in between
    assert "</li>" not in between  # the reply is inside its parent's item
    assert "Bună <strong>idee</strong>!" in text and "De acord." in text
    assert (
        client.get(f"/comments/{reply.id}")
        .headers["Location"]
        .endswith(f"{scene.url}#comment-{reply.id}")
    )


def test_replies_nest_at_most_three_deep(client, db, login_as):
    scene = build("open")
    sign_in(login_as, client, "citizen")
    parent = comment(scene)
    _db.session.commit()
    depths = []
    for n in range(4):
        response = client.post(
            f"{scene.url}/comments", data={"body": f"Răspunsul {n}", "parent_id": str(parent)}
        )
        assert response.status_code == 303
        parent = int(response.headers["Location"].rsplit("-", 1)[1])
        depths.append(fresh(Comment, parent).depth)
    assert depths == [1, 2, 3, 3]


def test_comments_on_a_proposal(client, db, login_as):
    scene = build("open")
    proposal_id = propose(scene, title="Propunerea discutată")
    _db.session.commit()
    sign_in(login_as, client, "citizen")

    response = client.post(f"/proposals/{proposal_id}/comments", data={"body": "Susțin!"})

    assert response.status_code == 303
    written = _db.session.scalar(select(Comment).where(Comment.proposal_id == proposal_id))
    assert response.headers["Location"].endswith(f"/proposals/{proposal_id}#comment-{written.id}")
    assert fresh(Proposal, proposal_id).comment_count == 1
    assert fresh(Consultation, scene.id).comment_count == 0
    assert "Susțin!" in page(client.get(f"/proposals/{proposal_id}"))
    assert "Susțin!" not in page(client.get(scene.url))
    reply = client.post(
        f"/proposals/{proposal_id}/comments", data={"body": "Și eu.", "parent_id": str(written.id)}
    )
    assert reply.status_code == 303 and fresh(Proposal, proposal_id).comment_count == 2
    assert (
        client.get(f"/comments/{written.id}")
        .headers["Location"]
        .endswith(f"/proposals/{proposal_id}#comment-{written.id}")
    )
    # a reply posted to the consultation's discussion cannot hang under a proposal's comment
    before = snapshot()
    assert (
        client.post(
            f"{scene.url}/comments", data={"body": "Greșit", "parent_id": str(written.id)}
        ).status_code
        == 400
    )
    assert snapshot() == before


def test_comments_ordered_by_agreement_newest_or_oldest(client, db, login_as):
    scene = build("open")
    ids = [comment(scene, body=f"Comentariul {name}") for name in ("întâi", "doi", "trei")]
    _db.session.execute(update(Comment).where(Comment.id == ids[1]).values(up_count=5))
    _db.session.execute(update(Comment).where(Comment.id == ids[2]).values(up_count=2))
    _db.session.execute(update(Comment).where(Comment.id == ids[0]).values(down_count=1))
    _db.session.commit()
    english(client)

    def order(query=""):
        text = page(client.get(f"{scene.url}{query}"))
        return sorted(("întâi", "doi", "trei"), key=lambda n: text.index(f"Comentariul {n}"))

    assert order() == ["doi", "trei", "întâi"]
    assert order("?order=best") == ["doi", "trei", "întâi"]
    assert order("?order=new") == ["trei", "doi", "întâi"]
    assert order("?order=old") == ["întâi", "doi", "trei"]
    assert "5 for, 0 against" in page(client.get(scene.url))


def test_a_long_discussion_is_paged_with_the_replies_beside_their_comment(client, db):
    scene = build("open")
    per_page = queries.COMMENTS_PER_PAGE
    author = factories.user()
    ids = [comment(scene, author, body=f"Comentariul nr. {n}.") for n in range(per_page + 3)]
    late = comment(scene, body="Răspunsul de pe pagina a doua.", parent_id=ids[-1])
    deep = comment(scene, body="Răspunsul la răspuns.", parent_id=late)
    _db.session.commit()
    english(client)

    first = page(client.get(f"{scene.url}?order=old"))
    assert first.count('class="comment depth-0"') == per_page
    assert "Comentariul nr. 0." in first and f"Comentariul nr. {per_page}." not in first
    assert "Page 1 of 2" in first and "?order=old&page=2#comments" in first
    second = page(client.get(f"{scene.url}?order=old&page=2"))
    assert second.count('class="comment depth-0"') == 3
    assert "Răspunsul de pe pagina a doua." in second and "Răspunsul la răspuns." in second
    assert second.index(f'id="comment-{ids[-1]}"') < second.index(f'id="comment-{late}"') \
        < second.index(f'id="comment-{deep}"')
    assert "?order=old&page=1#comments" in second and "Page 2 of 2" in second
    # newest first: the last comment and its replies open the first page
    newest = page(client.get(f"{scene.url}?order=new"))
    assert f'id="comment-{ids[-1]}"' in newest and f'id="comment-{deep}"' in newest
    assert f'id="comment-{ids[0]}"' not in newest
    # past the end: no comment, a way back
    beyond = page(client.get(f"{scene.url}?page=9"))
    assert 'class="comment depth-' not in beyond
    assert f"{scene.url}?order=best&page=2#comments" in beyond  # back to the last page
    # an order the page does not offer is the default one, and never reaches the links
    odd = client.get(f"{scene.url}?order=best%26page%3D2&page=2").get_data(as_text=True)
    discussion = odd[odd.index('id="comments"'):]
    assert "%26" not in discussion and "?order=best&amp;page=1#comments" in discussion


def test_a_comment_link_opens_the_page_that_shows_it(client, db):
    scene = build("open")
    per_page = queries.COMMENTS_PER_PAGE
    author = factories.user()
    ids = [comment(scene, author, body=f"Comentariul nr. {n}.") for n in range(per_page + 1)]
    # most agreed first: the least agreed comment is the last, alone on page 2
    _db.session.execute(update(Comment).where(Comment.id == ids[0]).values(down_count=3))
    reply = comment(scene, body="Un răspuns.", parent_id=ids[0])
    deeper = comment(scene, body="Încă unul.", parent_id=reply)
    chain = [deeper]
    for n in range(6):  # a long exchange: replies to the deepest comment go on and on
        chain.append(comment(scene, body=f"Replica {n}.", parent_id=chain[-1]))
    top = ids[1]
    _db.session.commit()

    for target in (ids[0], reply, deeper, chain[-1]):
        location = client.get(f"/comments/{target}").headers["Location"]
        assert location.endswith(f"{scene.url}?page=2#comment-{target}"), location
        assert f'id="comment-{target}"' in page(client.get(location))
    assert client.get(f"/comments/{top}").headers["Location"].endswith(
        f"{scene.url}#comment-{top}")
    # on a proposal's discussion too
    proposal_id = propose(scene)
    first = comment(scene, body="Despre propunere.", proposal_id=proposal_id)
    _db.session.commit()
    assert client.get(f"/comments/{first}").headers["Location"].endswith(
        f"/proposals/{proposal_id}#comment-{first}")


@pytest.mark.parametrize(
    "case, status",
    [
        ("empty", 422),
        ("blank", 422),
        ("too long", 422),
        ("parent not a number", 422),
        ("parent zero", 422),
        ("parent too big", 422),
        ("parent of another consultation", 400),
        ("parent in a proposal's discussion", 400),
        ("unknown parent", 404),
        ("hidden parent", 400),
        ("deleted parent", 400),
    ],
)
def test_a_bad_comment_is_refused_and_nothing_written(client, db, login_as, case, status):
    scene = build("open")
    other = build("open")
    proposal_id = propose(scene)
    parents = {
        "parent of another consultation": comment(other),
        "parent in a proposal's discussion": comment(scene, proposal_id=proposal_id),
        "hidden parent": comment(scene),
        "deleted parent": comment(scene),
    }
    _db.session.execute(
        update(Comment).where(Comment.id == parents["hidden parent"]).values(hidden_dt=utcnow())
    )
    _db.session.execute(
        update(Comment).where(Comment.id == parents["deleted parent"]).values(deleted_dt=utcnow())
    )
    _db.session.commit()
    sign_in(login_as, client, "citizen")
    data = {
        "empty": {"body": ""},
        "blank": {"body": "  \n "},
        "too long": {"body": "x" * 5001},
        "parent not a number": {"body": "Bun.", "parent_id": "abc"},
        "parent zero": {"body": "Bun.", "parent_id": "0"},
        "parent too big": {"body": "Bun.", "parent_id": "99999999999999999999"},
        "unknown parent": {"body": "Bun.", "parent_id": "2147480000"},
    }.get(case) or {"body": "Bun.", "parent_id": str(parents[case])}
    before = snapshot()

    response = client.post(f"{scene.url}/comments", data=data)

    if case.startswith("parent"):  # a hidden field only a forged form gets wrong
        assert response.status_code in (status, 400)
    else:
        assert response.status_code == status
    if case in ("empty", "blank", "too long"):
        assert "This field is required." in page(response) or "5000" in page(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    "phase, role, status",
    [
        ("scheduled", "citizen", 303),
        ("closed", "citizen", 403),
        ("published", "citizen", 403),
        ("draft", "suceava_official", 403),
        ("draft", "citizen", 404),
    ],
)
def test_discussion_runs_from_the_announcement_until_closing(
    client, db, login_as, phase, role, status
):
    scene = build(phase)
    sign_in(login_as, client, role)
    before = snapshot()
    response = client.post(f"{scene.url}/comments", data={"body": "Părerea mea."})
    assert response.status_code == status
    if status == 303:
        assert count(Comment, Comment.consultation_id == scene.id) == 1
    else:
        assert snapshot() == before


def test_anonymous_and_unconfirmed_cannot_comment(client, db, login_as):
    scene = build("open")
    proposal_id = propose(scene)
    _db.session.commit()
    before = snapshot()
    assert redirects_to_login(client.post(f"{scene.url}/comments", data={"body": "Salut"}))
    assert redirects_to_login(
        client.post(f"/proposals/{proposal_id}/comments", data={"body": "Salut"})
    )
    assert snapshot() == before
    sign_in(login_as, client, "unconfirmed")
    before = snapshot()
    assert client.post(f"{scene.url}/comments", data={"body": "Salut"}).status_code == 403
    assert (
        client.post(f"/proposals/{proposal_id}/comments", data={"body": "Salut"}).status_code == 403
    )
    assert snapshot() == before


def test_up_and_down_votes_on_a_comment(client, db, login_as):
    scene = build("open")
    comment_id = comment(scene, body="Părere de votat")
    _db.session.commit()
    voter = sign_in(login_as, client, "citizen")
    url = f"/comments/{comment_id}/vote"
    mine = (CommentVote.comment_id == comment_id, CommentVote.user_id == voter.id)

    def state():
        row = fresh(Comment, comment_id)
        votes = list(_db.session.scalars(select(CommentVote.value).where(*mine)))
        return row.up_count, row.down_count, votes

    response = client.post(url, data={"value": "up"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{scene.url}#comment-{comment_id}")
    assert state() == (1, 0, [1])
    text = page(client.get(scene.url))
    assert "1 for, 0 against" in text
    assert 'value="none" class="link-button" aria-pressed="true">Agree' in text

    assert client.post(url, data={"value": "down"}).status_code == 303
    assert state() == (0, 1, [-1])
    assert client.post(url, data={"value": "down"}).status_code == 303
    assert state() == (0, 1, [-1])
    assert client.post(url, data={"value": "none"}).status_code == 303
    assert state() == (0, 0, [])
    assert client.post(url, data={"value": "none"}).status_code == 303
    assert state() == (0, 0, [])

    login_as(user=factories.user())
    assert client.post(url, data={"value": "up"}).status_code == 303
    login_as(user=voter)
    assert client.post(url, data={"value": "up"}).status_code == 303
    assert state()[:2] == (2, 0)
    assert count(CommentVote, CommentVote.comment_id == comment_id) == 2


@pytest.mark.parametrize(
    "case, status",
    [
        ("sideways", 400),
        ("empty", 400),
        ("plus one", 400),
        ("own comment", 403),
        ("hidden comment", 409),
        ("deleted comment", 409),
        ("closed consultation", 403),
        ("unknown comment", 404),
    ],
)
def test_a_bad_comment_vote_is_refused_and_nothing_written(client, db, login_as, case, status):
    voter = factories.user(locale="en")
    scene = build("closed" if case == "closed consultation" else "open")
    comment_id = comment(scene, author=voter if case == "own comment" else None)
    if case in ("hidden comment", "deleted comment"):
        column = "hidden_dt" if case == "hidden comment" else "deleted_dt"
        _db.session.execute(
            update(Comment).where(Comment.id == comment_id).values({column: utcnow()})
        )
    _db.session.commit()
    login_as(user=voter)
    value = {"sideways": "sideways", "empty": "", "plus one": "1"}.get(case, "up")
    target = 2147480000 if case == "unknown comment" else comment_id
    before = snapshot()
    assert client.post(f"/comments/{target}/vote", data={"value": value}).status_code == status
    assert snapshot() == before


def test_anonymous_and_unconfirmed_cannot_vote_on_comments(client, db, login_as):
    scene = build("open")
    comment_id = comment(scene)
    _db.session.commit()
    before = snapshot()
    assert redirects_to_login(client.post(f"/comments/{comment_id}/vote", data={"value": "up"}))
    sign_in(login_as, client, "unconfirmed")
    before = snapshot()
    assert client.post(f"/comments/{comment_id}/vote", data={"value": "up"}).status_code == 403
    assert snapshot() == before


def test_three_distinct_reports_hide_a_comment(client, db, login_as):
    scene = build("open")
    comment_id = comment(scene, body="Un comentariu urât")
    _db.session.commit()
    reporters = [factories.user(locale="en") for _ in range(4)]
    for n, reporter in enumerate(reporters[:3], 1):
        login_as(user=reporter)
        form = client.get(f"/moderation/comment/{comment_id}/report")
        assert form.status_code == 200 and "Un comentariu urât" in page(form)
        response = client.post(f"/moderation/comment/{comment_id}/report",
                               data={"reason": f"Jignitor {n}"})
        assert response.status_code == 303
        assert "Thank you: the moderators will look at this comment." in page(
            follow_redirect(client, response)
        )
        row = fresh(Comment, comment_id)
        assert row.report_count == n
        assert (row.hidden_dt is not None) == (n == 3), n

    reports = list(_db.session.scalars(select(Report).where(Report.about("comment", comment_id))))
    assert sorted(r.reporter_id for r in reports) == sorted(r.id for r in reporters[:3])
    assert all(r.kind == "comment" and r.resolved_dt is None for r in reports)
    assert fresh(Consultation, scene.id).comment_count == 0
    text = page(client.get(scene.url))
    assert "Hidden after several reports, until a moderator decides." in text
    assert "Un comentariu urât" not in text

    login_as(user=reporters[3])  # a hidden comment is not reported again
    before = snapshot()
    assert (
        client.post(f"/moderation/comment/{comment_id}/report",
                    data={"reason": "Și eu"}).status_code == 403
    )
    assert snapshot() == before


def test_a_bad_report_is_refused_and_nothing_written(client, db, login_as):
    scene = build("open")
    author = factories.user(locale="en")
    comment_id = comment(scene, author=author)
    _db.session.commit()
    url = f"/moderation/comment/{comment_id}/report"

    before = snapshot()
    assert redirects_to_login(client.get(url))
    assert redirects_to_login(client.post(url, data={"reason": "Spam"}))
    assert snapshot() == before
    sign_in(login_as, client, "moderator")
    assert client.get("/moderation/comment/2147480000/report").status_code == 404
    answer = client.post("/moderation/comment/2147480000/report", data={"reason": "x"})
    assert answer.status_code == 404
    sign_in(login_as, client, "unconfirmed")
    assert client.post(url, data={"reason": "Spam"}).status_code == 403
    login_as(user=author)  # one's own comment
    assert client.post(url, data={"reason": "Spam"}).status_code == 403
    assert snapshot() == before

    sign_in(login_as, client, "citizen")
    for reason in ("", "   ", "x" * 501):
        response = client.post(url, data={"reason": reason})
        assert response.status_code in (200, 422)
        assert "Please correct the following:" in page(response)
    assert snapshot() == before
    assert client.post(url, data={"reason": "Spam"}).status_code == 303
    before = snapshot()
    assert client.post(url, data={"reason": "Tot spam"}).status_code == 409  # twice
    assert snapshot() == before
    assert fresh(Comment, comment_id).report_count == 1


def test_the_author_deletes_a_comment_and_its_replies_stay_readable(client, db, login_as):
    scene = build("open")
    author = factories.user(locale="en")
    comment_id = comment(scene, author=author, body="Textul retras")
    comment(scene, body="Răspunsul rămas", parent_id=comment_id)
    _db.session.commit()

    sign_in(login_as, client, "citizen")  # someone else
    before = snapshot()
    assert client.post(f"/comments/{comment_id}/delete").status_code == 403
    assert snapshot() == before

    login_as(user=author)
    response = client.post(f"/comments/{comment_id}/delete")
    assert response.status_code == 303
    assert fresh(Comment, comment_id).deleted_dt is not None
    assert fresh(Consultation, scene.id).comment_count == 1
    text = page(client.get(scene.url))
    assert "This comment was deleted by its author." in text
    assert "Textul retras" not in text and "Răspunsul rămas" in text
    before = snapshot()
    assert client.post(f"/comments/{comment_id}/delete").status_code == 409
    assert snapshot() == before


def test_anonymous_cannot_delete_a_comment(client, db):
    scene = build("open")
    comment_id = comment(scene)
    _db.session.commit()
    before = snapshot()
    assert redirects_to_login(client.post(f"/comments/{comment_id}/delete"))
    assert snapshot() == before


def test_comments_of_a_draft_are_not_found(client, db, login_as):
    scene = build("draft")
    comment_id = comment(scene)
    _db.session.commit()
    sign_in(login_as, client, "citizen")
    before = snapshot()
    assert client.get(f"/comments/{comment_id}").status_code == 404
    assert client.post(f"/comments/{comment_id}/vote", data={"value": "up"}).status_code == 404
    assert client.get(f"/moderation/comment/{comment_id}/report").status_code == 404
    assert snapshot() == before


# --- creating and editing -----------------------------------------------------------------


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
    scene = build("scheduled")
    login_as(user=_db.session.get(User, scene.author_id))
    english(client)
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
    scene = build(phase)
    login_as(user=_db.session.get(User, scene.author_id))
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
    scene = build("scheduled")
    login_as(user=_db.session.get(User, scene.author_id))
    english(client)
    before = snapshot()
    response = client.post(f"{scene.url}/edit", data=consultation_form(**overrides))
    assert response.status_code == 422
    assert message in page(response)
    assert snapshot() == before


def test_an_official_cannot_move_a_consultation_to_another_city(client, db, login_as):
    scene = build("scheduled")
    login_as(user=_db.session.get(User, scene.author_id))
    english(client)
    before = snapshot()
    response = client.post(
        f"{scene.url}/edit", data=consultation_form(city_id=str(factories.city("cluj-napoca").id))
    )
    assert response.status_code == 422 and "Not a valid choice" in page(response)
    response = client.post(f"{scene.url}/edit", data=consultation_form(city_id="0"))
    assert response.status_code == 422
    assert snapshot() == before


# --- questions ----------------------------------------------------------------------------


def test_adding_questions_of_each_kind_to_a_draft(client, db, login_as):
    scene = build("draft", kinds=())
    login_as(user=_db.session.get(User, scene.author_id))
    english(client)
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
    scene = build("draft")
    login_as(user=_db.session.get(User, scene.author_id))
    english(client)
    before = snapshot()
    response = client.post(f"{scene.url}/questions", data=question_form(**overrides))
    assert response.status_code == 422
    assert message in page(response)
    # and the same on an existing question
    response = client.post(
        f"{scene.url}/questions/{scene.questions['single']}", data=question_form(**overrides)
    )
    assert response.status_code == 422
    assert message in page(response)
    assert snapshot() == before


def test_changing_a_question_before_opening_may_change_anything(client, db, login_as):
    scene = build("scheduled")
    login_as(user=_db.session.get(User, scene.author_id))
    english(client)
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


def test_deleting_a_question_before_opening(client, db, login_as):
    scene = build("scheduled")
    login_as(user=_db.session.get(User, scene.author_id))
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
    scene = build("open")
    login_as(user=_db.session.get(User, scene.author_id))
    english(client)
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
    scene = build("open")
    login_as(user=_db.session.get(User, scene.author_id))
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
    scene = build(phase)
    login_as(user=_db.session.get(User, scene.author_id))
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
    scene = build(phase)
    login_as(user=_db.session.get(User, scene.author_id))
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
    scene = build("open")
    login_as(user=_db.session.get(User, scene.author_id))
    english(client)
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
    scene = build("open")
    login_as(user=_db.session.get(User, scene.author_id))
    before = snapshot()
    assert client.post(f"{scene.url}/extend", data={"closes_at": value}).status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize("phase", ["draft", "scheduled", "closed", "published"])
def test_only_open_voting_is_extended(client, db, login_as, phase):
    scene = build(phase)
    login_as(user=_db.session.get(User, scene.author_id))
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
    scene = build(phase)
    login_as(user=_db.session.get(User, scene.author_id))
    before = snapshot()
    assert client.get(f"{scene.url}/publish").status_code == 409
    assert client.post(f"{scene.url}/publish", data={"response": "Gata."}).status_code == 409
    assert snapshot() == before


@pytest.mark.parametrize("response_text", ["", "   ", "x" * 20001])
def test_publishing_needs_a_response(client, db, login_as, response_text):
    scene = build("closed")
    login_as(user=_db.session.get(User, scene.author_id))
    english(client)
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
    scene = build(phase)
    login_as(user=_db.session.get(User, scene.author_id))
    english(client)
    text = page(client.get(f"{scene.url}/manage"))
    for label in shown:
        assert label in text, label
    for label in absent:
        assert label not in text, label
    assert 'aria-current="step"' in text


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


# --- results ------------------------------------------------------------------------------

VOTERS = ("public", "private", "civil", "citizen", "citizen")
#: per question kind, each voter's choices (option positions), voter i of VOTERS
BALLOTS = {
    "yes_no": [(0,), (0,), (0,), (1,), (2,)],
    "single": [(0,), (1,), (1,), (1,), (2,)],
    "approval": [(0, 1), (1,), (1, 3), (0,), (2, 3)],
    # round 1: Centru 2, Gară 2, Universitate 1 → Universitate out; round 2: Gară 3 of 5
    "ranked": [(0, 2), (0, 2), (1, 2), (1, 2), (2, 1)],
}


def voted_scene(phase: str = "published", **fields) -> tuple[Scene, list[User]]:
    scene = build(phase, **fields)
    voters = [
        factories.user(name=f"Votantul {n}", sector=sector) for n, sector in enumerate(VOTERS)
    ]
    for kind, choices in BALLOTS.items():
        for voter, options in zip(voters, choices, strict=True):
            cast(scene, voter, kind, *options)
    _db.session.commit()
    return scene, voters


@pytest.mark.parametrize(
    "phase, while_open, role, status",
    [
        ("published", False, "anonymous", 200),
        ("published", False, "citizen", 200),
        ("published", False, "cluj_official", 200),
        ("published", False, "admin", 200),
        ("open", False, "anonymous", 404),
        ("open", False, "citizen", 404),
        ("open", False, "cluj_official", 404),
        ("open", False, "suceava_official", 200),
        ("open", False, "admin", 200),
        ("open", True, "anonymous", 200),
        ("open", True, "citizen", 200),
        ("closed", False, "citizen", 404),
        ("closed", False, "moderator", 404),
        ("closed", False, "suceava_official", 200),
        ("closed", True, "anonymous", 200),
        ("scheduled", True, "citizen", 404),
        ("scheduled", True, "suceava_official", 404),
        ("scheduled", False, "admin", 404),
        ("draft", True, "citizen", 404),
        ("draft", True, "admin", 404),
    ],
)
def test_who_sees_the_results_when(client, db, login_as, phase, while_open, role, status):
    scene = build(phase, results_while_open=while_open)
    sign_in(login_as, client, role)
    for suffix in ("/results", "/results.json", "/results.csv"):
        assert client.get(scene.url + suffix).status_code == status, suffix
    assert (f'href="{scene.url}/results"' in page(client.get(scene.url))) == (
        status == 200
    ) or phase == "draft"


def test_results_page_shows_counts_percentages_turnout_sectors_and_rounds(client, db):
    scene, _ = voted_scene()
    english(client)

    response = client.get(f"{scene.url}/results")

    assert response.status_code == 200
    text = page(response)
    assert "Official response: what we did with your input" in text and "Răspuns." in text
    assert "5 people have voted" in text
    assert text.count("5 ballots") == 4
    assert text.count("turnout: 100 % of the participants") == 4
    # yes / no / abstain: 3, 1, 1 of 5; by sector
    assert (
        '<th scope="row">Yes</th><td>3 (60 %)</td><td>1 (100 %)</td><td>1 (100 %)</td>'
        "<td>1 (100 %)</td><td>0 (0 %)</td></tr>" in text
    )
    assert (
        '<th scope="row">Abstain</th><td>1 (20 %)</td><td>0 (0 %)</td><td>0 (0 %)</td>'
        "<td>0 (0 %)</td><td>1 (50 %)</td></tr>" in text
    )
    assert '<th scope="row">Ballots</th><td>5</td><td>1</td><td>1</td><td>1</td><td>2</td>' in text
    for label in ("Public sector", "Private sector", "Civil society", "Citizen"):
        assert f'<th scope="col">{label}</th>' in text
    assert "Result: Yes" in text and "Result: Tramvaie" in text
    assert '<th scope="row">Piste</th><td>3 (60 %)</td>' in text  # approval: share of ballots
    # instant runoff
    assert "Instant-runoff rounds" in text and "Round 1" in text and "Round 2" in text
    assert "Round 3" not in text
    assert '<th scope="row">Universitate</th><td>1 — eliminated</td><td>—</td>' in text
    assert '<th scope="row">Gară</th><td>2</td><td>3</td>' in text
    assert "Result: Gară" in text
    # a chart for each question (and the final round), each with its table of figures
    assert text.count('<svg role="img"') == 5
    assert text.count("<table>") == 5
    assert '<title id="chart-final-' in text
    assert 'width="300.0" height="16" class="chart-bar"' in text  # 60 % of 500


def test_results_json_has_the_figures_and_nobody_in_it(client, db):
    scene, voters = voted_scene()
    english(client)

    response = client.get(f"{scene.url}/results.json")

    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert data["consultation"]["id"] == scene.id
    assert data["consultation"]["participants"] == 5
    assert data["consultation"]["phase"] == "published"
    assert data["consultation"]["city"] == "Suceava"
    questions = {q["id"]: q for q in data["questions"]}
    yes_no = questions[scene.questions["yes_no"]]
    assert (yes_no["kind"], yes_no["ballots"]) == ("yes_no", 5)
    assert yes_no["ballots_by_sector"] == {"public": 1, "private": 1, "civil": 1, "citizen": 2}
    assert [(o["id"], o["label"], o["votes"], o["percent"]) for o in yes_no["options"]] == [
        (scene.options["yes_no"][0], "Yes", 3, 60.0),
        (scene.options["yes_no"][1], "No", 1, 20.0),
        (scene.options["yes_no"][2], "Abstain", 1, 20.0),
    ]
    assert yes_no["options"][0]["by_sector"] == {
        "public": 1,
        "private": 1,
        "civil": 1,
        "citizen": 0,
    }
    assert yes_no["winners"] == [scene.options["yes_no"][0]] and yes_no["rounds"] == []
    ranked = questions[scene.questions["ranked"]]
    centre, station, university = scene.options["ranked"]
    assert ranked["rounds"] == [
        {
            "number": 1,
            "votes": {str(centre): 2, str(station): 2, str(university): 1},
            "exhausted": 0,
            "eliminated": [university],
        },
        {"number": 2, "votes": {str(centre): 2, str(station): 3}, "exhausted": 0, "eliminated": []},
    ]
    assert ranked["winners"] == [station]
    assert_no_person(data, voters)


def assert_no_person(data, voters) -> None:
    """No key that could carry a person, and no voter's name, handle or e-mail anywhere."""

    def keys(value):
        if isinstance(value, dict):
            for key, inner in value.items():
                yield key
                yield from keys(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from keys(inner)

    forbidden = ("user", "voter", "author", "email", "name", "handle", "ballot_id", "person")
    assert not [k for k in keys(data) if any(word in k.lower() for word in forbidden)]
    serialised = str(data)
    for voter in voters:
        for value in (voter.display_name, voter.handle, voter.email):
            assert value not in serialised


def test_results_csv_has_one_row_per_option_and_round_and_nobody_in_it(client, db):
    scene, voters = voted_scene()
    english(client)

    response = client.get(f"{scene.url}/results.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="consultation-{scene.id}-results.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == [
        "question_id",
        "question",
        "kind",
        "round",
        "option_id",
        "option",
        "votes",
        "percent",
        "ballots",
        "public",
        "private",
        "civil",
        "citizen",
    ]
    yes = scene.options["yes_no"][0]
    assert [
        str(scene.questions["yes_no"]),
        "Sunteți de acord cu planul?",
        "yes_no",
        "",
        str(yes),
        "Yes",
        "3",
        "60.00",
        "5",
        "1",
        "1",
        "1",
        "0",
    ] in rows
    ranked = [r for r in rows[1:] if r[0] == str(scene.questions["ranked"])]
    assert len(ranked) == 3 + 3 + 2  # first preferences, round 1, round 2
    assert [
        str(scene.questions["ranked"]),
        "Ordonați traseele",
        "ranked",
        "2",
        str(scene.options["ranked"][1]),
        "Gară",
        "3",
        "60.00",
        "5",
        "",
        "",
        "",
        "",
    ] in rows
    assert len(rows) == 1 + 3 + 3 + 4 + 8
    body = response.get_data(as_text=True)
    for voter in voters:
        for value in (voter.display_name, voter.handle, voter.email):
            assert value not in body
    assert not [cell for cell in rows[0] if "user" in cell or "voter" in cell]


def test_results_csv_defuses_spreadsheet_formulas(client, db):
    scene = build("published", kinds=("single",))
    _db.session.execute(
        update(Option)
        .where(Option.id == scene.options["single"][0])
        .values(label='=HYPERLINK("http://x")')
    )
    _db.session.execute(
        update(Question).where(Question.id == scene.questions["single"]).values(text="+SUM(A1:A9)")
    )
    _db.session.commit()
    rows = list(
        csv.reader(io.StringIO(client.get(f"{scene.url}/results.csv").get_data(as_text=True)))
    )
    assert rows[1][1] == "'+SUM(A1:A9)" and rows[1][5] == '\'=HYPERLINK("http://x")'


@pytest.mark.parametrize("role", MANAGERS)
def test_officials_see_totals_never_ballots(client, db, login_as, role):
    scene, voters = voted_scene("closed")
    sign_in(login_as, client, role)
    text = page(client.get(f"{scene.url}/results"))
    assert "Voting is closed; the results are not published yet." in text
    assert "5 ballots" in text
    for voter in voters:
        assert voter.display_name not in text and voter.handle not in text
    assert_no_person(client.get(f"{scene.url}/results.json").get_json(), voters)
    assert "You voted" not in page(client.get(scene.url))


def test_results_while_open_change_as_people_vote(client, db, login_as):
    scene = build("open", results_while_open=True)
    sign_in(login_as, client, "citizen")
    assert (
        client.post(
            scene.vote_url("yes_no"), data={"option": scene.option("yes_no", 1)}
        ).status_code
        == 303
    )
    text = page(client.get(f"{scene.url}/results"))
    assert "Voting is still open: these figures change as people vote." in text
    assert '<th scope="row">No</th><td>1 (100 %)</td>' in text
    data = client.get(f"{scene.url}/results.json").get_json()
    assert data["consultation"]["participants"] == 1


# --- moderators decide on reported comments -----------------------------------------------


def reported(scene: Scene, reports: int, body: str = "Un comentariu raportat") -> int:
    """A comment with ``reports`` distinct reports (three hide it), through the service."""
    comment_id = comment(scene, body=body)
    for n in range(reports):
        moderation.report(
            factories.user(name=f"Raportorul {n}"),
            _db.session.get(Comment, comment_id),
            f"Motivul {n}",
        )
    _db.session.commit()
    return comment_id


def test_reported_comments_wait_on_the_moderators_queue(client, db, login_as):
    scene = build("open", title="Consultarea moderată")
    waiting = reported(scene, 1, "Așteaptă decizia")
    hidden = reported(scene, 3, "Ascuns de rapoarte")
    calm = comment(scene, body="Nimeni nu l-a raportat")
    _db.session.commit()
    sign_in(login_as, client, "moderator")

    text = page(client.get("/moderation"))

    assert "Comments in consultations" in text
    assert "Așteaptă decizia" in text and "Ascuns de rapoarte" in text
    assert "Nimeni nu l-a raportat" not in text
    assert text.index("Ascuns de rapoarte") < text.index("Așteaptă decizia")  # hidden first
    assert "Raportorul 0: Motivul 0" in text and "hidden until you decide" in text
    for comment_id in (waiting, hidden):
        assert f'action="/moderation/comment/{comment_id}/hide"' in text
        assert f'action="/moderation/comment/{comment_id}/keep"' in text
    assert f"/moderation/comment/{calm}/hide" not in text


def test_a_moderator_hides_a_comment_with_a_public_reason(client, db, login_as):
    scene = build("open")
    comment_id = reported(scene, 1, "Un text jignitor")
    moderator = sign_in(login_as, client, "moderator")

    response = client.post(f"/moderation/comment/{comment_id}/hide",
                           data={"reason": "Limbaj jignitor"})

    assert response.status_code == 303
    assert "The comment is hidden." in page(follow_redirect(client, response))
    row = fresh(Comment, comment_id)
    assert row.hidden_dt is not None and row.hidden_reason == "Limbaj jignitor"
    assert row.report_count == 0
    assert count(Report, Report.about("comment", comment_id), Report.resolved_dt.is_(None)) == 0
    assert fresh(Consultation, scene.id).comment_count == 0
    entries = logged("consultation_comment_hidden")
    assert [(e.actor_id, e.target_id, e.reason, e.details["comment_id"]) for e in entries] == [
        (moderator.id, scene.id, "Limbaj jignitor", comment_id)
    ]
    text = page(client.get(scene.url))
    assert "Hidden by moderation: Limbaj jignitor" in text and "Un text jignitor" not in text
    assert "Un text jignitor" not in page(client.get("/moderation"))


@pytest.mark.parametrize(
    "reports, verb",
    [(3, "consultation_comment_shown"), (1, "consultation_comment_reports_dismissed")],
)
def test_a_moderator_keeps_a_reported_comment_visible(client, db, login_as, reports, verb):
    scene = build("open")
    comment_id = reported(scene, reports, "Un text discutabil")
    moderator = sign_in(login_as, client, "moderator")

    response = client.post(f"/moderation/comment/{comment_id}/keep", data={"reason": ""})

    assert response.status_code == 303
    assert "The comment is visible again." in page(follow_redirect(client, response))
    row = fresh(Comment, comment_id)
    assert (row.hidden_dt, row.report_count) == (None, 0)
    assert count(Report, Report.about("comment", comment_id), Report.resolved_dt.is_(None)) == 0
    assert fresh(Consultation, scene.id).comment_count == 1
    assert [e.actor_id for e in logged(verb)] == [moderator.id]
    assert "Un text discutabil" in page(client.get(scene.url))
    # a decided report frees the reporter to report the comment again
    first_reporter = _db.session.scalar(
        select(Report.reporter_id).where(Report.about("comment", comment_id)).order_by(Report.id)
    )
    login_as(user=_db.session.get(User, first_reporter))
    assert (
        client.post(f"/moderation/comment/{comment_id}/report",
                    data={"reason": "Din nou"}).status_code == 303
    )


def test_hiding_a_comment_needs_a_reason(client, db, login_as):
    scene = build("open")
    comment_id = reported(scene, 1)
    sign_in(login_as, client, "moderator")
    before = snapshot()
    for reason in ("", "   ", "x" * 501):
        response = client.post(f"/moderation/comment/{comment_id}/hide", data={"reason": reason})
        assert response.status_code == 303
        assert "Give a public reason when you hide a comment." in page(
            follow_redirect(client, response)
        )
    response = client.post(f"/moderation/comment/{comment_id}/keep", data={"reason": "x" * 501})
    assert "The reason is too long." in page(follow_redirect(client, response))
    assert snapshot() == before


@pytest.mark.parametrize("role", ["anonymous", "unconfirmed", "citizen", "suceava_official"])
def test_only_moderators_decide_on_comments(client, db, login_as, role):
    scene = build("open")
    comment_id = reported(scene, 1)
    sign_in(login_as, client, role)
    before = snapshot()
    for action in ("hide", "keep"):
        response = client.post(f"/moderation/comment/{comment_id}/{action}",
                               data={"reason": "Motiv"})
        if role == "anonymous":
            assert redirects_to_login(response)
        else:
            assert response.status_code == 403
    assert snapshot() == before


def test_an_admin_also_decides_and_unknown_comments_are_404(client, db, login_as):
    scene = build("open")
    comment_id = reported(scene, 1)
    sign_in(login_as, client, "admin")
    before = snapshot()
    for ident in HUGE_IDS:
        answer = client.post(f"/moderation/comment/{ident}/hide", data={"reason": "x"})
        assert answer.status_code == 404
    assert snapshot() == before
    answer = client.post(f"/moderation/comment/{comment_id}/hide", data={"reason": "Spam"})
    assert answer.status_code == 303
    assert fresh(Comment, comment_id).hidden_reason == "Spam"


def test_after_a_vote_or_a_reply_the_reader_comes_back_to_the_order_they_read(
        client, db, login_as):
    scene = build("open")
    per_page = queries.COMMENTS_PER_PAGE
    author = factories.user()
    ids = [comment(scene, author, body=f"Comentariul nr. {n}.") for n in range(per_page + 1)]
    _db.session.commit()
    sign_in(login_as, client, "citizen")
    # newest first, the oldest comment is alone on page 2; its forms say the order
    text = page(client.get(f"{scene.url}?order=new&page=2"))
    assert f'id="comment-{ids[0]}"' in text and 'name="order" value="new"' in text
    voted = client.post(f"/comments/{ids[0]}/vote", data={"value": "up", "order": "new"})
    assert voted.headers["Location"].endswith(
        f"{scene.url}?order=new&page=2#comment-{ids[0]}"), voted.headers["Location"]
    replied = client.post(f"{scene.url}/comments",
                          data={"body": "Răspuns.", "parent_id": str(ids[0]), "order": "new"})
    reply = int(replied.headers["Location"].rsplit("-", 1)[1])
    assert replied.headers["Location"].endswith(f"{scene.url}?order=new&page=2#comment-{reply}")
    # most agreed first (the default), the voted comment leads the first page
    assert client.get(f"/comments/{ids[0]}").headers["Location"].endswith(
        f"{scene.url}#comment-{ids[0]}")
    # an order the page does not offer is the default one
    odd = client.post(f"/comments/{ids[1]}/vote", data={"value": "up", "order": "x"})
    assert "order=" not in odd.headers["Location"]
