"""E-mail of notifications (m100hub/notifications/digests.py): preferences decide which rows
are written and how they are e-mailed; the beat queues one run per person and period with
news; each run writes its e-mail once, leaves out what was read, sends nothing when nothing is
new; a lost run is queued again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select, update

from m100hub.database import utcnow
from m100hub.extensions import db as _db
from m100hub.notifications import digests, preferences
from m100hub.notifications.kinds import KINDS
from m100hub.notifications.models import DigestRun, Notification, NotificationPreference
from m100hub.notifications.services import notify
from tests.support import factories
from tests.support.outbox import make_due

BUCHAREST = ZoneInfo("Europe/Bucharest")


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
    monkeypatch.setattr(digests, "enqueue", lambda task, *args: queued.append((task, args)))
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
    runs = [args for task, args in queued if task is digests.send_digest]
    assert sorted(runs) == sorted((p.id, runs[0][1]) for p in with_news)
    assert runs[0][1].startswith("d")
    assert len(queued) == 3  # nothing else: each task sends its own e-mail


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


def at(monkeypatch, local: str) -> datetime:
    """The digests' clock at ``local`` time in Bucharest ("2026-12-07 08:00:30")."""
    moment = datetime.fromisoformat(local).replace(tzinfo=BUCHAREST).astimezone(UTC)
    monkeypatch.setattr(digests, "utcnow", lambda: moment)
    return moment


def written_at(person, local: str) -> None:
    moment = datetime.fromisoformat(local).replace(tzinfo=BUCHAREST).astimezone(UTC)
    _db.session.execute(update(Notification).where(Notification.recipient_id == person.id)
                        .values(created_dt=moment))
    _db.session.commit()


def test_the_digest_groups_by_city_then_kind_with_the_whole_hub_last(db, outbox):
    ion = factories.user(locale="ro")
    cluj, suceava = factories.city("cluj-napoca"), factories.city("suceava")
    actor = factories.user(name="Ana Vecina")
    for n, city in enumerate((suceava, cluj, None, suceava)):
        notify([ion], "forum_reply", actor=actor, city=city.id if city else None,
               payload={"person": "Ana Vecina", "thread": f"Fir {n}", "post_id": n + 1})
    notify([ion], "event_message", actor=actor, city=suceava.id, payload={
        "person": "Ana Org", "title": "Atelier", "message": "Ne mutăm", "event_id": 1})
    prefer(ion, "event_message", "daily")
    _db.session.execute(update(Notification).where(Notification.kind == "event_message")
                        .values(delivery="daily"))
    age(60 * 26)
    assert digests.queue_digests.run() == 1
    [message] = mails_to(outbox, ion)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    # cities by name, then the whole hub; within Suceava both kinds, each under its label
    order = [text.index(s) for s in ("== Cluj-Napoca ==", "Fir 1", "== Suceava ==", "Fir 0",
                                     "Fir 3", "== Tot hubul (național) ==", "Fir 2")]
    assert order == sorted(order)
    suceava_part = text[text.index("== Suceava =="):text.index("== Tot hubul (național) ==")]
    assert "Ne mutăm" in suceava_part and "Fir 2" not in suceava_part
    with force_locale("ro"):
        label = str(KINDS["event_message"].label)
    assert suceava_part.index(label) < suceava_part.index("Ne mutăm")
    assert html.index("<h2") < html.index("Cluj-Napoca") < html.index("Suceava") \
        < html.index("Tot hubul (național)") < html.index("Fir 2")
    assert html.count("<h2") == 3 and 'href="http://localhost/' in html


def test_the_city_is_the_targets_when_not_given(db):
    ana = factories.user()
    city = factories.city("suceava")
    notify([ana], "forum_reply", target=city, payload={"person": "X", "thread": "T",
                                                        "post_id": 1})
    notify([ana], "forum_reply", payload={"person": "X", "thread": "T", "post_id": 2})
    assert [n.city_id for n in notes(ana)] == [None, None]  # a city has no city_id of its own


