"""Helpers of the consultations' tests over HTTP: a consultation built for a test (Scene,
build) with ballots, proposals and comments; what a request may write (snapshot) and tallies
checked against the ballots; pages, sign-in per role, forms, times in Bucharest."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from m100hub.accounts.models import User
from m100hub.activity.models import ActivityEntry
from m100hub.consultations import queries
from m100hub.consultations.models import (
    Ballot,
    Comment,
    CommentVote,
    Consultation,
    Follower,
    Option,
    Participant,
    Proposal,
    Question,
    Support,
    Tally,
)
from m100hub.database import utcnow
from m100hub.extensions import db as _db
from m100hub.moderation.models import Report
from m100hub.notifications.models import Notification
from tests.support import consultation_factories as cf
from tests.support import factories
from tests.support.web import english as english
from tests.support.web import redirects_to_login as redirects_to_login

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


MANAGERS = ("suceava_official", "admin")


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


def follow_redirect(client, response):
    assert response.status_code in (302, 303), response.status_code
    return client.get(response.headers["Location"])


def as_author(login_as, client, scene: Scene, in_english: bool = True) -> Scene:
    """Sign in as the consultation's author (reading English unless ``in_english`` is
    False); returns the scene."""
    login_as(user=_db.session.get(User, scene.author_id))
    if in_english:
        english(client)
    return scene


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
