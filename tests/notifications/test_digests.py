"""E-mail of notifications (m100hub/notifications/digests.py): preferences decide which rows
are written and how they are e-mailed; the beat queues one run per person and period with
news; each run writes its e-mail once, leaves out what was read, sends nothing when nothing is
new; a lost run is queued again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from sqlalchemy import func, select, update

from m100hub.database import utcnow
from m100hub.extensions import db as _db
from m100hub.notifications import digests, preferences
from m100hub.notifications.kinds import KINDS
from m100hub.notifications.models import DigestRun, Notification, NotificationPreference
from m100hub.notifications.services import notify
from tests.support import factories

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
    # and, after them, the task that sends their e-mails on
    assert queued[-1][0] is digests.send_batch and len(queued) == 4


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


def test_a_batch_sends_its_done_runs_together_and_a_late_run_its_own(db, smtp, monkeypatch):
    """With a worker: the batch's task sends on, through one connection, the e-mails of the
    runs done by then; a run done after it sends its own; none is sent twice."""
    from m100hub import mail

    queued: list = []
    for module in (digests, mail):  # a worker takes the tasks
        monkeypatch.setattr(module, "tasks_run_in_process", lambda: False)
        monkeypatch.setattr(module, "enqueue", lambda task, *args: queued.append((task, args)))
    people = [factories.user() for _ in range(3)]
    for person in people:
        reply(person)
    age(60 * 26)
    assert digests.queue_digests.run() == 3
    runs = [args for task, args in queued if task is digests.send_digest]
    [(batch,)] = [args for task, args in queued if task is digests.send_batch]
    queued.clear()
    for args in runs[:2]:
        assert digests.send_digest.run(*args) == 1
    assert queued == []  # the batch's task sends them
    assert digests.send_batch.run(batch) == 2
    assert digests.send_batch.run(batch) == 0  # delivered twice: nothing more
    assert digests.send_digest.run(*runs[2]) == 1  # a run done after its batch went
    deliveries = [args[0] for task, args in queued]
    assert all(task is mail.deliver for task, _args in queued)
    assert [len(ids) for ids in deliveries] == [2, 1]
    for ids in deliveries:
        mail.deliver.run(ids)
    assert sorted(smtp.received.values()) == [1, 1, 1]
    assert len(smtp.sessions) == 2  # two connections for three e-mails
    for ids in deliveries:  # a delivery task run twice sends nothing again
        assert mail.deliver.run(ids) == 0
    assert sum(smtp.received.values()) == 3


def test_a_digest_to_a_bouncing_address_is_written_skipped_and_not_sent(db, smtp, monkeypatch):
    """The digests write their e-mail as every e-mail is written (mail.queue): to an address
    that bounces it is recorded as skipped, and the batch has nothing to send."""
    from m100hub import mail
    from m100hub.mail.bounces import record_bounce

    queued: list = []
    for module in (digests, mail):
        monkeypatch.setattr(module, "tasks_run_in_process", lambda: False)
        monkeypatch.setattr(module, "enqueue", lambda task, *args: queued.append((task, args)))
    ana, ion = factories.user(), factories.user()
    record_bounce(ana.email, "550 no such mailbox")
    for person in (ana, ion):
        reply(person)
    age(60 * 26)
    assert digests.queue_digests.run() == 2
    for task, args in list(queued):
        if task is digests.send_digest:
            task.run(*args)
    [(batch,)] = [args for task, args in queued if task is digests.send_batch]
    assert digests.send_batch.run(batch) == 1  # Ion's only
    skipped = db.session.scalar(select(mail.OutboxMail).where(
        mail.OutboxMail.to_address == ana.email))
    assert skipped.failed_dt is not None and skipped.sent_dt is None
    for task, args in queued:
        if task is mail.deliver:
            mail.deliver.run(*args)
    assert set(smtp.received) == {ion.email.lower()}


def test_a_digest_task_costs_four_statements_whatever_it_carries(db, monkeypatch,
                                                                count_queries):
    """With a worker: the run (locked) with its person, their bounce and its batch; the
    notifications taken; the e-mail written; the run marked: 4 statements for 1 item as for
    10, and the e-mail carries them all."""
    from m100hub import mail

    queued: list = []
    for module in (digests, mail):
        monkeypatch.setattr(module, "tasks_run_in_process", lambda: False)
        monkeypatch.setattr(module, "enqueue", lambda task, *args: queued.append((task, args)))
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
