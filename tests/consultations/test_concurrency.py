"""Ballots and supports under concurrency: one ballot per person and question, and tallies that
always equal the ballots, however many people vote, change their minds or click twice at once.

Like tests/house/test_concurrency.py: SQLite (the embedded default: writing transactions queue on
BEGIN IMMEDIATE) and PostgreSQL (row locks and the unique constraint do the work; always in
CI), each in a scratch database of its own, shared by this module's tests. Every ballot here
is cast in a writing request of its own, on threads released together.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from types import SimpleNamespace

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, insert, select

from m100hub import create_app
from m100hub.accounts.models import Sector, User
from m100hub.accounts.services import current_acceptance
from m100hub.consultations import participation, queries, voting
from m100hub.consultations.models import (
    Ballot,
    Consultation,
    Option,
    Participant,
    Proposal,
    Support,
    Tally,
)
from m100hub.database import utcnow
from m100hub.extensions import db
from tests.support import consultation_factories as cf
from tests.support.concurrency import run_at_once
from tests.support.environment import MIGRATIONS, base_config, scratch_database
from tests.support.web import session_identifier

#: threads casting at once, per backend (the engine's pool holds a connection for each).
#: SQLite runs one writer at a time, so more threads only queue longer, and its busy handler
#: is not fair: a thread that has waited polls every 100 ms while fresh transactions barge in.
#: On a loaded 2-core machine, with 8-24 threads writing non-stop, a write now and then
#: waited past the 10 s busy timeout ("database is locked": a 500 in the app); with 4, none.
WORKERS = {"sqlite": 4, "postgresql": 24}
SECTORS = list(Sector)
_batch = iter(range(1, 10_000))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hub(request, tmp_path_factory):
    """A migrated scratch database of the backend, and an app with a pool for its workers
    (``app.config["WORKERS"]``)."""
    tmp = tmp_path_factory.mktemp(f"ballots-{request.param}")
    url = scratch_database(request.param, tmp, "ballots")
    workers = WORKERS[request.param]
    app = create_app(
        {
            **base_config(tmp, url),
            # Generous, not off: the limiter is one object for every app in the process, and
            # switching it off here would switch it off for the session's app as well.
            "RATE_LIMIT_VOTE": "100000 per minute",
            "WORKERS": workers,
            "SQLALCHEMY_ENGINE_OPTIONS": {
                "pool_size": workers,
                "max_overflow": 4,
                "pool_timeout": 60,
                "pool_pre_ping": True,
            },
        }
    )
    with app.app_context():
        upgrade(directory=MIGRATIONS)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- running work on threads released together ------------------------------------------


def in_parallel(jobs: list, workers: int, state=lambda: None) -> list:
    """Every ``job(state)`` on ``workers`` threads that start together (a barrier) and take
    the next job as soon as they are free; ``state()`` is made once per thread, beforehand.
    Returns the jobs' results, in the order they finished."""
    pending = list(reversed(jobs))
    lock = threading.Lock()
    start = threading.Barrier(workers)
    results: list = []

    def worker() -> None:
        mine = state()
        start.wait()
        while True:
            with lock:
                if not pending:
                    return
                job = pending.pop()
            results.append(job(mine))

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker hangs (a deadlock?)"
    assert len(results) == len(jobs)
    return results


def in_requests(app, works: list) -> list[str]:
    """Each ``work()`` in a writing request of its own (SQLite: BEGIN IMMEDIATE), committed;
    its result, or the exception's class and first line when it failed."""

    def job(work):
        def run(_state):
            with app.test_request_context(method="POST"):
                try:
                    outcome = work()
                    db.session.commit()
                    return outcome
                except Exception as exc:  # noqa: BLE001 (the outcome is what the test checks)
                    db.session.rollback()
                    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                finally:
                    db.session.remove()

        return run

    return in_parallel([job(work) for work in works], app.config["WORKERS"])


# --- data ---------------------------------------------------------------------------------


def people(n: int) -> list[int]:
    """``n`` confirmed people, sectors in turn (bulk: the test needs many); their ids."""
    batch, now = next(_batch), utcnow()
    db.session.execute(
        insert(User),
        [
            {
                "display_name": f"Votant {batch}-{i}",
                "handle": f"v{batch}x{i}",
                "email": f"v{batch}x{i}@example.ro",
                "password_hash": "x",
                "sector": SECTORS[i % len(SECTORS)],
                "locale": "ro",
                "bio": "",
                "email_confirmed_dt": now,
                "is_admin": False,
                "is_moderator": False,
                "session_token": f"{batch:08d}{i:024d}",
                "created_dt": now,
                **current_acceptance(),
            }
            for i in range(n)
        ],
    )
    return list(
        db.session.scalars(select(User.id).where(User.handle.like(f"v{batch}x%")).order_by(User.id))
    )


