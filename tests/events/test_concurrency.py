"""Registering for an event all at once: the event's row lock (SELECT … FOR UPDATE; SQLite:
BEGIN IMMEDIATE) keeps the places, the counters and the waiting list's order exact; the
partial unique index refuses a second active registration; a conditional UPDATE checks a
ticket in once.

Runs on SQLite and on PostgreSQL, each in a scratch database of its own. Every thread works
in a writing request of its own (its own app context and session); the threads are released
together by a barrier.
"""

from __future__ import annotations

import queue
import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from m100hub import create_app
from m100hub.accounts.models import User
from m100hub.events import registration, services
from m100hub.events.models import Event, Registration, RegistrationStatus
from m100hub.extensions import db
from m100hub.notifications.models import Notification
from tests.support import event_factories, factories
from tests.support.environment import MIGRATIONS, base_config, scratch_database

WORKERS = 24
PEOPLE, PLACES = 300, 50
CANCELLING = 10
CONFIRMED, WAITLISTED, CANCELLED = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.CANCELLED,
)


class Race:
    """What ``race`` saw: each job's outcome (its return value, or the exception's name) and
    the jobs in the order their transactions committed."""

    def __init__(self):
        self.outcomes: dict = {}
        self.committed: list = []
        self.in_flight = self.peak = 0


def race(app, jobs: list, work, workers: int = WORKERS) -> Race:
    """``work(job)`` for every job, from ``workers`` threads released together by a barrier,
    each job in a writing request of its own.

    A commit and its place in ``committed`` are taken together under a Python lock, so that
    ``committed`` is exactly the order of the commits (a counter taken just after the commit
    could be overtaken by the next transaction). Only the COMMIT statement waits on that lock;
    the work (the row lock, the reads, the inserts) overlaps freely.
    """
    result, pending = Race(), queue.SimpleQueue()
    for job in jobs:
        pending.put(job)
    barrier = threading.Barrier(workers)
    commit_lock, count_lock = threading.Lock(), threading.Lock()

    def worker() -> None:
        barrier.wait()
        while True:
            try:
                job = pending.get_nowait()
            except queue.Empty:
                return
            with app.test_request_context(method="POST"):
                with count_lock:
                    result.in_flight += 1
                    result.peak = max(result.peak, result.in_flight)
                try:
                    outcome = work(job)
                    with commit_lock:
                        db.session.commit()
                        result.committed.append(job)
                    result.outcomes[job] = outcome
                except Exception as exc:  # noqa: BLE001 (the outcome is what the test checks)
                    db.session.rollback()
                    result.outcomes[job] = type(exc).__name__
                finally:
                    db.session.remove()
                    with count_lock:
                        result.in_flight -= 1

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker is stuck (deadlock?)"
    assert result.peak > 1, "the jobs never overlapped"
    return result


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hub(request, tmp_path_factory):
    """(app, organiser id, ids of PEOPLE people) on a migrated scratch database."""
    tmp = tmp_path_factory.mktemp(f"events-{request.param}")
    config = base_config(tmp, scratch_database(request.param, tmp, "event_race"))
    # a connection for every worker (each holds one while it waits for the row lock)
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "pool_size": WORKERS + 2,
        "max_overflow": 4,
        "pool_timeout": 60,
    }
    app = create_app(config)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
    with app.test_request_context(method="POST"):
        organiser = factories.person("admin")
        people = [factories.user() for _ in range(PEOPLE)]
        db.session.commit()
        ids = (organiser.id, [p.id for p in people])
        db.session.remove()
    yield app, *ids
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def new_event(app, organiser_id: int, capacity: int | None) -> int:
    with app.test_request_context(method="POST"):
        item = event_factories.event(db.session.get(User, organiser_id), capacity=capacity)
        db.session.commit()
        event_id = item.id
        db.session.remove()
    return event_id


def stored(app, event_id: int) -> dict:
    """The event's counters and its registrations (user id, status), by id."""
    with app.app_context():
        event = db.session.get(Event, event_id)
        rows = db.session.execute(
            select(
                Registration.id,
                Registration.user_id,
                Registration.status,
                Registration.confirmed_dt,
            )
            .where(Registration.event_id == event_id)
            .order_by(Registration.id)
        ).all()
        notified = db.session.execute(
            select(Notification.recipient_id, Notification.kind, func.count())
            .where(Notification.target_type == "events", Notification.target_id == event_id)
            .group_by(Notification.recipient_id, Notification.kind)
        ).all()
        found = {
            "confirmed_count": event.confirmed_count,
            "waitlist_count": event.waitlist_count,
            "rows": rows,
            "notified": {(r, k): n for r, k, n in notified},
        }
        db.session.remove()
    found["by_status"] = {
        status: [r for r in rows if r.status == status] for status in RegistrationStatus
    }
    return found


