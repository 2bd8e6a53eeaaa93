"""Consultations: a vote burst, and the results page against a minimal Flask page (gunicorn,
loopback).

Seeds 50 consultations (several cities, every phase); among them an open one with a yes/no,
an approval and a ranked question and 20,000 ballots from people of the 4 sectors, and one
like it with 100 ballots (bulk rows; tallies, participants and counters equal the ballots).
Then:
- a vote burst: 1,000 signed-in people who have not voted yet each POST one vote on the yes/no
  question of the large consultation, at once. CSRF stays on: each person's signed session
  cookie carries a CSRF token made by the app's own ``generate_csrf`` (no sign-in: hashing
  1,000 passwords would be the benchmark). Afterwards the tallies are compared with the
  ballots stored (``totals_ok``), and the participant counter with the participants;
- the results page and the participation statistics at 20,000 and at 100 ballots, side by
  side with the minimal page;
- SQL queries of the list, the consultation page, the results page and the participation
  statistics at both sizes.
Prints one JSON line; exits non-zero when totals are wrong or query counts grow with the data.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from common import against_minimal, gunicorn, latency_figures, query_counts, scratch_app

LARGE, SMALL, BURST, CONSULTATIONS = 20_000, 100, 1_000, 50
PHASES = ("draft", "scheduled", "open", "closed", "published")
USER_AGENT = "m100-bench"
#: (opens, closes) relative to now, per phase
WINDOWS = {
    "draft": (1, 8),
    "scheduled": (1, 8),
    "open": (-1, 6),
    "closed": (-8, -1),
    "published": (-8, -1),
}
QUESTIONS = (
    {
        "text": "Sunteți de acord cu planul?",
        "help_text": "",
        "kind": "yes_no",
        "max_choices": None,
        "options": [],
    },
    {
        "text": "Ce transport public să extindem?",
        "help_text": "",
        "kind": "approval",
        "max_choices": 2,
        "options": ["Autobuze", "Tramvaie", "Biciclete", "Trotinete"],
    },
    {
        "text": "Ordonați traseele noi",
        "help_text": "",
        "kind": "ranked",
        "max_choices": 3,
        "options": ["Centru", "Gară", "Universitate", "Cartiere"],
    },
)

_batch = iter(range(1, 1000))


def add_people(app, n: int) -> list[tuple[int, object]]:
    """``n`` confirmed people, the 4 sectors in turn (bulk): (id, sector) each."""
    from sqlalchemy import insert, select

    from m100hub.accounts.models import Sector, User
    from m100hub.accounts.services import current_acceptance
    from m100hub.extensions import db

    batch, now, sectors = next(_batch), datetime.now(UTC), list(Sector)
    with app.app_context():
        db.session.execute(
            insert(User),
            [
                {
                    "display_name": f"Votant {batch}-{i}",
                    "handle": f"b{batch}x{i}",
                    "email": f"b{batch}x{i}@example.ro",
                    "password_hash": "x",
                    "sector": sectors[i % 4],
                    "locale": "ro",
                    "bio": "",
                    "email_confirmed_dt": now,
                    "is_admin": False,
                    "is_moderator": False,
                    "session_token": f"{batch:04d}{i:028d}",
                    "created_dt": now,
                    **current_acceptance(),
                }
                for i in range(n)
            ],
        )
        db.session.commit()
        return [
            tuple(row)
            for row in db.session.execute(
                select(User.id, User.sector)
                .where(User.handle.like(f"b{batch}x%"))
                .order_by(User.id)
            )
        ]


def add_consultation(
    app, author_id: int, phase: str, city_id: int | None, n: int, results_while_open: bool = False
) -> tuple[int, list[int]]:
    """Through the services, as an official would: the consultation and its question ids."""
    from m100hub.accounts.models import User
    from m100hub.consultations import queries, services
    from m100hub.extensions import db

    now = datetime.now(UTC)
    opens, closes = WINDOWS[phase]
    with app.test_request_context(method="POST"):
        item = services.create(
            db.session.get(User, author_id),
            {
                "title": f"Consultarea {n}: planul de mobilitate",
                "summary": "Unde facem piste noi?",
                "body": "Planul **2030** pentru un oraș neutru climatic.",
                "city_id": city_id,
                "sectors": ["transport", "energy"],
                "opens_at": now + timedelta(days=opens),
                "closes_at": now + timedelta(days=closes),
                "results_while_open": results_while_open,
            },
        )
        for spec in QUESTIONS:
            services.add_question(item, dict(spec))
        if phase != "draft":
            item.announced_dt = now - timedelta(days=10)
        if phase == "published":
            item.published_dt, item.response = now, "Răspunsul primăriei."
            item.response_html = "<p>Răspunsul primăriei.</p>"
        db.session.commit()
        return item.id, [q.id for q in queries.questions(item.id)]


def choice(kind: str, options: list[int], rng: random.Random) -> list[int]:
    if kind == "yes_no":
        return [rng.choices(options, weights=(6, 3, 1))[0]]
    if kind == "approval":
        return rng.sample(options, rng.randint(1, 2))
    return rng.sample(options, rng.randint(1, 3))


def add_ballots(app, consultation_id: int, voters: dict[int, list], rng: random.Random) -> None:
    """Ballots (question id → its voters), with the tallies, participants, followers and
    participant counter that equal them (bulk rows)."""
    from sqlalchemy import insert, select, update

    from m100hub.consultations.counting import encode
    from m100hub.consultations.models import (
        Ballot,
        Consultation,
        Follower,
        Option,
        Participant,
        Question,
        Tally,
    )
    from m100hub.extensions import db

    now = datetime.now(UTC)
    with app.app_context():
        ballots, tallies = [], Counter()
        for question_id, people in voters.items():
            kind = db.session.get(Question, question_id).kind.value
            options = list(
                db.session.scalars(
                    select(Option.id)
                    .where(Option.question_id == question_id)
                    .order_by(Option.position)
                )
            )
            for user_id, sector in people:
                key = encode(kind, choice(kind, options, rng))
                ballots.append(
                    {
                        "question_id": question_id,
                        "user_id": user_id,
                        "choice_key": key,
                        "sector": sector,
                        "created_dt": now,
                    }
                )
                tallies[question_id, key, sector] += 1
        db.session.execute(insert(Ballot), ballots)
        db.session.execute(
            insert(Tally),
            [
                {"question_id": q, "choice_key": key, "sector": sector, "count": count}
                for (q, key, sector), count in tallies.items()
            ],
        )
        everyone = sorted({user_id for people in voters.values() for user_id, _ in people})
        for model in (Participant, Follower):
            # spread over the day since the opening (the participation page counts by hour)
            db.session.execute(
                insert(model),
                [
                    {"consultation_id": consultation_id, "user_id": user_id,
                     "created_dt": now - timedelta(minutes=n * 7 % 1380)}
                    for n, user_id in enumerate(everyone)
                ],
            )
        db.session.execute(
            update(Consultation)
            .where(Consultation.id == consultation_id)
            .values(participant_count=len(everyone))
        )
        db.session.commit()


def seed(app, consultations: int, ballots: int, rng: random.Random) -> dict[str, str]:
    """``consultations`` consultations in every phase and several cities; the last is open
    (results shown while open) with ``ballots`` ballots over its 3 questions. Its paths."""
    from sqlalchemy import select

    from m100hub.accounts.models import Sector, User
    from m100hub.cities.models import City
    from m100hub.extensions import db

    with app.app_context():
        cities = list(db.session.scalars(select(City.id).order_by(City.id).limit(6)))
        batch = next(_batch)
        author = User(
            display_name="Secretariat",
            handle=f"admin{batch}",
            email=f"admin{batch}@example.ro",
            password_hash="x",
            sector=Sector.PUBLIC,
            is_admin=True,
            email_confirmed_dt=datetime.now(UTC),
        )
        db.session.add(author)
        db.session.commit()
        author_id = author.id
    for n in range(consultations - 1):
        add_consultation(
            app, author_id, PHASES[n % len(PHASES)], cities[n % len(cities)] if n % 7 else None, n
        )
    consultation_id, questions = add_consultation(
        app, author_id, "open", cities[0], consultations, results_while_open=True
    )
    # 8 in 20 ballots answer the yes/no question, 7 the approval one, 5 the ranked one
    people = add_people(app, ballots * 8 // 20)
    shares = (len(people), ballots * 7 // 20, ballots - len(people) - ballots * 7 // 20)
    add_ballots(
        app,
        consultation_id,
        {q: people[:share] for q, share in zip(questions, shares, strict=True)},
        rng,
    )
    base = f"/consultations/{consultation_id}"
    return {
        "list": "/consultations",
        "consultation": base,
        "results": f"{base}/results",
        "participation": f"{base}/participation",
        "vote": f"{base}/questions/{questions[0]}/vote",
        "id": str(consultation_id),
    }


def signed_sessions(app, people: list[int]) -> list[tuple[str, str]]:
    """Each person's session cookie (signed in, as the app's own session would hold it) and
    the CSRF token the app's ``generate_csrf`` made for that session."""
    from flask import session
    from flask_wtf.csrf import generate_csrf

    from m100hub.accounts.models import User
    from m100hub.extensions import db, login_manager

    cookie_name = app.config.get("SESSION_COOKIE_NAME", "session")
    serializer = app.session_interface.get_signing_serializer(app)
    out = []
    with app.app_context():
        ids = {
            user.id: user.get_id() for user in db.session.query(User).filter(User.id.in_(people))
        }
        db.session.remove()
    for user_id in people:
        with app.test_request_context(
            headers={"User-Agent": USER_AGENT}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
        ):
            session.update(
                {
                    "_user_id": ids[user_id],
                    "_fresh": True,
                    "_id": login_manager._session_identifier_generator(),
                }
            )
            token = generate_csrf()
            out.append((f"{cookie_name}={serializer.dumps(dict(session))}", token))
    return out