def test_each_person_gets_the_digest_at_their_own_hour(db, outbox, monkeypatch):
    early, usual, late = (factories.user(locale="en") for _ in range(3))
    preferences.choose_schedule(early.id, 7, 0)
    preferences.choose_schedule(late.id, 20, 0)
    for person in (early, usual, late):
        reply(person)
        written_at(person, "2026-12-06 23:00")
    at(monkeypatch, "2026-12-07 06:59:59")
    assert digests.queue_digests.run() == 0
    at(monkeypatch, "2026-12-07 07:00:30")
    assert digests.queue_digests.run() == 1 and len(mails_to(outbox, early)) == 1
    at(monkeypatch, "2026-12-07 07:59:59")
    assert digests.queue_digests.run() == 0
    at(monkeypatch, "2026-12-07 08:00:01")
    assert digests.queue_digests.run() == 1 and len(mails_to(outbox, usual)) == 1
    at(monkeypatch, "2026-12-07 20:00:00")
    assert digests.queue_digests.run() == 1 and len(mails_to(outbox, late)) == 1
    assert digests.queue_digests.run() == 0
    periods = dict(db.session.execute(select(DigestRun.user_id, DigestRun.period)).all())
    assert periods == {early.id: "d2026-12-07", usual.id: "d2026-12-07", late.id: "d2026-12-07"}
    # a change of hour the same day does not bring a second digest for that day
    reply(early)
    written_at(early, "2026-12-07 10:00")
    preferences.choose_schedule(early.id, 21, 0)
    db.session.commit()
    at(monkeypatch, "2026-12-07 21:30")
    assert digests.queue_digests.run() == 0 and len(mails_to(outbox, early)) == 1
    at(monkeypatch, "2026-12-08 21:00")
    assert digests.queue_digests.run() == 1 and len(mails_to(outbox, early)) == 2


def test_the_weekly_digest_comes_on_each_persons_day(db, outbox, monkeypatch):
    monday, friday = factories.user(), factories.user()
    preferences.choose_schedule(friday.id, 8, 4)
    for person in (monday, friday):
        prefer(person, "forum_reply", "weekly")
        reply(person)
        written_at(person, "2026-12-05 12:00")  # a Saturday
    at(monkeypatch, "2026-12-07 08:00:01")  # Monday
    assert digests.queue_digests.run() == 1 and len(mails_to(outbox, monday)) == 1
    at(monkeypatch, "2026-12-10 23:00")  # Thursday
    assert digests.queue_digests.run() == 0
    at(monkeypatch, "2026-12-11 08:00")  # Friday
    assert digests.queue_digests.run() == 1 and len(mails_to(outbox, friday)) == 1
    assert db.session.scalar(select(DigestRun.period).where(
        DigestRun.user_id == friday.id)) == "w2026-12-11"


def test_cut_offs_follow_the_local_clock_across_daylight_saving_time(app):
    with app.app_context():
        def daily(local: str, hour: int = 8) -> tuple[datetime, str]:
            moment = datetime.fromisoformat(local).replace(tzinfo=BUCHAREST).astimezone(UTC)
            [due] = [d for d in digests.due_periods(moment) if d.delivery == "daily"]
            return due.cutoffs[hour]
        # summer time (UTC+3) ends on 25 October 2026 at 04:00 local
        assert daily("2026-10-24 09:00") == (datetime(2026, 10, 24, 5, tzinfo=UTC), "d2026-10-24")
        assert daily("2026-10-25 09:00") == (datetime(2026, 10, 25, 6, tzinfo=UTC), "d2026-10-25")
        assert daily("2026-10-25 07:59") == (datetime(2026, 10, 24, 5, tzinfo=UTC), "d2026-10-24")
        # it begins on 28 March 2027 at 03:00 local: 08:00 is 05:00 UTC again
        assert daily("2027-03-28 08:30") == (datetime(2027, 3, 28, 5, tzinfo=UTC), "d2027-03-28")
        assert daily("2027-03-27 08:30") == (datetime(2027, 3, 27, 6, tzinfo=UTC), "d2027-03-27")
        # an hour the clocks skip still takes place once that day
        until, period = daily("2027-03-28 12:00", hour=3)
        assert period == "d2027-03-28" and until <= datetime(2027, 3, 28, 9, tzinfo=UTC)


def test_the_beat_reads_schedules_in_its_batch_query(db, monkeypatch, count_queries):
    """As many statements for 9 people with schedules of their own as for 3: per batch of
    people, never per person."""
    monkeypatch.setattr(digests, "enqueue", lambda task, *args: None)

    def beat_for(how_many: int) -> int:
        _db.session.execute(update(Notification).values(digested_dt=utcnow()))
        for n in range(how_many):
            person = factories.user()
            preferences.choose_schedule(person.id, (5 * n) % 24, n % 7)
            reply(person)
            prefer(person, "event_message", "weekly")
            notify([person], "event_message", payload={
                "person": "X", "title": "T", "message": "M", "event_id": 1})
        age(60 * 24 * 8)
        with count_queries() as counter:
            assert digests.queue_digests.run() == 2 * how_many
        return counter.count

    assert beat_for(3) == beat_for(9)


def with_a_worker(monkeypatch) -> list:
    """Tasks go to a worker (the tasks queued are returned, not run), as with Redis."""
    from m100hub import mail

    queued: list = []
    monkeypatch.setattr(mail, "tasks_run_in_process", lambda: False)
    for module in (digests, mail):
        monkeypatch.setattr(module, "enqueue", lambda task, *args: queued.append((task, args)))
    return queued


