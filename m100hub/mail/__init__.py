"""E-mail through a durable outbox: never lost, not doubled.

``queue(compose(...))`` writes the message as a row of ``mail_outbox`` in the transaction of
its cause (a sign-up, a registration): rolled back with it, saved with it. Once that
transaction commits, a Celery task delivers the row; whatever it does not deliver (Redis down
when it was queued, the worker killed, the relay down) the periodic ``mail.sweep`` delivers
later. Delivery first *claims* a row (a conditional UPDATE that moves ``due_dt`` a lease into
the future, committed): a task delivered twice, or the sweep meeting a queued task, finds
nothing left to claim. A row is marked sent only after the SMTP server accepted the message;
a temporary refusal (4xx, no connection) is tried again with backoff for
``MAIL_GIVE_UP_HOURS``, a permanent one (5xx for the recipient) is recorded for the admins
(``/admin/mail``) and never retried. Messages of one run go through one SMTP connection.

A permanent refusal of the recipient (5xx to RCPT TO) also marks the address as bouncing
(``bounces.py``; an operator adds one a DSN reported later: ``flask m100 bounce``). No
further message is sent to it: one written later is recorded as skipped, with the reason, and
so is one already waiting when the bounce came. Only what the person asks for themselves
(``queue(..., despite_bounce=True)``: a confirmation link, a password reset) still goes out,
so that confirming the address again (``clear_bounce``) is possible and clears it. The bounce
is kept per address, not per account: the shared layer knows no accounts, and an address
nobody holds an account for bounces all the same.

Which way it errs: if the server accepted a message and the worker died before the COMMIT
that records it (a window of one UPDATE and COMMIT, a millisecond or two, after each message),
the row stays unsent, its lease runs out and the sweep sends it again: the person may get that
one message twice, never none (at least once, rarely twice).

A task that writes one e-mail and ends, thousands in a row (the digests), sends it itself
with ``send_now``: the row is written as sent and handed to the server through the process's
connection kept open across tasks (``relay.kept``), and the task's COMMIT follows the 250 —
no delivery task, claim or second write. It errs the same way: a worker dead between the 250
and that COMMIT rolls back the row with the task's work, which is done again (the message
twice, never none; a window of a statement or two and the COMMIT).

With ``MAIL_SERVER`` unset, messages are written to ``instance/outbox/*.eml`` (their links
printed on the console) instead of SMTP — still through the table.
"""

from __future__ import annotations

import smtplib
import uuid
from datetime import datetime, timedelta
from email.charset import QP, Charset
from email.encoders import encode_base64
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import Compat32
from email.utils import formataddr, formatdate, getaddresses
from functools import lru_cache
from types import EllipsisType

from celery import shared_task
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import JSON, Index, Integer, String, Text, func, insert, select, text, update
from sqlalchemy.orm import Mapped, mapped_column

from ..celery_app import enqueue, tasks_run_in_process
from ..database import UTCDateTime, after_commit, commit, utcnow
from ..extensions import Model, db
from .bounces import MailBounce as MailBounce
from .bounces import address_key as address_key
from .bounces import bounce_of as bounce_of
from .bounces import bouncing as bouncing
from .bounces import clear_bounce as clear_bounce
from .bounces import record_bounce as record_bounce
from .bounces import skip_bouncing, skipped_reason
from .relay import RelayDown, kept, transport

#: rows still to deliver (the sweep's partial index)
UNSENT = text("sent_dt IS NULL AND failed_dt IS NULL")
#: messages one run delivers through one connection
BATCH_SIZE = 100
#: rows the sweep delivers per run at most (the next run, a minute later, takes the rest)
SWEEP_LIMIT = 2000
#: the parts' charset: UTF-8, quoted-printable (lines within SMTP's limit, readable as they are)
UTF8 = Charset("utf-8")
UTF8.body_encoding = QP


class _Unfolded(Compat32):
    """compat32, with a header that is ASCII already and fits on its line written as it is:
    compat32 passes every header through ``Header`` to fold it, the same text for these (ours
    are encoded beforehand, ``_text``, ``_address``) at a tenth of a digest's CPU."""

    def fold_binary(self, name: str, value) -> bytes:
        limit = self.max_line_length
        if (isinstance(value, str) and value.isascii() and "\n" not in value
                and "\r" not in value and (limit is None or len(name) + len(value) + 2 <= limit)):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


#: headers left on one line up to RFC 5322's limit: compat32 would move a long link
#: (List-Unsubscribe) to a line of its own, which readers take with a leading space
HEADERS_UNFOLDED = _Unfolded(max_line_length=998)