def open_consultation(*questions: dict) -> tuple[int, list[int]]:
    """An open consultation with these questions: its id and the question ids."""
    item = cf.consultation("open", questions=questions)
    ids = [q.id for q in cf.questions_of(item)]
    return item.id, ids


def prepared(app, work):
    with app.test_request_context(method="POST"):
        result = work()
        db.session.commit()
        db.session.remove()
    return result


def option_ids(question_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(Option.id).where(Option.question_id == question_id).order_by(Option.position)
        )
    )


def cast(
    consultation_id: int,
    question_id: int,
    user_id: int,
    choice: list[int],
    sector: Sector | None = None,
) -> str:
    """What the vote route does, in the thread's own session. ``sector``: the person's
    sector changed since their last ballot (only the voter's id and sector are used)."""
    consultation = queries.consultation(consultation_id)
    question = queries.question(consultation_id, question_id)
    user = db.session.get(User, user_id)
    if sector is not None:
        user = SimpleNamespace(id=user.id, sector=sector)
    return voting.cast(user, consultation, question, choice)


def tallies_and_ballots(question_id: int) -> tuple[dict, dict]:
    """Tally rows (non-zero) and the GROUP BY of the ballots, both (choice_key, sector) → n."""
    tallies = {
        (key, str(sector)): count
        for key, sector, count in db.session.execute(
            select(Tally.choice_key, Tally.sector, Tally.count).where(
                Tally.question_id == question_id, Tally.count != 0
            )
        )
    }
    ballots = {
        (key, str(sector)): count
        for key, sector, count in db.session.execute(
            select(Ballot.choice_key, Ballot.sector, func.count())
            .where(Ballot.question_id == question_id)
            .group_by(Ballot.choice_key, Ballot.sector)
        )
    }
    return tallies, ballots


def ballot_count(question_id: int) -> int:
    return db.session.scalar(select(func.count()).where(Ballot.question_id == question_id))


def tally_sum(question_id: int) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(Tally.count), 0)).where(Tally.question_id == question_id)
    )


def approval(max_choices: int = 2) -> dict:
    return cf.question_data(
        "approval", ("Autobuze", "Tramvaie", "Biciclete", "Trotinete"), max_choices=max_choices
    )


def ranked() -> dict:
    return cf.question_data("ranked", ("Centru", "Gară", "Universitate", "Cartiere"), max_choices=3)


def choices_of(options: list[int], kind: str, rng: random.Random) -> list[int]:
    if kind == "yes_no":
        return [rng.choice(options)]
    return rng.sample(options, rng.randint(1, 2 if kind == "approval" else 3))


# --- the tests ----------------------------------------------------------------------------


@pytest.mark.parametrize("via", ["service", "route"])
def test_one_person_submitting_a_ballot_100_times_at_once_has_one_ballot(hub, via):
    """Half the submissions the same answer, the rest the two others: one ballot, counted
    once, as the last change left it."""
    consultation_id, (question_id,) = prepared(hub, lambda: open_consultation(cf.YES_NO))
    with hub.app_context():
        (person,) = people(1)
        db.session.get(User, person).locale = "en"
        db.session.commit()
        yes, no, abstain = option_ids(question_id)
        db.session.remove()
    forms = [yes] * 50 + [no] * 25 + [abstain] * 25
    random.Random(via).shuffle(forms)

    if via == "service":
        outcomes = in_requests(
            hub, [lambda o=o: cast(consultation_id, question_id, person, [o]) for o in forms]
        )
        assert outcomes.count("new") == 1, Counter(outcomes)
        assert set(outcomes) <= {"new", "same", "changed"}, Counter(outcomes)
    else:
        url = f"/consultations/{consultation_id}/questions/{question_id}/vote"

        with hub.app_context():
            session_id = db.session.get(User, person).get_id()
            db.session.remove()
        clients: list = []

        def signed_in_client():
            client = hub.test_client()
            with client.session_transaction() as session:
                session["_user_id"], session["_fresh"] = session_id, True
                session["_id"] = session_identifier(client)
            clients.append(client)
            return client

        statuses = in_parallel(
            [
                lambda client, o=o: client.post(url, data={"option": str(o)}).status_code
                for o in forms
            ],
            hub.config["WORKERS"],
            state=signed_in_client,
        )
        assert Counter(statuses) == {303: len(forms)}
        flashed = []
        for client in clients:
            with client.session_transaction() as session:
                flashed += [message for _, message in session.get("_flashes", [])]
        assert len(flashed) == len(forms)
        recorded = [message for message in flashed if "your vote is recorded" in message]
        assert len(recorded) == 1, Counter(flashed)

    with hub.app_context():
        ballots = list(db.session.scalars(select(Ballot).where(Ballot.question_id == question_id)))
        tallies, grouped = tallies_and_ballots(question_id)
        consultation = db.session.get(Consultation, consultation_id)
        participants = db.session.scalar(
            select(func.count()).where(Participant.consultation_id == consultation_id)
        )
        db.session.remove()
    assert len(ballots) == 1 and ballots[0].user_id == person
    assert sum(tallies.values()) == 1
    assert tallies == {(ballots[0].choice_key, str(ballots[0].sector)): 1} == grouped
    assert consultation.participant_count == 1 == participants