def vote_burst(
    port: int, path: str, votes: list[tuple[str, str, int]], concurrency: int = 32
) -> dict:
    """Every (cookie, CSRF token, option) POSTed once, from ``concurrency`` threads released
    together (keep-alive connections): votes/s, p50/p99, and the statuses."""
    pending = list(reversed(votes))
    lock, start = threading.Lock(), threading.Barrier(concurrency)
    latencies: list[float] = []
    statuses: Counter = Counter()

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, seen = [], Counter()
        start.wait()
        while True:
            with lock:
                if not pending:
                    break
                cookie, token, option = pending.pop()
            body = urlencode({"option": option, "csrf_token": token})
            began = time.perf_counter()
            try:
                connection.request(
                    "POST",
                    path,
                    body=body,
                    headers={
                        "Cookie": cookie,
                        "User-Agent": USER_AGENT,
                        "Accept-Language": "ro",
                        "Content-Type": "application/x-www-form-urlencoded",
                    },
                )
                response = connection.getresponse()
                response.read()
                seen[response.status] += 1
                if response.status == 303:
                    mine.append(time.perf_counter() - began)
            except OSError as exc:
                seen[type(exc).__name__] += 1
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        with lock:
            latencies.extend(mine)
            statuses.update(seen)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    figures = latency_figures(latencies, elapsed)
    return {
        "votes": len(votes),
        "client_threads": concurrency,
        "seconds": round(elapsed, 2),
        "votes_per_s": figures.pop("requests_per_s"),
        **figures,
        "statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)},
    }