def two_digests_due(monkeypatch) -> tuple:
    """Ana's and Ion's daily digests due, their tasks queued for a worker: (tasks, ana, ion)."""
    queued = with_a_worker(monkeypatch)
    ana, ion = factories.user(), factories.user()
    for person in (ana, ion):
        reply(person)
    age(60 * 26)
    assert digests.queue_digests.run() == 2
    return queued, ana, ion


def run_digests(queued: list) -> list[int]:
    return [digests.send_digest.run(*args) for task, args in queued
            if task is digests.send_digest]


def three_digests_queued(monkeypatch) -> list:
    """Three people with a reply each, due by now, their digest tasks queued for a worker."""
    queued = with_a_worker(monkeypatch)
    for person in [factories.user() for _ in range(3)]:
        reply(person)
    age(60 * 26)
    assert digests.queue_digests.run() == 3
    return queued


def test_each_digest_sends_its_own_mail_through_one_kept_connection(db, smtp, monkeypatch):
    """With a worker: each task sends its e-mail itself, through the connection its process
    keeps open from one task to the next (one for three e-mails), and writes its row as sent;
    a task delivered twice sends nothing again, and nothing is left for the sweep."""
    from m100hub import mail

    queued = three_digests_queued(monkeypatch)
    tasks = list(queued)
    assert run_digests(tasks) == [1, 1, 1]
    assert len(queued) == 3  # no delivery task
    assert sorted(smtp.received.values()) == [1, 1, 1]
    assert len(smtp.sessions) == 1
    assert run_digests(tasks) == [0, 0, 0]  # delivered twice: nothing more
    assert sum(smtp.received.values()) == 3
    rows = list(db.session.scalars(select(mail.OutboxMail)))
    assert len(rows) == 3 and all(row.sent_dt is not None for row in rows)
    runs = db.session.scalars(select(DigestRun).order_by(DigestRun.user_id)).all()
    assert sorted(run.mail_id for run in runs) == sorted(row.id for row in rows)
    assert mail.sweep.run() == 0


def test_a_kept_connection_the_server_closed_meanwhile_is_opened_again(app, db, monkeypatch):
    """An idle connection is checked (NOOP) before it is used: the relay restarted meanwhile
    (or closed it after its idle time), and the next digest still goes out at once."""
    from aiosmtpd.controller import Controller

    from m100hub.mail import relay
    from tests.support.live import MailCatcher, free_port

    catcher, port = MailCatcher(), free_port()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setattr(relay, "KEPT_IDLE_SECONDS", 0.0)
    queued, ana, ion = two_digests_due(monkeypatch)
    first, second = [args for task, args in queued if task is digests.send_digest]
    server = Controller(catcher, hostname="127.0.0.1", port=port)
    server.start()
    assert digests.send_digest.run(*first) == 1
    server.stop()  # the kept connection is cut
    server = Controller(catcher, hostname="127.0.0.1", port=port)
    server.start()
    try:
        assert digests.send_digest.run(*second) == 1
    finally:
        server.stop()
    assert catcher.received[ana.email.lower()] == catcher.received[ion.email.lower()] == 1
    assert len(catcher.sessions) == 2


def test_with_the_relay_down_digests_are_done_and_the_sweep_sends_them(db, smtp, monkeypatch):
    """The relay refuses connections: each digest is written all the same (its run done, its
    row left unsent for the sweep with the refusal recorded), and the process's next tasks do
    not try the relay again for a while (none waits on it); once it is back, the sweep sends
    each e-mail once."""
    from m100hub import mail
    from m100hub.mail import relay

    queued = three_digests_queued(monkeypatch)
    opened = []
    real_open = relay.SMTPTransport.open

    def refused(self):
        opened.append(1)
        raise ConnectionRefusedError("relay down")

    monkeypatch.setattr(relay.SMTPTransport, "open", refused)
    assert run_digests(queued) == [1, 1, 1]
    assert len(opened) == 1  # tried once, not by each task
    rows = list(db.session.scalars(select(mail.OutboxMail).order_by(mail.OutboxMail.id)))
    assert [row.sent_dt for row in rows] == [None] * 3
    assert rows[0].attempts == 1 and "relay down" in rows[0].last_error
    assert smtp.received == {}
    monkeypatch.setattr(relay.SMTPTransport, "open", real_open)
    make_due([row.id for row in rows])
    assert mail.sweep.run() == 3
    assert sorted(smtp.received.values()) == [1, 1, 1]
    assert mail.sweep.run() == 0