def assert_counters_match_rows(found: dict) -> None:
    assert found["confirmed_count"] == len(found["by_status"][CONFIRMED])
    assert found["waitlist_count"] == len(found["by_status"][WAITLISTED])


@pytest.fixture(scope="module")
def burst(hub):
    """PEOPLE people register at once for an event with PLACES places."""
    app, organiser_id, people = hub
    event_id = new_event(app, organiser_id, PLACES)

    def register(n):
        item = registration.register(db.session.get(User, people[n]), event_id)
        return item.status, item.id

    seen = race(app, list(range(PEOPLE)), register)
    return event_id, seen, stored(app, event_id)


def test_300_registrations_for_50_places_confirm_50_and_queue_250_in_commit_order(hub, burst):
    app, _, people = hub
    event_id, seen, found = burst
    assert sorted(seen.outcomes) == list(range(PEOPLE))
    assert [o for o in seen.outcomes.values() if not isinstance(o, tuple)] == []  # no errors
    statuses = [seen.outcomes[n][0] for n in seen.committed]
    assert statuses.count(CONFIRMED) == PLACES
    assert statuses.count(WAITLISTED) == PEOPLE - PLACES

    # the counters, the rows and the outcomes agree
    assert found["confirmed_count"] == PLACES
    assert found["waitlist_count"] == PEOPLE - PLACES
    assert_counters_match_rows(found)
    assert len(found["rows"]) == PEOPLE
    assert {r.user_id for r in found["rows"]} == set(people)
    assert {r.id: r.status for r in found["rows"]} == {i: s for s, i in seen.outcomes.values()}

    # first committed, first served: every confirmation committed before every place in the
    # queue, and the ids (the waiting list's order) rise with the commit order
    assert statuses == [CONFIRMED] * PLACES + [WAITLISTED] * (PEOPLE - PLACES)
    ids_in_commit_order = [seen.outcomes[n][1] for n in seen.committed]
    assert ids_in_commit_order == sorted(ids_in_commit_order)
    queue_by_id = [r.user_id for r in found["by_status"][WAITLISTED]]
    assert queue_by_id == [people[n] for n in seen.committed[PLACES:]]

    # each confirmed person was told once; nobody on the waiting list was
    confirmed = {r.user_id for r in found["by_status"][CONFIRMED]}
    assert found["notified"] == {(p, "event_confirmed"): 1 for p in confirmed}