def totals(app, consultation_id: int) -> dict:
    """Ballots per question, and whether tallies and counters equal what is stored."""
    from sqlalchemy import func, select

    from m100hub.consultations import queries
    from m100hub.consultations.models import Ballot, Consultation, Participant, Tally
    from m100hub.extensions import db

    with app.app_context():
        ballots, exact = {}, True
        for question in queries.questions(consultation_id):
            stored = dict(
                ((key, str(sector)), n)
                for key, sector, n in db.session.execute(
                    select(Ballot.choice_key, Ballot.sector, func.count())
                    .where(Ballot.question_id == question.id)
                    .group_by(Ballot.choice_key, Ballot.sector)
                )
            )
            counted = dict(
                ((key, str(sector)), n)
                for key, sector, n in db.session.execute(
                    select(Tally.choice_key, Tally.sector, Tally.count).where(
                        Tally.question_id == question.id, Tally.count != 0
                    )
                )
            )
            exact &= stored == counted
            ballots[question.kind.value] = sum(stored.values())
        participants = db.session.scalar(
            select(func.count()).where(Participant.consultation_id == consultation_id)
        )
        counter = db.session.get(Consultation, consultation_id).participant_count
        db.session.remove()
    return {
        "ballots": ballots,
        "tallies_equal_ballots": exact,
        "participants": participants,
        "participant_count": counter,
    }


