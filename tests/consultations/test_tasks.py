"""Telling a consultation's followers: ``tasks.announce_phases`` (the periodic task) when voting
opens and 48 hours before it closes, exactly once each even when it runs twice or two workers
race; drafts, scheduled, closed and published consultations get nothing; extending the vote
re-arms the closing reminder; publishing the results (through the page) notifies once.

The task is called directly (it commits: a savepoint release inside the test's transaction);
later moments are reached by moving the task's clock, never by sleeping."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from m100hub.accounts.models import User
from m100hub.consultations import participation, tasks
from m100hub.consultations.models import Consultation, Follower, Participant
from m100hub.database import utcnow
from m100hub.extensions import db as _db
from m100hub.notifications.models import Notification
from tests.support import consultation_factories as cf
from tests.support import factories

OPENED, CLOSING, PUBLISHED = "consultation_opened", "consultation_closing", "consultation_published"


def consultation(
    phase: str = "open",
    opens_in=None,
    closes_in=None,
    opening_told=False,
    title="Consultarea anunțată",
):
    """A consultation of Suceava by an official, with three followers besides its author (one
    a voter, one a proposer, one who only follows); ids of (consultation, author, followers)."""
    author = factories.official("suceava", locale="en")
    item = cf.consultation(phase, author=author, title=title)
    now = utcnow()
    if opens_in is not None:
        item.opens_dt = now + opens_in
    if closes_in is not None:
        item.closes_dt = now + closes_in
    if opening_told:
        item.opening_notified_dt = now - timedelta(hours=1)
    _db.session.flush()
    voter, proposer, follower = (factories.user(locale="en") for _ in range(3))
    if item.phase.value == "draft":  # nobody votes in a draft; followers all the same
        _db.session.add(Follower(consultation_id=item.id, user_id=voter.id))
    else:
        cf.vote(voter, item, cf.questions_of(item)[0], 0)
    if item.phase.value == "open":
        participation.submit_proposal(proposer, item, "O propunere bună", "Textul ei.")
    else:
        _db.session.add(Follower(consultation_id=item.id, user_id=proposer.id))
    _db.session.add(Follower(consultation_id=item.id, user_id=follower.id))
    _db.session.commit()
    return item.id, author.id, sorted([author.id, voter.id, proposer.id, follower.id])


def told(kind: str, consultation_id: int | None = None) -> list[int]:
    """Recipients of ``kind`` notifications (about the consultation), sorted, repeats kept."""
    stmt = select(Notification.recipient_id).where(Notification.kind == kind)
    if consultation_id is not None:
        stmt = stmt.where(Notification.target_id == consultation_id)
    return sorted(_db.session.scalars(stmt))


def yet_to_vote(consultation_id: int, people: list[int]) -> list[int]:
    """Those of ``people`` with no ballot in the consultation (the opening is news to them)."""
    voted = set(
        _db.session.scalars(
            select(Participant.user_id).where(Participant.consultation_id == consultation_id)
        )
    )
    return [person for person in people if person not in voted]


def notification_count() -> int:
    return _db.session.scalar(select(func.count()).select_from(Notification))


def fresh(consultation_id: int) -> Consultation:
    _db.session.expire_all()
    return _db.session.get(Consultation, consultation_id)


@pytest.fixture
def clock(monkeypatch):
    """Move the task's clock ``delta`` ahead of the real one."""

    def move(delta: timedelta) -> None:
        later = utcnow() + delta
        monkeypatch.setattr(tasks, "utcnow", lambda: later)

    return move


def bucharest(moment) -> str:
    """What an official types in a datetime-local input for ``moment``."""
    return moment.astimezone(ZoneInfo("Europe/Bucharest")).strftime("%Y-%m-%dT%H:%M")


# --- opening ------------------------------------------------------------------------------


def test_opening_is_announced_to_every_follower_once_even_when_run_twice(db):
    consultation_id, _author, followers = consultation("open")

    assert tasks.announce_phases() == 1

    assert told(OPENED, consultation_id) == yet_to_vote(consultation_id, followers)
    rows = list(_db.session.scalars(select(Notification).where(Notification.kind == OPENED)))
    assert {(n.target_type, n.target_id, n.actor_id) for n in rows} == {
        ("consultations", consultation_id, None)
    }
    assert all(
        n.payload == {"title": "Consultarea anunțată", "consultation_id": consultation_id}
        for n in rows
    )
    assert fresh(consultation_id).opening_notified_dt is not None
    assert told(CLOSING) == []  # six days left: no reminder yet

    total = notification_count()
    assert tasks.announce_phases() == 0
    assert tasks.announce_phases() == 0
    assert notification_count() == total
    assert told(OPENED, consultation_id) == yet_to_vote(consultation_id, followers)


