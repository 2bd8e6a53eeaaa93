"""The e-mail outbox (m100hub/mail/) against a real SMTP server in the test process: written
with its cause, delivered once after the commit, retried with backoff while the relay is down,
a permanent refusal recorded (and shown to the admins), batches through one connection."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from m100hub import mail
from m100hub.database import utcnow
from m100hub.mail import OutboxMail
from tests.support.accounts import fresh_scalar
from tests.support.live import free_port
from tests.support.outbox import lose_the_delivery, make_due, message, rows


def test_a_rolled_back_cause_leaves_no_mail(db, smtp):
    mail.queue(message("ana@example.ro"))
    db.session.rollback()
    assert rows() == [] and smtp.received == {}


def test_mail_leaves_after_the_commit_once(db, smtp):
    row = mail.queue(message("ana@example.ro"))
    assert smtp.received == {}  # nothing before the commit
    db.session.commit()
    assert smtp.received == {"ana@example.ro": 1}
    [sent] = rows()
    assert sent.id == row.id and sent.sent_dt is not None and sent.attempts == 0
    received = smtp.messages.get_nowait()
    assert received["Subject"] == "Salut" and received["Message-ID"].startswith("<outbox-")
    assert received.get_body(("plain",)).get_content().strip() == "Text http://localhost/x"
    assert received.get_body(("html",)).get_content().strip() == "<p>HTML</p>"
    # the task delivered twice, the sweep run after it: nothing more is sent
    assert mail.deliver.run([row.id]) == 0
    make_due([row.id])
    assert mail.sweep.run() == 0
    assert smtp.received == {"ana@example.ro": 1}


def test_a_claimed_row_is_left_to_its_claimant(db, smtp, monkeypatch):
    """Two runs of the task at once: the second finds the row claimed and sends nothing; a
    claimant that died gives the row back when its claim runs out, and the sweep sends it."""
    lose_the_delivery(monkeypatch)  # the task is lost
    row = mail.queue(message("ana@example.ro"))
    db.session.commit()
    claimed = mail._claim([row.id], utcnow())
    assert [r.id for r in claimed] == [row.id]  # … and the worker holding it dies here
    assert mail.deliver.run([row.id]) == 0
    assert mail.sweep.run() == 0 and smtp.received == {}
    make_due([row.id])  # the claim ran out
    assert mail.sweep.run() == 1 and smtp.received == {"ana@example.ro": 1}


def test_a_lost_task_is_made_good_by_the_sweep(app, db, smtp, monkeypatch):
    lose_the_delivery(monkeypatch)  # Redis was down
    mail.queue(message("ana@example.ro"))
    mail.queue(message("ion@example.ro"))
    db.session.commit()
    assert smtp.received == {}
    assert mail.sweep.run() == 0  # younger than MAIL_SWEEP_SECONDS: left to their own task
    make_due([r.id for r in rows()], ago=timedelta(seconds=app.config["MAIL_SWEEP_SECONDS"] + 1))
    assert mail.sweep.run() == 2
    assert smtp.received == {"ana@example.ro": 1, "ion@example.ro": 1}
    assert len(smtp.sessions) == 1  # one connection for the batch


def test_relay_down_is_retried_with_backoff_until_it_is_back(app, db, smtp, monkeypatch):
    relay_port = app.config["MAIL_PORT"]
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    row = mail.queue(message("ana@example.ro"))
    db.session.commit()
    [waiting] = rows()
    assert waiting.sent_dt is None and waiting.failed_dt is None and waiting.attempts == 1
    assert "ConnectionRefusedError" in waiting.last_error
    assert utcnow() + timedelta(seconds=50) < waiting.due_dt <= utcnow() + timedelta(minutes=1)
    assert mail.sweep.run() == 0  # not due yet
    for attempt in range(2, 5):  # still down: each wait twice the last
        make_due([row.id])
        assert mail.sweep.run() == 0
        waiting = rows()[0]
        assert waiting.attempts == attempt and waiting.failed_dt is None
        assert waiting.due_dt > utcnow() + mail.backoff(attempt) - timedelta(seconds=10)
    assert mail.waiting() == 1
    monkeypatch.setitem(app.config, "MAIL_PORT", relay_port)  # the relay is back
    make_due([row.id])
    assert mail.sweep.run() == 1 and smtp.received == {"ana@example.ro": 1}
    assert mail.waiting() == 0


def test_backoff_grows_to_an_hour():
    assert [mail.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 7, 8, 20)] == [
        1, 2, 4, 60, 60, 60]


def test_temporary_refusals_are_given_up_after_the_configured_hours(app, db, smtp):
    smtp.refuse["ana@example.ro"] = "451 4.3.0 Try again later"
    row = mail.queue(message("ana@example.ro"))
    db.session.commit()
    assert rows()[0].failed_dt is None and rows()[0].attempts == 1
    hours = app.config["MAIL_GIVE_UP_HOURS"]
    db.session.execute(update(OutboxMail).values(
        created_dt=utcnow() - timedelta(hours=hours, minutes=1)))
    make_due([row.id])
    assert mail.sweep.run() == 0
    [given_up] = rows()
    assert given_up.failed_dt is not None and "451" in given_up.last_error
    make_due([row.id])
    assert mail.sweep.run() == 0 and smtp.received == {}


def test_a_permanent_refusal_is_recorded_and_not_retried(db, smtp):
    smtp.refuse["nobody@example.ro"] = "550 5.1.1 No such user"
    mail.queue(message("nobody@example.ro"))
    mail.queue(message("ana@example.ro"))
    db.session.commit()
    refused, sent = rows()
    assert refused.failed_dt is not None and refused.attempts == 0
    assert "550" in refused.last_error and "No such user" in refused.last_error
    assert sent.sent_dt is not None
    make_due([refused.id])
    assert mail.sweep.run() == 0
    assert smtp.received == {"ana@example.ro": 1}


def test_a_batch_goes_through_one_connection(db, smtp, monkeypatch):
    lose_the_delivery(monkeypatch)
    ids = [mail.queue(message(f"p{n}@example.ro")).id for n in range(mail.BATCH_SIZE + 5)]
    db.session.commit()
    assert mail.deliver.run(ids) == len(ids)
    assert sum(smtp.received.values()) == len(ids) and set(smtp.received.values()) == {1}
    assert len(smtp.sessions) == 2  # a connection per batch of BATCH_SIZE
    assert fresh_scalar(select(func.count()).select_from(OutboxMail)
                        .where(OutboxMail.sent_dt.is_not(None))) == len(ids)


def test_signup_mail_goes_through_the_outbox(client, db, smtp):
    from tests.support.accounts import signup_data

    response = client.post("/signup", data=signup_data(email="ioana@example.ro"))
    assert response.status_code == 200
    assert smtp.received == {"ioana@example.ro": 1}
    [row] = rows()
    assert row.to_address == "ioana@example.ro" and row.sent_dt is not None
    assert "/confirm/" in row.message["text"]


def test_each_message_sent_costs_one_statement(db, smtp, monkeypatch, count_queries):
    """A run records each message sent with one UPDATE (and its commit): the rows it claimed
    are not read again after each commit. Statements for 2 and for 7 messages differ by 5."""
    lose_the_delivery(monkeypatch)

    def deliver(how_many: int) -> list[str]:
        ids = [mail.queue(message(f"n{how_many}-{n}@example.ro")).id for n in range(how_many)]
        db.session.commit()
        with count_queries() as counter:
            assert mail.deliver.run(ids) == how_many
        return counter.statements

    few, more = deliver(2), deliver(7)
    assert len(more) - len(few) == 5
    assert [s.split()[0] for s in more].count("SELECT") == [s.split()[0] for s in few].count(
        "SELECT")
    assert sum(smtp.received.values()) == 9 and set(smtp.received.values()) == {1}
    assert len(rows(OutboxMail.sent_dt.is_not(None))) == 9


def built(row: OutboxMail) -> tuple[bytes, float]:
    """The row's message as smtplib puts it on the wire, and the Python calls of building and
    writing it (the mean of 20)."""
    import cProfile
    import io
    import pstats
    from email.generator import BytesGenerator

    def wire() -> bytes:
        out = io.BytesIO()
        BytesGenerator(out).flatten(mail._build(row), linesep="\r\n")
        return out.getvalue()

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(20):
        wire()
    profile.disable()
    return wire(), pstats.Stats(profile).total_calls / 20  # type: ignore[attr-defined]


def test_a_message_is_built_cheaply_and_reads_back_whole(app):
    """Built with compat32's classes, not EmailMessage's header registry (which parses every
    header it is given: 9,800 calls for this one), its headers written without compat32's
    folding when they need none and its boundaries chosen (5,100 calls before), under 2,500
    (1,600), and a reader gets back the subject with its diacritics, the unsubscribe link on
    one line, both parts, the file."""
    from email import message_from_bytes, policy

    link = "<http://localhost/unsubscribe/" + "x" * 120 + ">"
    items = "".join(f"- Ana a răspuns în „Fir {n}”\n  http://localhost/p/{n}\n" for n in range(10))
    row = OutboxMail(id=7, to_address="ana@example.ro", created_dt=utcnow(),
                     subject="Rezumatul tău zilnic M100 Hub — ăâîșț",
                     message={"text": items, "html": f"<ul><li>{items}</li></ul>",
                              "headers": {"List-Unsubscribe": link,
                                          "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
                              "attachments": [("e.ics", "text/calendar", "SUMMARY:Întâlnire")]})
    with app.app_context():
        wire, calls = built(row)
    assert calls < 2500, calls
    received = message_from_bytes(wire, policy=policy.default)
    assert received["Subject"] == row.subject and received["To"] == "ana@example.ro"
    assert received["List-Unsubscribe"] == link
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received["Message-ID"].startswith("<outbox-7-")
    def part(kind: str) -> str:  # as sent: lines end in CRLF
        return received.get_body((kind,)).get_content().replace("\r\n", "\n")

    assert part("plain") == items and part("html") == f"<ul><li>{items}</li></ul>"
    [attached] = received.iter_attachments()
    assert attached.get_filename() == "e.ics" and attached.get_content_type() == "text/calendar"
    assert attached.get_payload(decode=True).decode() == "SUMMARY:Întâlnire"
    assert max(len(line) for line in wire.split(b"\r\n")) <= 998


def test_headers_are_written_as_compat32_folds_them(app, monkeypatch):
    """Headers that are ASCII and fit on their line are written as they are, without
    compat32's folding machinery: the same bytes on the wire as compat32 gives, for the
    encoded subject, a long unsubscribe link, the sender's name and every part's headers."""
    from email.generator import BytesGenerator
    from email.policy import compat32

    link = "<http://localhost/unsubscribe/" + "y" * 300 + ">"
    row = OutboxMail(id=8, to_address="Ana Pop <ana@example.ro>", created_dt=utcnow(),
                     subject="Rezumatul tău zilnic — ăâîșț " + "lung " * 30,
                     message={"text": "Salut\n", "html": "<p>Salut</p>",
                              "headers": {"List-Unsubscribe": link, "X-Gol": "a  b\tc"},
                              "attachments": [("e.ics", "text/calendar", "SUMMARY:Î")]})

    def wire(msg, policy) -> bytes:
        out = io.BytesIO()
        BytesGenerator(out, policy=policy).flatten(msg, linesep="\r\n")
        return out.getvalue()

    with app.app_context():
        monkeypatch.setitem(app.config, "MAIL_FROM", "M100 Hub — România <no-reply@m100hub.local>")
        msg = mail._build(row)
    ours = wire(msg, mail.HEADERS_UNFOLDED)
    assert ours == wire(msg, compat32.clone(max_line_length=998))
    assert link.encode() in ours


EXITING_SENDER = """
import sys
from email.message import EmailMessage
from flask import Flask
from m100hub.mail import relay

app = Flask("sender")
app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=int(sys.argv[1]), MAIL_USERNAME="",
                  MAIL_PASSWORD="", MAIL_USE_TLS=False, MAIL_BACKOFF_SECONDS=60)
with app.app_context():
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "hub@m100.ro", "ana@example.ro", "Rezumat"
    msg.set_content("Salut")
    relay.kept().send(msg, "Salut")
"""


def test_a_process_that_exits_says_goodbye_on_its_kept_connection(tmp_path):
    """A worker's kept connection (the digests' one e-mail a task) is not left to the
    garbage collector at exit, an unclosed socket: the relay gets a QUIT."""
    from aiosmtpd.controller import Controller

    from tests.support.live import MailCatcher, free_port

    catcher = MailCatcher()
    server = Controller(catcher, hostname="127.0.0.1", port=free_port())
    server.start()
    try:
        done = subprocess.run(
            [sys.executable, "-X", "dev", "-c", EXITING_SENDER, str(server.port)],
            capture_output=True, text=True, timeout=60, cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr
    assert catcher.received["ana@example.ro"] == 1
    assert catcher.quits == 1
    assert "ResourceWarning" not in done.stderr, done.stderr
