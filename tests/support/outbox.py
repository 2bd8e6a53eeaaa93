"""Shared by the e-mail tests (tests/mail/, the admin page, the live faults): messages for the
outbox, its rows, a lost delivery, time passing; messages queued on a live hub and waiting
for them at its SMTP server; bouncing addresses."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select, update

from m100hub import mail
from m100hub.database import utcnow
from m100hub.mail import OutboxMail

REFUSED = "550 5.1.1 No such user"


def message(to: str, subject: str = "Salut") -> dict:
    return {"to": to, "subject": subject, "text": "Text http://localhost/x",
            "html": "<p>HTML</p>"}


def rows(*where) -> list[OutboxMail]:
    mail.db.session.expire_all()
    return list(mail.db.session.scalars(select(OutboxMail).where(*where).order_by(OutboxMail.id)))


def lose_the_delivery(monkeypatch) -> None:
    """With a worker, the task queued at the commit never arrives (lost, or Redis was down):
    the row waits for a run of the task or for the sweep."""
    monkeypatch.setattr(mail, "tasks_run_in_process", lambda: False)
    monkeypatch.setattr(mail, "enqueue", lambda task, *args: None)


def make_due(ids: list[int], ago: timedelta = timedelta(minutes=5)) -> None:
    """Time passes: the rows' next attempt (or claim) is over."""
    mail.db.session.execute(update(OutboxMail).where(OutboxMail.id.in_(ids))
                            .values(due_dt=utcnow() - ago))
    mail.db.session.commit()


def wait_until_all_arrive(hub, addresses: list[str], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(hub.mail.received[a] >= 1 for a in addresses):
            return
        time.sleep(0.2)
    missing = [a for a in addresses if not hub.mail.received[a]]
    raise AssertionError(f"{len(missing)} never arrived: {missing[:5]}\n{hub.logs()}")


def queue_messages(hub, addresses: list[str], tasks: bool = True) -> None:
    """Messages written to the outbox and committed by the hub's own code (each one's task
    queued at the commit, as any cause does; or, not ``tasks``, left to the sweep, which then
    sends them all in one batch, in order)."""
    if not tasks:
        hub.python("from m100hub import mail\nmail.enqueue = lambda task, *args: None\n"
                   + _QUEUE.format(addresses=addresses))
    else:
        hub.python(_QUEUE.format(addresses=addresses))


_QUEUE = """
from wsgi import app
from m100hub import mail
from m100hub.database import commit
with app.app_context():
    for to in {addresses!r}:
        mail.queue({{'to': to, 'subject': 'Test', 'text': 'text', 'html': '<p>h</p>'}})
    commit()
"""


def add_bounces(db, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        mail.record_bounce(f"bounced{i}@example.ro", f"SMTPRecipientsRefused: {REFUSED}")
    db.session.commit()
