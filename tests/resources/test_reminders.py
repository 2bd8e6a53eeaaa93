"""Deadline reminders: 14 and 3 days before a call closes, to the people following the call,
one of its sectors or one of its applicant types — each exactly once per person, however
often the task runs; never for a suggestion, a retired call or a closed one."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from m100hub.database import utcnow
from m100hub.extensions import db as _db
from m100hub.notifications.models import Notification
from m100hub.resources.models import Curation, FundingFollow, FundingReminder
from m100hub.resources.tasks import send_deadline_reminders
from tests.support import factories
from tests.support import resources as rf


def _follow(person, topic):
    _db.session.add(FundingFollow(user_id=person.id, topic=topic))
    _db.session.flush()


def _reminded() -> list[tuple[int, int, int]]:
    return sorted(_db.session.execute(select(
        FundingReminder.user_id, FundingReminder.call_id, FundingReminder.days_before)).all())


def test_each_follower_is_reminded_once_per_stage(app, db):
    soon = rf.call(title="Aproape", deadline_in=timedelta(days=10), sectors=("energy",),
                   applicants=("ngo",))
    by_sector, by_applicant, by_call, both = (factories.user() for _ in range(4))
    _follow(by_sector, "sector:energy")
    _follow(by_applicant, "applicant:ngo")
    _follow(by_call, f"call:{soon.id}")
    _follow(both, "sector:energy")
    _follow(both, f"call:{soon.id}")  # follows it twice over: still one reminder
    stranger = factories.user()
    _follow(stranger, "sector:transport")
    db.session.commit()
    assert send_deadline_reminders() == 4
    assert send_deadline_reminders() == 0  # a second run tells nobody again
    people = sorted(p.id for p in (by_sector, by_applicant, by_call, both))
    assert _reminded() == [(p, soon.id, 14) for p in people]
    assert rf.notified("funding_deadline") == people
    notice = db.session.scalar(select(Notification).where(
        Notification.recipient_id == by_call.id))
    assert notice.payload == {"title": "Aproape", "call_id": soon.id, "days": 14}
    # three days before: the second reminder, once
    soon.deadline_dt = utcnow() + timedelta(days=2)
    db.session.commit()
    assert send_deadline_reminders() == 4
    assert send_deadline_reminders() == 0
    assert [r for r in _reminded() if r[2] == 3] == [(p, soon.id, 3) for p in people]


def test_only_the_nearest_stage_is_sent_and_far_or_unpublished_calls_wait(app, db):
    person = factories.user()
    _follow(person, "sector:buildings")
    late = rf.call(title="Adăugat târziu", deadline_in=timedelta(days=2))
    rf.call(title="Departe", deadline_in=timedelta(days=20))
    rf.call(title="Sugestie", deadline_in=timedelta(days=5), status=Curation.PENDING)
    rf.call(title="Retras", deadline_in=timedelta(days=5), status=Curation.RETIRED)
    rf.call(title="Închis", deadline_in=timedelta(hours=-1))
    db.session.commit()
    assert send_deadline_reminders() == 1
    assert _reminded() == [(person.id, late.id, 3)]


def test_the_reminder_reads_as_the_person_expects(client, login_as, db):
    person = factories.user(locale="en")
    _follow(person, "applicant:municipality")
    rf.call(title="Renovare", deadline_in=timedelta(days=3, hours=-1))
    db.session.commit()
    send_deadline_reminders()
    login_as(user=person)
    client.set_cookie("lang", "en")
    assert "Less than 3 days left to apply to “Renovare”." in client.get("/notifications").get_data(
        as_text=True)