def test_a_worker_dying_after_the_server_accepted_errs_towards_twice(db, smtp, monkeypatch):
    """The server accepted the digest and the task died before its COMMIT: the run, its
    notifications and the row are rolled back, the beat queues the run again, and the person
    gets the digest a second time — never none (the outbox's window)."""
    from m100hub import mail

    queued = with_a_worker(monkeypatch)
    ana = factories.user()
    reply(ana)
    age(60 * 26)
    assert digests.queue_digests.run() == 1

    def killed():
        raise SystemExit("SIGKILL")

    monkeypatch.setattr(digests, "commit", killed)
    with pytest.raises(SystemExit):
        run_digests(queued)
    db.session.rollback()
    monkeypatch.setattr(digests, "commit", mail.commit)
    assert smtp.received[ana.email.lower()] == 1
    assert db.session.scalar(select(func.count()).select_from(mail.OutboxMail)) == 0
    db.session.execute(update(DigestRun).values(
        created_dt=utcnow() - digests.RETRY_AFTER - timedelta(seconds=1)))
    db.session.commit()
    queued.clear()
    assert digests.queue_digests.run() == 1  # the run, not done, is queued again
    assert run_digests(queued) == [1]
    assert smtp.received[ana.email.lower()] == 2
    assert db.session.scalar(select(func.count()).select_from(mail.OutboxMail)) == 1


def test_a_digest_to_a_bouncing_address_is_written_skipped_and_not_sent(db, smtp, monkeypatch):
    """The digests write their e-mail as every e-mail is written: to an address that bounces
    it is recorded as skipped, and only the others are sent."""
    from m100hub import mail
    from m100hub.mail.bounces import record_bounce

    queued, ana, ion = two_digests_due(monkeypatch)
    record_bounce(ana.email, "550 no such mailbox")
    assert run_digests(queued) == [1, 1]
    skipped = db.session.scalar(select(mail.OutboxMail).where(
        mail.OutboxMail.to_address == ana.email))
    assert skipped.failed_dt is not None and skipped.sent_dt is None
    assert set(smtp.received) == {ion.email.lower()}
    assert mail.sweep.run() == 0


def test_a_refused_recipient_is_recorded_and_its_address_bounces(db, smtp, monkeypatch):
    """The server refuses the digest's recipient for good (5xx): the row is given up with the
    answer, the address marked bouncing, the run done; the next digest goes out as usual."""
    from m100hub import mail

    queued, ana, ion = two_digests_due(monkeypatch)
    smtp.refuse[ana.email.lower()] = "550 5.1.1 No such user"
    assert run_digests(queued) == [1, 1]
    refused = db.session.scalar(select(mail.OutboxMail).where(
        mail.OutboxMail.to_address == ana.email))
    assert refused.failed_dt is not None and refused.sent_dt is None
    assert "No such user" in refused.last_error
    assert mail.bounce_of(ana.email) is not None
    assert set(smtp.received) == {ion.email.lower()}
    assert db.session.scalar(select(func.count()).select_from(DigestRun).where(
        DigestRun.done_dt.is_(None))) == 0


def test_a_digest_task_costs_four_statements_whatever_it_carries(db, monkeypatch,
                                                                count_queries):
    """With a worker: the run (locked) with its person and their bounce; the notifications
    taken; the e-mail written (and sent); the run marked: 4 statements for 1 item as for 10,
    and the e-mail carries them all."""
    from m100hub import mail

    queued = with_a_worker(monkeypatch)
    one, ten = factories.user(locale="en"), factories.user(locale="ro")
    reply(one)
    for n in range(10):
        reply(ten, n)
    age(60 * 26)
    assert digests.queue_digests.run() == 2
    runs = {args[0]: args for task, args in queued if task is digests.send_digest}
    counted = {}
    for person_id, items in ((one.id, 1), (ten.id, 10)):
        with count_queries() as counter:
            assert digests.send_digest.run(*runs[person_id]) == items
        counted[items] = counter.statements
    assert [len(statements) for statements in counted.values()] == [4, 4]
    assert not any("mail_bounces" in s and s.lstrip().startswith("SELECT mail_bounces")
                   for s in counted[10])
    [row] = db.session.scalars(select(mail.OutboxMail).where(
        mail.OutboxMail.to_address == ten.email))
    assert row.message["text"].count("Piste de biciclete") == 10
    again = runs[ten.id]
    with count_queries() as counter:  # delivered twice: the run is done, nothing more
        assert digests.send_digest.run(*again) == 0
    assert len(counter.statements) == 1


def test_a_worker_takes_a_few_tasks_ahead_per_process(app):
    """A pool process is handed its next task as soon as it is free (no round trip to Redis
    between a beat's digest tasks), still acknowledged only when each ends."""
    from m100hub.celery_app import PREFETCH, VISIBILITY_TIMEOUT

    conf = app.extensions["celery"].conf
    assert conf.worker_prefetch_multiplier == PREFETCH > 1
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.broker_transport_options["visibility_timeout"] == VISIBILITY_TIMEOUT