def test_the_opening_is_not_announced_to_followers_who_already_voted(db):
    """Voting opened before the task ran: those who voted meanwhile need no invitation."""
    consultation_id, author, followers = consultation("open")
    item = _db.session.get(Consultation, consultation_id)
    early = factories.user(locale="en")
    cf.vote(early, item, cf.questions_of(item)[0], 1)  # a voter follows by voting
    _db.session.commit()
    voters = set(followers) - set(yet_to_vote(consultation_id, followers))
    assert len(voters) == 1  # the fixture's voter

    assert tasks.announce_phases() == 1

    recipients = told(OPENED, consultation_id)
    assert early.id not in recipients and not voters & set(recipients)
    assert author in recipients and len(recipients) == len(followers) - 1


def test_a_second_worker_holding_the_same_list_does_not_announce_again(db):
    """Two workers that both listed the consultation: the conditional UPDATE lets one claim."""
    consultation_id, _author, followers = consultation("open")
    now = utcnow()
    column = Consultation.opening_notified_dt
    assert tasks._announce(consultation_id, column, OPENED, now) == 1
    assert tasks._announce(consultation_id, column, OPENED, now) == 0
    assert told(OPENED, consultation_id) == yet_to_vote(consultation_id, followers)


def test_a_consultation_announced_after_its_opening_time_is_announced_at_the_next_run(
    client, db, login_as
):
    author = login_as(user=factories.official("suceava", locale="en"))
    item = cf.consultation("draft", author=author)
    item.opens_dt = utcnow() - timedelta(hours=2)
    follower = factories.user()
    _db.session.add(Follower(consultation_id=item.id, user_id=follower.id))
    _db.session.commit()
    consultation_id = item.id
    assert tasks.announce_phases() == 0  # a draft: nothing

    assert client.post(f"/consultations/{consultation_id}/announce").status_code == 303
    assert fresh(consultation_id).phase.value == "open"
    assert tasks.announce_phases() == 1
    assert told(OPENED, consultation_id) == sorted([author.id, follower.id])


def test_a_scheduled_consultation_is_announced_once_its_opening_time_comes(db, clock):
    consultation_id, _author, followers = consultation("scheduled")
    assert tasks.announce_phases() == 0
    assert told(OPENED) == []
    clock(timedelta(days=1, minutes=1))  # past the opening time (in a day)
    assert tasks.announce_phases() == 1
    assert told(OPENED, consultation_id) == yet_to_vote(consultation_id, followers)


# --- 48 hours before closing --------------------------------------------------------------


def test_the_closing_reminder_goes_out_48_hours_before_once(db):
    consultation_id, _author, followers = consultation(
        "open", closes_in=timedelta(hours=47), opening_told=True
    )

    assert tasks.announce_phases() == 1

    assert told(CLOSING, consultation_id) == followers
    assert told(OPENED) == []  # already told before
    assert fresh(consultation_id).closing_notified_dt is not None
    assert tasks.announce_phases() == 0
    assert told(CLOSING, consultation_id) == followers


def test_no_reminder_while_more_than_48_hours_are_left(db, clock):
    consultation_id, _author, followers = consultation(
        "open", closes_in=timedelta(hours=49), opening_told=True
    )
    assert tasks.announce_phases() == 0
    assert told(CLOSING) == []
    clock(timedelta(hours=2))  # now 47 hours are left
    assert tasks.announce_phases() == 1
    assert told(CLOSING, consultation_id) == followers


def test_a_short_consultation_gets_both_announcements_in_one_run(db):
    consultation_id, _author, followers = consultation("open", closes_in=timedelta(hours=20))
    assert tasks.announce_phases() == 2
    assert told(OPENED, consultation_id) == yet_to_vote(consultation_id, followers)
    assert told(CLOSING, consultation_id) == followers
    assert tasks.announce_phases() == 0


def test_each_consultation_is_announced_to_its_own_followers(db):
    first, _a, first_followers = consultation("open", title="Prima")
    second, _b, second_followers = consultation("open", title="A doua")
    assert tasks.announce_phases() == 2
    assert told(OPENED, first) == yet_to_vote(first, first_followers)
    assert told(OPENED, second) == yet_to_vote(second, second_followers)
    assert not set(first_followers) & set(second_followers)


@pytest.mark.parametrize(
    "phase, opens_in, closes_in",
    [
        ("draft", timedelta(days=-1), timedelta(hours=10)),
        ("scheduled", timedelta(hours=1), timedelta(hours=10)),
        ("closed", None, None),
        ("published", None, None),
        ("closed", timedelta(days=-3), timedelta(minutes=-1)),
    ],
)
def test_drafts_scheduled_closed_and_published_consultations_get_nothing(
    db, phase, opens_in, closes_in
):
    consultation_id, _author, _followers = consultation(
        phase, opens_in=opens_in, closes_in=closes_in
    )
    total = notification_count()

    assert tasks.announce_phases() == 0

    assert notification_count() == total
    assert told(OPENED) == told(CLOSING) == []
    item = fresh(consultation_id)
    assert (item.opening_notified_dt, item.closing_notified_dt) == (None, None)


def test_someone_who_stops_following_is_not_told(client, db, login_as):
    consultation_id, _author, followers = consultation("open", closes_in=timedelta(hours=30))
    leaving = followers[-1]
    login_as(user=_db.session.get(User, leaving))
    assert client.post(f"/consultations/{consultation_id}/unfollow").status_code == 303

    assert tasks.announce_phases() == 2

    assert leaving not in told(OPENED) and leaving not in told(CLOSING)
    assert told(OPENED, consultation_id) == yet_to_vote(
        consultation_id, [f for f in followers if f != leaving]
    )