def test_10_cancellations_at_once_promote_exactly_the_first_10_in_line(hub, burst):
    app, _, people = hub
    event_id, _, before = burst
    leaving = [r.user_id for r in before["by_status"][CONFIRMED][:: PLACES // CANCELLING]]
    assert len(leaving) == CANCELLING

    def cancel(user_id):
        return registration.cancel(db.session.get(User, user_id), event_id).status

    seen = race(app, leaving, cancel, workers=CANCELLING)
    assert seen.outcomes == dict.fromkeys(leaving, CANCELLED)

    after = stored(app, event_id)
    assert after["confirmed_count"] == PLACES
    assert after["waitlist_count"] == PEOPLE - PLACES - CANCELLING
    assert_counters_match_rows(after)
    assert {r.user_id for r in after["by_status"][CANCELLED]} == set(leaving)

    first_in_line = [r.user_id for r in before["by_status"][WAITLISTED][:CANCELLING]]
    was_waiting = {r.user_id for r in before["by_status"][WAITLISTED]}
    promoted = [r.user_id for r in after["by_status"][CONFIRMED] if r.user_id in was_waiting]
    assert promoted == first_in_line
    assert all(r.confirmed_dt is not None for r in after["by_status"][CONFIRMED])
    # the rest of the queue kept its order
    assert [r.user_id for r in after["by_status"][WAITLISTED]] == [
        r.user_id for r in before["by_status"][WAITLISTED][CANCELLING:]
    ]

    told = {
        person: n for (person, kind), n in after["notified"].items() if kind == "event_promoted"
    }
    assert told == dict.fromkeys(first_in_line, 1)


def test_one_person_registering_20_times_at_once_holds_one_registration(hub):
    app, organiser_id, people = hub
    event_id = new_event(app, organiser_id, 5)
    person = people[0]

    def register(n):
        return registration.register(db.session.get(User, person), event_id).status

    seen = race(app, list(range(20)), register, workers=20)
    outcomes = list(seen.outcomes.values())
    assert len(outcomes) == 20
    assert outcomes.count(CONFIRMED) == 1 and outcomes.count("Conflict") == 19

    found = stored(app, event_id)
    assert [(r.user_id, r.status) for r in found["rows"]] == [(person, CONFIRMED)]
    assert (found["confirmed_count"], found["waitlist_count"]) == (1, 0)
    assert_counters_match_rows(found)
    assert found["notified"] == {(person, "event_confirmed"): 1}


def test_two_check_ins_of_one_code_at_once_one_succeeds_one_conflicts(hub):
    """Eight tickets, each checked in by two organisers at the same moment."""
    app, organiser_id, people = hub
    event_id = new_event(app, organiser_id, 10)
    tickets = 8
    with app.test_request_context(method="POST"):
        codes = [
            registration.register(db.session.get(User, people[-1 - n]), event_id).code
            for n in range(tickets)
        ]
        db.session.commit()
        db.session.remove()

    def check_in(job):
        code, _ = job
        return services.check_in(db.session.get(Event, event_id), code).checked_in_dt

    jobs = [(code, scanner) for code in codes for scanner in (1, 2)]
    seen = race(app, jobs, check_in, workers=len(jobs))

    with app.app_context():
        arrived = dict(
            db.session.execute(
                select(Registration.code, Registration.checked_in_dt).where(
                    Registration.event_id == event_id
                )
            ).all()
        )
        db.session.remove()
    for code in codes:
        outcomes = [seen.outcomes[(code, scanner)] for scanner in (1, 2)]
        assert outcomes.count("Conflict") == 1, outcomes
        (checked_dt,) = [o for o in outcomes if o != "Conflict"]
        assert arrived[code] == checked_dt  # set once: by the scan that succeeded


def test_a_ticket_cancelled_while_it_is_being_checked_in_is_not_checked_in(tmp_path):
    """The check-in reads the ticket (confirmed), then its holder cancels and the freed place
    goes to the next in line, then the check-in's UPDATE runs: it must not mark a cancelled
    registration as arrived (PostgreSQL: nothing locks the ticket between the read and the
    UPDATE; SQLite's writing transactions cannot interleave like this)."""
    from sqlalchemy import event as sa_event

    url = scratch_database("postgresql", tmp_path, "event_check_in")
    app = create_app(base_config(tmp_path, url))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
    with app.test_request_context(method="POST"):
        organiser, holder, next_in_line = (
            factories.person("admin"),
            factories.user(),
            factories.user(),
        )
        item = event_factories.event(organiser, capacity=1)
        code = registration.register(holder, item.id).code
        registration.register(next_in_line, item.id)
        db.session.commit()
        event_id, holder_id = item.id, holder.id
        db.session.remove()

    def meanwhile():
        with app.test_request_context(method="POST"):
            registration.cancel(db.session.get(User, holder_id), event_id)
            db.session.commit()
            db.session.remove()

    checking_thread, done = threading.get_ident(), []

    def before_update(conn, cursor, statement, *args):
        if (
            threading.get_ident() == checking_thread
            and not done
            and statement.lstrip().upper().startswith("UPDATE EVENT_REGISTRATIONS")
        ):
            done.append(True)
            other = threading.Thread(target=meanwhile)
            other.start()
            other.join(timeout=30)

    with app.test_request_context(method="POST"):
        sa_event.listen(db.engine, "before_cursor_execute", before_update)
        try:
            services.check_in(db.session.get(Event, event_id), code)
            db.session.commit()
            outcome = "checked in"
        except (services.Conflict, LookupError) as exc:
            db.session.rollback()
            outcome = type(exc).__name__
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", before_update)
            db.session.remove()
    found = stored(app, event_id)
    with app.app_context():
        ticket = db.session.scalar(select(Registration).where(Registration.code == code))
        db.session.remove()
        db.engine.dispose()
    assert done, "the cancellation did not run between the read and the UPDATE"
    assert ticket.status == CANCELLED  # the cancellation went through
    assert [r.status for r in found["rows"]] == [CANCELLED, CONFIRMED]  # and promoted
    assert outcome in {"Conflict", "LookupError"}
    assert ticket.checked_in_dt is None