def main() -> None:
    rng = random.Random(2035)
    app, env, url = scratch_app()
    from m100hub.consultations import queries

    small = seed(app, 8, SMALL, rng)
    measured = ("list", "consultation", "results", "participation")
    queries_small = query_counts(app, {k: small[k] for k in measured})
    large = seed(app, CONSULTATIONS - 8, LARGE, rng)
    queries_large = query_counts(app, {k: large[k] for k in measured})
    seconds = float(os.environ.get("BENCH_SECONDS", "5"))
    pages = against_minimal(
        env,
        {f"results_{LARGE}": large["results"], f"results_{SMALL}": small["results"],
         f"participation_{LARGE}": large["participation"],
         f"participation_{SMALL}": small["participation"]},
        seconds,
    )

    consultation_id = int(large["id"])
    before = totals(app, consultation_id)
    with app.app_context():
        yes_no = queries.questions(consultation_id)[0]
        options = [option.id for option in yes_no.options]
    voters = [user_id for user_id, _ in add_people(app, BURST)]
    sessions = signed_sessions(app, voters)
    votes = [(cookie, token, choice("yes_no", options, rng)[0]) for cookie, token in sessions]
    with gunicorn("wsgi:app", env) as port:
        burst = vote_burst(port, large["vote"], votes)
    after = totals(app, consultation_id)
    new_ballots = after["ballots"]["yes_no"] - before["ballots"]["yes_no"]
    totals_ok = (
        after["tallies_equal_ballots"]
        and new_ballots == BURST
        and burst["statuses"] == {"303": BURST}
    )
    participants_ok = after["participants"] == after["participant_count"]

    results = {
        "database": url.split(":")[0],
        "consultations": CONSULTATIONS,
        "ballots_large": LARGE,
        "ballots_small": SMALL,
        "csrf": "on (token from the app's generate_csrf, in a signed session cookie)",
        "vote_burst": {
            **burst,
            "new_ballots": new_ballots,
            "participants": after["participants"],
            "participant_count": after["participant_count"],
        },
        "totals_ok": totals_ok,
        "participants_ok": participants_ok,
        "queries_small": queries_small,
        "queries_large": queries_large,
        **pages,
        "load_average": [round(n, 2) for n in os.getloadavg()],
    }
    print(json.dumps(results, ensure_ascii=False))
    if not totals_ok:
        sys.exit("tallies do not equal the ballots stored after the burst")
    if not participants_ok:
        sys.exit("the participant counter does not equal the participants after the burst")
    if queries_small != queries_large:
        sys.exit("query counts grow with the data")


if __name__ == "__main__":
    main()