def test_a_thousand_people_voting_at_once_are_each_counted_once(hub):
    """1,000 first ballots on an approval question, and 1 in 3 of the same people on a
    yes/no question of the same consultation, all at once: tallies equal the ballots, sector
    by sector, and every voter is one participant."""
    voters = 1000
    consultation_id, (first, second) = prepared(
        hub, lambda: open_consultation(approval(), cf.YES_NO)
    )
    with hub.app_context():
        ids = people(voters)
        db.session.commit()
        first_options, second_options = option_ids(first), option_ids(second)
        db.session.remove()
    rng = random.Random(1000)
    works = [
        lambda u=u, c=choices_of(first_options, "approval", rng): cast(consultation_id, first, u, c)
        for u in ids
    ]
    works += [
        lambda u=u, c=choices_of(second_options, "yes_no", rng): cast(consultation_id, second, u, c)
        for u in ids[::3]
    ]
    rng.shuffle(works)

    outcomes = in_requests(hub, works)

    with hub.app_context():
        counted = {
            q: (ballot_count(q), tally_sum(q), *tallies_and_ballots(q)) for q in (first, second)
        }
        negative = db.session.scalar(select(func.count()).where(Tally.count < 0))
        consultation = db.session.get(Consultation, consultation_id)
        participants = db.session.scalar(
            select(func.count()).where(Participant.consultation_id == consultation_id)
        )
        distinct_voters = db.session.scalar(
            select(func.count(func.distinct(Ballot.user_id))).where(
                Ballot.question_id.in_([first, second])
            )
        )
        db.session.remove()
    assert Counter(outcomes) == {"new": len(works)}, Counter(outcomes).most_common(5)
    ballots, summed, tallies, grouped = counted[first]
    assert ballots == voters and summed == voters
    assert tallies == grouped and len(grouped) > 10  # many distinct choices × 4 sectors
    ballots, summed, tallies, grouped = counted[second]
    assert ballots == summed == len(ids[::3]) and tallies == grouped
    assert negative == 0
    assert consultation.participant_count == participants == distinct_voters == voters


def test_many_people_changing_their_votes_at_once_keep_the_tallies_exact(hub):
    """40 people answer a yes/no and a ranked question, then each changes both answers 4
    times (1 in 4 also with a new sector), one person's changes running at once on several
    threads, among first ballots on an approval question. The yes/no question has few tally
    rows, so changes in opposite directions meet on them: no deadlock, no lost or doubled
    count."""
    voters, changes = 40, 4
    consultation_id, questions = prepared(
        hub, lambda: open_consultation(cf.YES_NO, ranked(), approval(3))
    )
    kinds = dict(zip(questions, ("yes_no", "ranked", "approval"), strict=True))
    with hub.app_context():
        ids = people(voters)
        db.session.commit()
        options = {q: option_ids(q) for q in questions}
        db.session.remove()
    rng = random.Random(40)

    def vote(user_id, question_id, sector=None):
        choice = choices_of(options[question_id], kinds[question_id], rng)
        return lambda: cast(consultation_id, question_id, user_id, choice, sector)

    changing, approving = questions[:2], questions[2]
    firsts = [vote(u, q) for u in ids for q in changing]
    assert Counter(in_requests(hub, firsts)) == {"new": len(firsts)}

    mine = [
        [
            vote(user_id, q, SECTORS[(n + change) % len(SECTORS)] if n % 4 == 0 else None)
            for change in range(changes)
            for q in changing
        ]
        for n, user_id in enumerate(ids)
    ]
    # a dozen people at a time, taking turns: PostgreSQL's 24 threads hold two changes of
    # each at once (SQLite runs them one after the other anyway)
    works = [
        work
        for group in range(0, voters, 12)
        for turn in zip(*mine[group : group + 12], strict=True)
        for work in turn
    ]
    for user_id in ids[1::2]:
        works.insert(rng.randrange(len(works)), vote(user_id, approving))
    outcomes = in_requests(hub, works)

    with hub.app_context():
        counted = {q: (ballot_count(q), tally_sum(q), *tallies_and_ballots(q)) for q in questions}
        negative = db.session.scalar(select(func.count()).where(Tally.count < 0))
        moved = db.session.scalar(
            select(func.count())
            .select_from(Ballot)
            .join(User, User.id == Ballot.user_id)
            .where(Ballot.question_id.in_(changing), Ballot.sector != User.sector)
        )
        consultation = db.session.get(Consultation, consultation_id)
        db.session.remove()
    assert set(outcomes) <= {"new", "changed", "same"}, Counter(outcomes).most_common(5)
    assert outcomes.count("new") == voters // 2
    assert outcomes.count("changed") > voters * changes  # the changes really change things
    for question_id in changing:
        ballots, summed, tallies, grouped = counted[question_id]
        assert ballots == summed == voters and tallies == grouped
    assert moved > 0  # some ballots moved to another sector's tallies
    ballots, summed, tallies, grouped = counted[approving]
    assert ballots == summed == voters // 2 and tallies == grouped
    assert negative == 0
    assert consultation.participant_count == voters