# --- extending re-arms the reminder -------------------------------------------------------


def test_extending_the_vote_rearms_the_closing_reminder(client, db, login_as, clock):
    consultation_id, author_id, followers = consultation(
        "open", closes_in=timedelta(hours=24), opening_told=True
    )
    assert tasks.announce_phases() == 1
    assert told(CLOSING, consultation_id) == followers
    login_as(user=_db.session.get(User, author_id))

    # extended, but still within 48 hours: reminded again at the next run
    response = client.post(
        f"/consultations/{consultation_id}/extend",
        data={"closes_at": bucharest(utcnow() + timedelta(hours=36))},
    )
    assert response.status_code == 303
    assert fresh(consultation_id).closing_notified_dt is None
    assert tasks.announce_phases() == 1
    assert told(CLOSING, consultation_id) == sorted(followers * 2)

    # extended by days: no reminder until 48 hours before the new end
    response = client.post(
        f"/consultations/{consultation_id}/extend",
        data={"closes_at": bucharest(utcnow() + timedelta(days=6))},
    )
    assert response.status_code == 303
    assert tasks.announce_phases() == 0
    assert told(CLOSING, consultation_id) == sorted(followers * 2)
    clock(timedelta(days=4, hours=1))
    assert tasks.announce_phases() == 1
    assert told(CLOSING, consultation_id) == sorted(followers * 3)
    assert told(OPENED) == []  # the opening is never announced again


def test_a_refused_extension_does_not_rearm_the_reminder(client, db, login_as):
    consultation_id, author_id, followers = consultation(
        "open", closes_in=timedelta(hours=24), opening_told=True
    )
    assert tasks.announce_phases() == 1
    login_as(user=_db.session.get(User, author_id))
    response = client.post(
        f"/consultations/{consultation_id}/extend",
        data={"closes_at": bucharest(utcnow() + timedelta(hours=2))},
    )
    assert response.status_code == 303  # "never shortened"
    assert fresh(consultation_id).closing_notified_dt is not None
    assert tasks.announce_phases() == 0
    assert told(CLOSING, consultation_id) == followers


# --- publication --------------------------------------------------------------------------


def test_publication_notifies_every_follower_but_the_publisher_once(client, db, login_as):
    consultation_id, author_id, followers = consultation("closed")
    colleague = factories.official("suceava", locale="en")
    _db.session.add(Follower(consultation_id=consultation_id, user_id=colleague.id))
    _db.session.commit()
    login_as(user=colleague)  # another official of the city publishes

    response = client.post(
        f"/consultations/{consultation_id}/publish", data={"response": "Facem pista."}
    )

    assert response.status_code == 303
    assert told(PUBLISHED, consultation_id) == followers  # the author too; not the publisher
    rows = list(_db.session.scalars(select(Notification).where(Notification.kind == PUBLISHED)))
    assert {n.actor_id for n in rows} == {colleague.id}
    for text in ("Facem pista, actualizat.", "Încă o corectură."):
        assert (
            client.post(
                f"/consultations/{consultation_id}/publish", data={"response": text}
            ).status_code
            == 303
        )
    assert told(PUBLISHED, consultation_id) == followers
    assert tasks.announce_phases() == 0  # nothing more for a published consultation


def test_announcements_read_well_in_the_notification_centre(client, db, login_as):
    consultation_id, _author, followers = consultation(
        "open", closes_in=timedelta(hours=30), title="Piste noi"
    )
    assert tasks.announce_phases() == 2
    login_as(user=_db.session.get(User, followers[-1]))
    client.set_cookie("lang", "en")

    text = client.get("/notifications").get_data(as_text=True)

    assert "Voting has opened in the consultation “Piste noi”." in text
    assert "The consultation “Piste noi” closes in less than 48 hours." in text
    notification = _db.session.scalar(
        select(Notification).where(
            Notification.recipient_id == followers[-1], Notification.kind == CLOSING
        )
    )
    response = client.post(f"/notifications/{notification.id}/open")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/consultations/{consultation_id}")


def test_the_task_leaves_the_consultation_otherwise_unchanged(db):
    consultation_id, _author, _followers = consultation("open", closes_in=timedelta(hours=30))
    columns = (
        Consultation.title,
        Consultation.opens_dt,
        Consultation.closes_dt,
        Consultation.announced_dt,
        Consultation.published_dt,
        Consultation.participant_count,
        Consultation.proposal_count,
    )
    before = _db.session.execute(select(*columns).where(Consultation.id == consultation_id)).one()
    tasks.announce_phases()
    _db.session.expire_all()
    after = _db.session.execute(select(*columns).where(Consultation.id == consultation_id)).one()
    assert after == before
    # a stale row would not be claimed twice either
    _db.session.execute(
        update(Consultation).where(Consultation.id == consultation_id).values(title="Titlu nou")
    )
    _db.session.commit()
    assert tasks.announce_phases() == 0