class OutboxMail(Model):
    """One e-mail to send, written in the transaction that causes it."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        # the sweep: unsent rows whose time has come, oldest first
        Index("ix_mail_outbox_due", "due_dt", postgresql_where=UNSENT, sqlite_where=UNSENT),
        # the admin page: refused rows, newest first
        Index("ix_mail_outbox_failed", "failed_dt",
              postgresql_where=text("failed_dt IS NOT NULL"),
              sqlite_where=text("failed_dt IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the recipient's address
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    #: the rendered message: text, html, attachments [(name, MIME type, text)], headers
    message: Mapped[dict] = mapped_column(JSON)
    #: when it was written (UTC)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: when it may next be tried: now when written, the backoff after a temporary refusal,
    #: the end of a claim while a run delivers it
    due_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: delivery attempts that ended in a temporary refusal
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: when the SMTP server accepted it
    sent_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when it was given up: a permanent refusal, or temporary ones for MAIL_GIVE_UP_HOURS
    failed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the server's last answer to a failed attempt
    last_error: Mapped[str | None] = mapped_column(Text)


def compose(to: str, subject: str, template: str, locale: str, **context) -> dict:
    """Render a message in ``locale``; returns a plain dict. Add ``message["attachments"] =
    [(file name, MIME type, text)]`` to attach files, ``message["headers"]`` for headers."""
    with force_locale(locale):
        text_part = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
        subject = str(subject)
    return {"to": to, "subject": subject, "text": text_part, "html": html}


def queue(message: dict, despite_bounce: bool = False, batched: bool = False,
          bounce: MailBounce | None | EllipsisType = ...) -> OutboxMail:
    """Write the message to the outbox (flush, never commit); a task delivers it once the
    caller commits. Rolled back with the caller's transaction: nothing leaves for undone work.
    To a bouncing address the row is written as skipped (given up, with the reason), unless
    ``despite_bounce``: what the person asked for themselves, to confirm the address again.
    ``batched``: with a worker, no delivery task of its own — the caller sends the rows of a
    batch through one connection (``deliver``), and the sweep any it leaves behind.
    ``bounce``: the address's bounce (None: it does not bounce) when the caller read it with
    its own query (an outer join on ``address_key``), one statement fewer per e-mail."""
    if despite_bounce:
        message = {**message, "despite_bounce": True}
    else:
        if bounce is ...:
            bounce = bounce_of(message["to"])
        if bounce is not None:
            return _write_skipped(message, bounce)
    in_process = tasks_run_in_process()
    row = OutboxMail(to_address=message["to"], subject=message["subject"][:500],
                     message={k: v for k, v in message.items() if k not in ("to", "subject")},
                     sent_dt=utcnow() if in_process else None)
    db.session.add(row)
    db.session.flush()
    if in_process:
        # no worker (no Redis: the embedded set-up): nothing would ever sweep the row, and on
        # SQLite a second write per e-mail doubles what every request queues for on the one
        # write lock. The row is written as sent, in its cause's transaction, and sent from
        # the copy in hand once that commits; only a refusal writes again (and leaves the
        # row for a worker's sweep). Erring towards loss only if the process dies in the
        # instant between the commit and the SMTP server's answer.
        in_hand = OutboxMail(id=row.id, to_address=row.to_address, subject=row.subject,
                             message=row.message, created_dt=row.created_dt)
        after_commit(lambda: _deliver_in_process(in_hand))
    elif not batched:
        row_id = row.id
        after_commit(lambda: enqueue(deliver, [row_id]))
    return row


#: send_now's INSERT, built once (its values given at each run), of the table: the ORM's bulk
#: INSERT would cost more than the rest of writing the row
_OUTBOX = db.metadata.tables[OutboxMail.__tablename__]
_WRITE_SENT = insert(_OUTBOX).returning(_OUTBOX.c.id)


def send_now(message: dict, bounce: MailBounce | None) -> int:
    """Write the message to the outbox and hand it to the SMTP server at once, before the
    caller commits, through this process's connection kept open across tasks
    (``relay.kept``): for a task that writes one e-mail and ends, thousands in a row (the
    digests), no delivery task, claim or second write per message. Returns the row's id.

    The row is written as sent, and the caller's COMMIT, which follows the server's 250, makes
    it so. If the worker dies (or the COMMIT fails) between the two, the whole transaction
    rolls back — the row and the work that wrote it — and that work is done again: the one
    message twice, never none (the window of ``deliver_rows``: a statement or two and the
    COMMIT). A refusal is recorded on the row as a delivery records it: a temporary one (the
    relay down) is tried again by the sweep after the backoff, a permanent one given up.
    ``bounce``: the address's (read by the caller); to a bouncing address the row is written
    as skipped. Without a worker (tasks in process) as ``queue``: sent once the caller commits."""
    if bounce is not None:
        return _write_skipped(message, bounce).id
    if tasks_run_in_process():
        return queue(message, bounce=None).id
    now = utcnow()
    row = OutboxMail(to_address=message["to"], subject=message["subject"][:500],
                     message={k: v for k, v in message.items() if k not in ("to", "subject")},
                     created_dt=now, due_dt=now, attempts=0, sent_dt=now)
    row.id = db.session.scalar(_WRITE_SENT, {
        "to_address": row.to_address, "subject": row.subject, "message": row.message,
        "created_dt": now, "due_dt": now, "attempts": 0, "sent_dt": now})
    try:
        kept().send(_build(row), row.message["text"])
    except (smtplib.SMTPException, OSError) as error:
        written = db.session.get_one(OutboxMail, row.id)
        written.sent_dt = None
        if not isinstance(error, RelayDown):  # not tried: the sweep takes it
            _record_failure(written, error, now)
        db.session.flush()
    return row.id


def _write_skipped(message: dict, bounce: MailBounce) -> OutboxMail:
    now = utcnow()
    row = OutboxMail(to_address=message["to"], subject=message["subject"][:500],
                     message={k: v for k, v in message.items() if k not in ("to", "subject")},
                     failed_dt=now, last_error=skipped_reason(bounce))
    db.session.add(row)
    db.session.flush()
    return row


def _deliver_in_process(in_hand: OutboxMail) -> None:
    """Without a worker: send the message its cause committed (as sent); a refusal is
    recorded as a worker's delivery would record it, in an app context of its own (its own
    session, not the one committing)."""
    with current_app.app_context():
        with transport() as outgoing:
            try:
                outgoing.send(_build(in_hand), in_hand.message["text"])
                return
            except (smtplib.SMTPException, OSError) as error:
                refused = error
        row = db.session.get(OutboxMail, in_hand.id)
        if row is not None:
            row.sent_dt = None
            _record_failure(row, refused, utcnow())
        commit()


def backoff(attempts: int, first: int = 60, longest: int = 3600) -> timedelta:
    """After the n-th temporary refusal: 1, 2, 4 … minutes, at most an hour between tries
    (as mail servers do: a day's outage costs some thirty tries); ``first`` and ``longest``
    in seconds (MAIL_BACKOFF_SECONDS, MAIL_BACKOFF_MAX_SECONDS)."""
    return timedelta(seconds=min(first * 2 ** max(attempts - 1, 0), longest))


def _claim(ids: list[int] | None, now: datetime) -> list[OutboxMail]:
    """Take the rows (the due ones among ``ids``, or a batch for the sweep) for one lease;
    committed, so that a second run of the same task, or the sweep, finds them taken."""
    config = current_app.config
    due = (OutboxMail.sent_dt.is_(None), OutboxMail.failed_dt.is_(None),
           OutboxMail.due_dt <= now)
    if ids is None:  # the sweep leaves new rows a while to the task queued at their commit
        grace = timedelta(seconds=config["MAIL_SWEEP_SECONDS"])
        ids = list(db.session.scalars(
            select(OutboxMail.id).where(*due[:2], OutboxMail.due_dt <= now - grace)
            .order_by(OutboxMail.due_dt).limit(BATCH_SIZE)))
    if not ids:
        commit()
        return []
    claimed = list(db.session.scalars(
        update(OutboxMail).where(OutboxMail.id.in_(ids), *due)
        .values(due_dt=now + timedelta(seconds=config["MAIL_CLAIM_SECONDS"]))
        .returning(OutboxMail.id)))
    commit()
    return list(db.session.scalars(
        select(OutboxMail).where(OutboxMail.id.in_(claimed)).order_by(OutboxMail.id)))


def _build(row: OutboxMail) -> Message:
    """The message as it is sent: text and HTML as alternatives, attachments after them.
    Built with the email package's compat32 classes (MIMEMultipart, Header) rather than
    EmailMessage, whose header registry parses every header it is given: half the Python
    calls (a digest's, built and written: 9,800 → 5,100), the same MIME for the reader."""
    message = row.message
    body = MIMEMultipart("alternative", _boundary(), policy=HEADERS_UNFOLDED)
    for subtype in ("plain", "html"):
        part = MIMENonMultipart("text", subtype)
        part.set_payload(message["text" if subtype == "plain" else "html"], UTF8)
        body.attach(part)
    msg = body
    if message.get("attachments"):
        msg = MIMEMultipart("mixed", _boundary(), policy=HEADERS_UNFOLDED)
        msg.attach(body)
        for name, mimetype, content in message["attachments"]:
            maintype, subtype = mimetype.split("/", 1)
            attached = MIMEBase(maintype, subtype)
            attached.set_payload(content.encode())
            encode_base64(attached)
            attached.add_header("Content-Disposition", "attachment", filename=name)
            msg.attach(attached)
    msg["From"] = _address(current_app.config["MAIL_FROM"])
    msg["To"] = _address(row.to_address)
    msg["Subject"] = _text(row.subject)
    msg["Date"] = formatdate(localtime=False)
    # one Message-ID per row: a message sent twice (the window above) is recognisably the same
    msg["Message-ID"] = f"<outbox-{row.id}-{row.created_dt:%Y%m%d%H%M%S}@m100hub>"
    for name, value in message.get("headers", {}).items():
        msg[name] = _text(value)
    return msg


def _boundary() -> str:
    """A multipart's boundary, chosen here rather than by the generator (which compiles a
    regular expression of each one to check the parts for it): "=_" never occurs in the
    parts as they are encoded (quoted-printable writes "=" as "=3D"; base64 has no "_"), and
    the rest is random."""
    return f"=_{uuid.uuid4().hex}"


@lru_cache(maxsize=256)
def _text(value: str) -> str:
    """A header's text: as it is if ASCII, else RFC 2047 encoded words (on one line); kept
    for the subjects, the same for many messages."""
    return value if value.isascii() else " ".join(Header(value, "utf-8").encode().split("\n "))


@lru_cache(maxsize=64)
def _address(value: str) -> str:
    """An address header: each name encoded as needed (RFC 2047), the addresses as they are
    (kept for the sender's, the same for every message)."""
    return ", ".join(formataddr(pair, "utf-8") for pair in getaddresses([value]))


def recipient_refused(error: Exception) -> bool:
    """The server refused the recipient for good (5xx to RCPT TO): the address bounces."""
    return (isinstance(error, smtplib.SMTPRecipientsRefused)
            and all(code >= 500 for code, _text in error.recipients.values()))


def permanent(error: Exception) -> bool:
    """A refusal for the recipient or the message that no retry will change (5xx)."""
    return recipient_refused(error) or (
        isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500)


def _record_failure(row: OutboxMail, error: Exception, now: datetime) -> None:
    row.last_error = f"{type(error).__name__}: {error}"[:2000]
    give_up = row.created_dt + timedelta(hours=current_app.config["MAIL_GIVE_UP_HOURS"])
    if permanent(error) or now >= give_up:
        row.failed_dt = now
        current_app.logger.warning("e-mail %s to %s given up: %s", row.id, row.to_address,
                                   row.last_error)
        if recipient_refused(error):
            record_bounce(row.to_address, row.last_error)
        return
    row.attempts += 1
    config = current_app.config
    row.due_dt = now + backoff(row.attempts, config["MAIL_BACKOFF_SECONDS"],
                               config["MAIL_BACKOFF_MAX_SECONDS"])


def deliver_rows(ids: list[int] | None) -> tuple[int, int]:
    """Claim the rows and send them through one connection, each recorded (and committed) as
    soon as the server answered; returns how many were claimed and how many accepted."""
    sent = 0
    rows = _claim(ids, utcnow())
    to_send = skip_bouncing(rows, utcnow())
    for row in to_send:  # kept as read: each commit below would expire (and reload) them
        db.session.expunge(row)
    if len(to_send) < len(rows):
        commit()
    with transport() as outgoing:
        for row in to_send:
            try:
                outgoing.send(_build(row), row.message["text"])
            except (smtplib.SMTPException, OSError) as error:
                db.session.add(row)
                _record_failure(row, error, utcnow())
            else:
                db.session.execute(update(OutboxMail).where(OutboxMail.id == row.id)
                                   .values(sent_dt=utcnow()))
                sent += 1
            commit()
    return len(rows), sent


@shared_task(name="mail.deliver")
def deliver(ids: list[int]) -> int:
    """Deliver these outbox rows (queued after the commit that wrote them); returns how many
    were accepted. Idempotent: rows sent, taken by another run or not due are left alone."""
    return sum(deliver_rows(ids[start:start + BATCH_SIZE])[1]
               for start in range(0, len(ids), BATCH_SIZE))


@shared_task(name="mail.sweep")
def sweep() -> int:
    """Deliver every row that is due and was not delivered by its own task (Redis down when
    it was queued, a worker killed, a temporary refusal's wait over), a batch at a time, at
    most SWEEP_LIMIT (the next run takes the rest); returns how many were accepted."""
    sent = 0
    for _batch in range(SWEEP_LIMIT // BATCH_SIZE):
        claimed, accepted = deliver_rows(None)
        sent += accepted
        if claimed < BATCH_SIZE:
            break
    return sent


def failed(page: int, per_page: int):
    """Given-up messages, the latest first (the admins' page)."""
    return db.paginate(select(OutboxMail).where(OutboxMail.failed_dt.is_not(None))
                       .order_by(OutboxMail.failed_dt.desc(), OutboxMail.id.desc()),
                       page=page, per_page=per_page, error_out=False)


def waiting() -> int:
    """Messages neither accepted nor given up yet."""
    return db.session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.sent_dt.is_(None), OutboxMail.failed_dt.is_(None))) or 0