def test_one_person_supporting_a_proposal_from_20_threads_supports_it_once(hub):
    def make():
        consultation_id, _ = open_consultation(cf.YES_NO)
        proposal = cf.proposal(db.session.get(Consultation, consultation_id))
        (supporter,) = people(1)
        return consultation_id, proposal.id, supporter

    consultation_id, proposal_id, supporter = prepared(hub, make)

    def support(_):
        participation.support(
            db.session.get(User, supporter),
            db.session.get(Consultation, consultation_id),
            db.session.get(Proposal, proposal_id),
        )
        return "supported"

    outcomes = run_at_once(hub, support)
    with hub.app_context():
        supports = db.session.scalar(select(func.count()).where(Support.proposal_id == proposal_id))
        proposal = db.session.get(Proposal, proposal_id)
        db.session.remove()
    assert sorted(Counter(outcomes).items()) == [("Conflict", 19), ("supported", 1)]
    assert supports == 1 and proposal.support_count == 1


def cast_ballot(consultation_id: int, user_id: int, choices: dict[int, list[int]]) -> str:
    """What the ballot route does, in the thread's own session: several questions at once;
    the outcomes, question by question, joined."""
    consultation = queries.consultation(consultation_id)
    asked = [q for q in queries.questions(consultation_id) if q.id in choices]
    answers = [voting.Answer(q, choices[q.id]) for q in asked]
    outcomes = voting.cast_ballot(db.session.get(User, user_id), consultation, answers)
    return ",".join(outcomes[q.id] for q in asked)


def test_many_people_sending_whole_ballots_at_once_keep_the_tallies_exact(hub):
    """30 people send ballots of three questions, each answering a different subset (all,
    only the last, the first and the last…), 4 ballots each, several of a person's at once:
    every ballot locks its rows in one order, so ballots over different questions never wait
    for each other in a circle; every question's tallies equal its ballots, each person is
    one participant."""
    voters, rounds = 30, 4
    consultation_id, questions = prepared(
        hub, lambda: open_consultation(cf.YES_NO, ranked(), approval(2))
    )
    kinds = dict(zip(questions, ("yes_no", "ranked", "approval"), strict=True))
    with hub.app_context():
        ids = people(voters)
        db.session.commit()
        options = {q: option_ids(q) for q in questions}
        db.session.remove()
    rng = random.Random(30)
    subsets = [questions, questions[2:], questions[::2], questions[1:], questions[:1]]

    def ballot(user_id: int, n: int):
        asked = subsets[(user_id + n) % len(subsets)]
        choices = {q: choices_of(options[q], kinds[q], rng) for q in asked}
        return lambda: cast_ballot(consultation_id, user_id, choices)

    works = [ballot(user_id, n) for n in range(rounds) for user_id in ids]
    outcomes = in_requests(hub, works)

    with hub.app_context():
        counted = {q: (ballot_count(q), tally_sum(q), *tallies_and_ballots(q)) for q in questions}
        answered = {
            q: db.session.scalar(select(func.count(func.distinct(Ballot.user_id))).where(
                Ballot.question_id == q))
            for q in questions
        }
        participants = db.session.scalar(
            select(func.count()).where(Participant.consultation_id == consultation_id)
        )
        consultation = db.session.get(Consultation, consultation_id)
        db.session.remove()
    parts = Counter(part for outcome in outcomes for part in outcome.split(","))
    assert set(parts) <= {"new", "changed", "same"}, Counter(outcomes).most_common(5)
    assert parts["new"] == sum(answered.values())
    for question_id in questions:
        ballots, summed, tallies, grouped = counted[question_id]
        assert ballots == summed == answered[question_id] and tallies == grouped
    assert consultation.participant_count == participants == voters
