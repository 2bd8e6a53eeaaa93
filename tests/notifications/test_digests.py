"""E-mail of notifications (m100hub/notifications/digests.py): preferences decide which rows
are written and how they are e-mailed; the beat queues one run per person and period with
news; each run writes its e-mail once, leaves out what was read, sends nothing when nothing is
new; a lost run is queued again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from m100hub.database import utcnow
from m100hub.extensions import db as _db
from m100hub.notifications import digests
from m100hub.notifications.models import DigestRun, Notification, NotificationPreference
from m100hub.notifications.services import notify
from tests.support import factories


def reply(person, n: int = 1, thread: str = "Piste de biciclete") -> None:
    actor = factories.user()
    notify([person], "forum_reply", actor=actor,
           payload={"person": actor.display_name, "thread": thread, "post_id": n})


def age(minutes: float) -> None:
    """Every notification so far was written ``minutes`` ago."""
    _db.session.execute(update(Notification).values(
        created_dt=utcnow() - timedelta(minutes=minutes)))
    _db.session.commit()


def notes(person) -> list[Notification]:
    _db.session.expire_all()
    return list(_db.session.scalars(select(Notification).where(
        Notification.recipient_id == person.id).order_by(Notification.id)))


def prefer(person, kind: str, delivery: str) -> None:
    _db.session.add(NotificationPreference(user_id=person.id, kind=kind,
                                                    delivery=delivery))
    _db.session.flush()


def mails_to(outbox, person) -> list:
    return [m for m in outbox() if m["To"] == person.email]


def test_rows_follow_preferences_and_defaults(db):
    ana, ion, eva, dan = (factories.user() for _ in range(4))
    prefer(ion, "forum_reply", "off")
    prefer(eva, "forum_reply", "app")
    prefer(dan, "forum_reply", "weekly")
    for person in (ana, ion, eva, dan):
        reply(person)
    notify([ana], "event_message", payload={"person": "X", "title": "T", "message": "M",
                                            "event_id": 1})
    assert [n.delivery for n in notes(ana)] == ["daily", "immediate"]  # the kinds' defaults
    assert notes(ion) == []  # off: not even in the app
    assert [n.delivery for n in notes(eva)] == ["app"]
    assert [n.delivery for n in notes(dan)] == ["weekly"]


def test_immediate_notifications_of_a_few_minutes_go_in_one_mail(db, outbox):
    ana = factories.user(locale="en")
    prefer(ana, "forum_reply", "immediate")
    reply(ana, 1)
    reply(ana, 2)
    db.session.commit()
    assert digests.queue_digests.run() == 0  # younger than the wait: they may get company
    assert outbox() == []
    age(4)
    assert digests.queue_digests.run() == 1
    [message] = mails_to(outbox, ana)
    assert message["Subject"] == "New on M100 Hub"
    text = message.get_body(("plain",)).get_content()
    assert text.count("replied in “Piste de biciclete”") == 2
    assert "Replies in threads you follow" in text
    assert "http://localhost/forums/posts/1" in text or "http://localhost/" in text
    assert all(n.digested_dt is not None for n in notes(ana))
    assert digests.queue_digests.run() == 0 and len(mails_to(outbox, ana)) == 1


def test_the_daily_digest_leaves_out_what_was_read_and_is_in_the_persons_language(db, outbox):
    maria = factories.user(locale="ro")
    for n in range(3):
        reply(maria, n + 1, thread=f"Fir {n}")
    age(60 * 26)  # before the last digest hour, whatever the time now
    first = notes(maria)[0]
    first.read_dt = utcnow()
    db.session.commit()
    assert digests.queue_digests.run() == 1
    [message] = mails_to(outbox, maria)
    assert message["Subject"] == "Rezumatul tău zilnic M100 Hub"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Fir 0" not in text and "Fir 1" in text and "Fir 2" in text
    assert "Fir 1" in html and 'href="http://localhost/' in html
    assert "http://localhost/notifications/preferences" in text
    [run] = db.session.scalars(select(DigestRun).where(DigestRun.user_id == maria.id))
    assert run.period.startswith("d") and run.done_dt is not None and run.items == 2
    # the beat again, the task delivered twice: nothing more
    assert digests.queue_digests.run() == 0
    assert digests.send_digest.run(maria.id, run.period) == 0
    assert len(mails_to(outbox, maria)) == 1


def test_nothing_new_sends_nothing(db, outbox):
    ana = factories.user()
    reply(ana)
    age(60 * 26)
    notes(ana)[0].read_dt = utcnow()
    db.session.commit()
    assert digests.queue_digests.run() == 1
    assert mails_to(outbox, ana) == []
    assert notes(ana)[0].digested_dt is not None  # and it is not asked about again
    assert digests.queue_digests.run() == 0


def test_the_beat_queues_only_people_with_news(db, monkeypatch):
    queued = []
    monkeypatch.setattr(digests, "enqueue", lambda task, *args: queued.append(args))
    with_news = [factories.user() for _ in range(3)]
    in_app_only = [factories.user() for _ in range(4)]
    quiet = [factories.user() for _ in range(5)]  # noqa: F841 (people with nothing new)
    for person in in_app_only:
        prefer(person, "forum_reply", "app")
        reply(person)
    for person in with_news:
        reply(person)
        reply(person, 2)
    age(60 * 26)
    assert digests.queue_digests.run() == 3
    assert sorted(queued) == sorted((p.id, queued[0][1]) for p in with_news)
    assert queued[0][1].startswith("d")


def test_a_lost_run_is_queued_again(db, outbox, monkeypatch):
    ana = factories.user()
    reply(ana)
    age(60 * 26)
    monkeypatch.setattr(digests, "enqueue", lambda task, *args: None)  # Redis was down
    assert digests.queue_digests.run() == 1
    assert mails_to(outbox, ana) == []
    monkeypatch.undo()
    assert digests.queue_digests.run() == 0  # queued a moment ago: its task may yet run
    db.session.execute(update(DigestRun).values(
        created_dt=utcnow() - digests.RETRY_AFTER - timedelta(seconds=1)))
    db.session.commit()
    assert digests.queue_digests.run() == 1
    assert len(mails_to(outbox, ana)) == 1
    assert db.session.scalar(select(func.count()).select_from(DigestRun)) == 1
    assert digests.queue_digests.run() == 0  # done: not queued again


def test_an_unconfirmed_address_gets_no_digest(db, outbox):
    ana = factories.user(confirmed=False)
    reply(ana)
    age(60 * 26)
    assert digests.queue_digests.run() == 1
    assert mails_to(outbox, ana) == []
    [run] = db.session.scalars(select(DigestRun).where(DigestRun.user_id == ana.id))
    assert run.done_dt is not None and run.items == 0
