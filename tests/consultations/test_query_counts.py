"""SQL queries per consultation page do not grow with the data, and stay few.

Each page is measured at two sizes: the list at 3 and at 30 consultations (cities, phases and
drafts mixed); the consultation page at 5 and at 200 voters (each answering every question),
comments (with replies, votes, a hidden and a deleted one) and proposals (with supports); the
results page (and its CSV and JSON) at 5 and at 200 voters, whose ballots must never be read;
the proposals list and a proposal's page at 5 and at 200 proposals or comments. Data is
committed and the session emptied before each measure, so nothing comes from the identity map
that a real request would have to load. Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from m100hub.accounts.models import User
from m100hub.consultations import participation, queries
from m100hub.consultations.models import Comment, Consultation, Participant, Proposal
from m100hub.database import utcnow
from m100hub.extensions import db as _db
from m100hub.moderation import services as moderation
from tests.support import consultation_factories as cf
from tests.support import factories

SMALL_LIST, LARGE_LIST = 3, 30
SMALL, LARGE = 5, 200
#: upper bounds, per page and viewer: what was measured, with no slack to grow into
BOUNDS = {
    ("list", "anonymous"): 3,
    ("list", "citizen"): 6,
    ("list", "official"): 6,
    ("list", "admin"): 6,
    ("consultation", "anonymous"): 3,
    ("consultation", "citizen"): 4,
    ("consultation", "official"): 4,
    ("results", "anonymous"): 4,
    ("results", "official"): 7,
    ("results", "citizen"): 6,
    ("results", "anonymous (published)"): 4,
    ("results.json", "anonymous"): 4,
    ("results.csv", "anonymous"): 4,
    ("participation", "anonymous"): 4,
    ("participation", "citizen"): 6,
    ("proposals", "anonymous"): 3,
    ("proposals", "citizen"): 6,
    ("proposal", "anonymous"): 4,
    ("proposal", "citizen"): 7,
}
QUESTIONS = [
    cf.question_data("yes_no"),
    cf.question_data("single", options=("Autobuze", "Tramvaie", "Biciclete")),
    cf.question_data("approval", options=("Parcuri", "Piste", "Panouri", "Copaci"), max_choices=2),
    cf.question_data("ranked", options=("Centru", "Gară", "Universitate", "Spital")),
]
SECTORS = ("public", "private", "civil", "citizen")
_names = itertools.count(1)


@pytest.fixture
def authors(db):
    """Ids of many different people (of every sector), so that loading each row's author or
    city would show as N queries."""
    return [factories.user(name=f"Autor {n}", sector=SECTORS[n % 4]).id for n in range(25)]


def people(ids: list[int]) -> list[User]:
    return [_db.session.get(User, i) for i in ids]


@pytest.fixture
def viewer(login_as, client):
    """Sign in as ``role`` (an official of Suceava for "official"), or as ``user_id``, or be
    anonymous (a session without anyone in it)."""

    def sign_in(role: str, user_id: int | None = None):
        client.set_cookie("lang", "en")
        if role == "anonymous":
            with client.session_transaction() as session:
                session.clear()
            return None
        if user_id is not None:
            return login_as(user=_db.session.get(User, user_id))
        if role == "official":
            return login_as(user=factories.official("suceava", locale="en"))
        return login_as(role, locale="en")

    return sign_in



def assert_flat(page: str, who: str, small, large, sizes=(SMALL, LARGE)) -> None:
    print(f"\n[queries] {page} / {who}: {small.count} at {sizes[0]}, {large.count} at {sizes[1]}")
    assert large.count == small.count, f"grows with data:\n{small!r}\n---\n{large!r}"
    assert large.count <= BOUNDS[(page, who)], repr(large)


# --- builders -----------------------------------------------------------------------------

PHASES = ("open", "scheduled", "closed", "published", "draft")
CITIES = ("suceava", "cluj-napoca", None)


def add_consultations(author_ids, n: int) -> None:
    """``n`` consultations of several cities (and national ones), phases and authors."""
    authors = people(author_ids)
    for _ in range(n):
        i = next(_names)
        city = CITIES[i % 3]
        author = factories.person("admin") if city is None else authors[i % len(authors)]
        cf.consultation(
            PHASES[i % 5],
            city_slug=city,
            author=author,
            title=f"Consultarea {i}",
            sectors=["transport", "energy"][: 1 + i % 2],
        )


def open_consultation(author_ids, **fields) -> int:
    author = people(author_ids)[0]
    return cf.consultation("open", author=author, questions=QUESTIONS, **fields).id


def add_voters(consultation_id: int, n: int) -> list[int]:
    """``n`` new people of every sector, each answering every question (varied choices)."""
    item = _db.session.get(Consultation, consultation_id)
    questions = cf.questions_of(item)
    voters = []
    for _ in range(n):
        i = next(_names)
        voter = factories.user(sector=SECTORS[i % 4])
        voters.append(voter.id)
        cf.vote(voter, item, questions[0], i % 3)
        cf.vote(voter, item, questions[1], i % 3)
        cf.vote(voter, item, questions[2], *sorted({i % 4, (i // 4) % 4}))
        cf.vote(voter, item, questions[3], i % 4, (i + 1 + i // 4 % 3) % 4)
    return voters


def add_comments(author_ids, consultation_id: int, n: int, proposal_id: int | None = None):
    """``n`` comments by many people: every third a reply; votes on them; one hidden by
    reports, one deleted."""
    authors = people(author_ids)
    item = _db.session.get(Consultation, consultation_id)
    proposal = _db.session.get(Proposal, proposal_id) if proposal_id else None
    written = []
    for _ in range(n):
        i = next(_names)
        parent = written[-1] if written and i % 3 == 0 else None
        row = participation.add_comment(
            authors[i % len(authors)],
            item,
            f"Părerea {i}.",
            proposal,
            parent if parent and parent.visible else None,
        )
        participation.vote_comment(authors[(i + 1) % len(authors)], row, 1 if i % 2 else -1)
        written.append(row)
    for reporter in authors[-3:]:
        if written[0].author_id != reporter.id and written[0].visible:
            moderation.report(reporter, written[0], "Spam")
    participation.delete_comment(written[1])


def add_proposals(author_ids, consultation_id: int, n: int) -> list[int]:
    authors = people(author_ids)
    item = _db.session.get(Consultation, consultation_id)
    ids = []
    for _ in range(n):
        i = next(_names)
        proposal = participation.submit_proposal(
            authors[i % len(authors)], item, f"Propunerea {i}", "O idee."
        )
        supporter = authors[(i + 1) % len(authors)]
        participation.support(supporter, item, proposal)
        ids.append(proposal.id)
    return ids


def take_part(viewer_id: int | None, consultation_id: int) -> None:
    """The signed-in viewer voted, follows, voted on a comment and supports a proposal, so
    that every "you…" query of the page has something to find."""
    if viewer_id is None:
        return
    person = _db.session.get(User, viewer_id)
    item = _db.session.get(Consultation, consultation_id)
    for n, question in enumerate(cf.questions_of(item)):
        cf.vote(person, item, question, *((0, 1) if n == 3 else (0,)))
    some = _db.session.scalar(
        select(Comment).where(
            Comment.consultation_id == consultation_id,
            Comment.hidden_dt.is_(None),
            Comment.deleted_dt.is_(None),
        )
    )
    if some is not None:
        participation.vote_comment(person, some, 1)
    proposal = _db.session.scalar(
        select(Proposal).where(Proposal.consultation_id == consultation_id)
    )
    if proposal is not None:
        participation.support(person, item, proposal)


# --- the pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "citizen", "official", "admin"])
def test_consultation_list(measure, viewer, authors, who):
    viewer(who)
    add_consultations(authors, SMALL_LIST)
    small = measure("/consultations", 'class="card"', 2)
    add_consultations(authors, LARGE_LIST - SMALL_LIST)
    large = measure("/consultations", 'class="card"', queries.PER_PAGE)
    assert_flat("list", who, small, large, (SMALL_LIST, LARGE_LIST))
    # filters and the last page cost the same
    filtered = measure("/consultations?phase=open&city=suceava&sector=transport", 'class="card"', 1)
    last = measure("/consultations?page=2", 'class="card"', 1)
    assert filtered.count == last.count == large.count, (filtered, last)


def test_consultation_page(measure, viewer, authors):
    """Built once, read by an anonymous visitor, a citizen who took part and an official."""
    consultation_id = open_consultation(authors)
    readers = {
        "anonymous": None,
        "citizen": factories.user(locale="en").id,
        "official": factories.official("suceava", locale="en").id,
    }
    take_part(None, consultation_id)
    url = f"/consultations/{consultation_id}"

    def read_as_each(rows: int) -> dict:
        counts = {}
        for who, person in readers.items():
            viewer(who, person)
            counts[who] = measure(url, 'class="comment depth-', rows)
        return counts

    add_voters(consultation_id, SMALL)
    add_comments(authors, consultation_id, SMALL)
    add_proposals(authors, consultation_id, SMALL)
    take_part(readers["citizen"], consultation_id)
    small = read_as_each(SMALL)
    add_voters(consultation_id, LARGE - SMALL)
    add_comments(authors, consultation_id, LARGE - SMALL)
    add_proposals(authors, consultation_id, LARGE - SMALL)
    large = read_as_each(queries.COMMENTS_PER_PAGE)
    for who in readers:
        assert_flat("consultation", who, small[who], large[who])
    assert "You voted" in large["citizen"].text and "You voted" not in large["official"].text
    # another order of the discussion costs the same
    viewer("anonymous")
    assert (
        measure(f"{url}?order=new&page=2", 'class="comment depth-', queries.COMMENTS_PER_PAGE)
        .count == large["anonymous"].count
    )


#: who reads the results, in which phase, with results shown while open or not
RESULT_READERS = {
    "anonymous": ("open", True),
    "official": ("closed", False),
    "citizen": ("open", True),
    # published results: the answer of the city is shown too
    "anonymous (published)": ("published", False),
}


def test_results_do_not_grow_with_ballots(measure, viewer, authors):
    """Built once; the page (for three readers, in three phases) and its CSV and JSON, at 5
    and at 200 voters: the same queries, none of them reading ballots."""
    consultation_id = open_consultation(authors)
    readers = {
        "anonymous": None,
        "citizen": factories.user(locale="en").id,
        "official": factories.official("suceava", locale="en").id,
    }
    base = f"/consultations/{consultation_id}/results"

    def set_phase(phase: str, while_open: bool) -> None:
        item = _db.session.get(Consultation, consultation_id)
        opens, closes = cf.WINDOWS[phase]
        item.opens_dt, item.closes_dt = utcnow() + opens, utcnow() + closes
        item.published_dt = utcnow() if phase == "published" else None
        item.results_while_open = while_open

    def read_as_each() -> dict:
        counts = {}
        for who, (phase, while_open) in RESULT_READERS.items():
            set_phase(phase, while_open)
            viewer(who.split()[0], readers.get(who))
            counts[who] = measure(base, 'class="result"', len(QUESTIONS))
        set_phase("published", False)
        viewer("anonymous")
        for kind, marker in (("json", '"ballots"'), ("csv", "ranked")):
            counts[kind] = measure(f"{base}.{kind}", marker, 1)
        return counts

    add_voters(consultation_id, SMALL)
    small = read_as_each()
    add_voters(consultation_id, LARGE - SMALL)
    large = read_as_each()
    for who in RESULT_READERS:
        assert large[who].text.count(f"{LARGE} ballots") == len(QUESTIONS), who
        assert_flat("results", who, small[who], large[who])
    assert f'"ballots":{LARGE}' in large["json"].text.replace(" ", "")
    for kind in ("json", "csv"):
        assert_flat(f"results.{kind}", "anonymous", small[kind], large[kind])
    for counter in large.values():
        assert not [s for s in counter.statements if "consultation_ballots" in s], counter


@pytest.mark.parametrize("who", ["anonymous", "citizen"])
def test_participation_statistics(measure, viewer, authors, app, monkeypatch, who):
    """At 5 and at 200 voters (of every sector, some with a home city, on several days):
    the same queries, none of them reading ballots."""
    monkeypatch.setitem(app.config, "RESULTS_MIN_CELL", 2)
    viewer(who)
    consultation_id = open_consultation(authors)
    item = _db.session.get(Consultation, consultation_id)
    item.opens_dt = utcnow() - timedelta(days=20)
    url = f"/consultations/{consultation_id}/participation"

    def add(n: int) -> None:
        ids = add_voters(consultation_id, n)
        for offset, user_id in enumerate(ids):
            person = _db.session.get(User, user_id)
            person.home_city_id = factories.city(CITIES[offset % 3] or "suceava").id
            _db.session.execute(update(Participant).where(
                Participant.user_id == user_id, Participant.consultation_id == consultation_id)
                .values(created_dt=utcnow() - timedelta(days=offset % 15, hours=offset % 24)))

    add(SMALL)
    small = measure(url, "<tr>", SMALL)
    add(LARGE - SMALL)
    large = measure(url, "<tr>", 15)
    assert f"<dd>{LARGE}</dd>" in large.text
    assert_flat("participation", who, small, large)
    assert not [s for s in large.statements if "consultation_ballots" in s], large


@pytest.mark.parametrize("who", ["anonymous", "citizen"])
def test_proposals_list(measure, viewer, authors, who):
    person = viewer(who)
    consultation_id = open_consultation(authors)
    add_proposals(authors, consultation_id, SMALL)
    take_part(person.id if person else None, consultation_id)
    url = f"/consultations/{consultation_id}/proposals"
    small = measure(url, 'class="card"', SMALL)
    add_proposals(authors, consultation_id, LARGE - SMALL)
    large = measure(url, 'class="card"', queries.PROPOSALS_PER_PAGE)
    assert_flat("proposals", who, small, large)
    newest = measure(f"{url}?order=new&page=3", 'class="card"', queries.PROPOSALS_PER_PAGE)
    assert newest.count == large.count, newest


@pytest.mark.parametrize("who", ["anonymous", "citizen"])
def test_proposal_page(measure, viewer, authors, who):
    person = viewer(who)
    consultation_id = open_consultation(authors)
    proposal_id = add_proposals(authors, consultation_id, 1)[0]
    add_comments(authors, consultation_id, SMALL, proposal_id)
    take_part(person.id if person else None, consultation_id)
    url = f"/proposals/{proposal_id}"
    small = measure(url, 'class="comment depth-', SMALL)
    add_comments(authors, consultation_id, LARGE - SMALL, proposal_id)
    large = measure(url, 'class="comment depth-', queries.COMMENTS_PER_PAGE)
    assert_flat("proposal", who, small, large)
    # the discussion's last page costs the same
    last = measure(f"{url}?page=5", 'class="comment depth-', 1)
    assert last.count == large.count, last


def test_a_signed_in_consultation_page_asks_only_statements_built_once(built_anew, viewer,
                                                                      authors, db):
    """The consultation with the reader's follow, its questions with the reader's choices,
    proposals, comments with the reader's votes and their replies, whether the reader runs
    it, the threads about it, "this led to…", the signed-in person."""
    item = cf.consultation("open", questions=QUESTIONS)
    for n, author in enumerate(people(authors[:SMALL])):
        cf.proposal(item, author, title=f"Propunerea {n}")
    top = participation.add_comment(people(authors)[0], item, "Un comentariu.")
    participation.add_comment(people(authors)[1], item, "Un răspuns.", parent=top)
    viewer("citizen")
    assert built_anew(f"/consultations/{item.id}") == []
