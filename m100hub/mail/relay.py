"""How a message leaves: through SMTP (``MAIL_SERVER``), or as a file in the outbox folder in
development. ``transport()`` opens one connection for a run of the outbox (a batch); ``kept()``
is this process's connection kept open from one task to the next, for the tasks that write
and send one e-mail each, many in a row (the digests: see ``mail.send_now``).

A kept connection is checked (NOOP) before a message when it has been idle for
KEPT_IDLE_SECONDS (the server may have closed it meanwhile) and reopened if it answers no
more. When the relay cannot be reached, the process does not try again for
MAIL_BACKOFF_SECONDS: a relay that drops packets would otherwise hold every task
SMTP_TIMEOUT seconds; the messages meanwhile are left to the outbox's sweep. A process that
exits says goodbye (QUIT) on the kept connections it opened, waiting EXIT_TIMEOUT at most.
"""

from __future__ import annotations

import atexit
import os
import re
import smtplib
import threading
import time
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from pathlib import Path

from flask import current_app

LINK_RE = re.compile(r"https?://\S+")
SMTP_TIMEOUT = 30
#: a kept connection idle this long is checked (NOOP, one round trip) before it is used
KEPT_IDLE_SECONDS = 5.0


def _write_file(msg: Message, text_part: str) -> None:
    outbox = Path(current_app.config["MAIL_OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(bytes(msg))
    links = " ".join(LINK_RE.findall(text_part))
    current_app.logger.warning("E-mail to %s written to %s %s", msg["To"], path, links)
    print(f"[m100hub] e-mail to {msg['To']}: {msg['Subject']} → {path}\n  {links}", flush=True)


class FileTransport:
    """Development without a mail server: each message a file in the outbox folder."""

    def send(self, msg: Message, text_part: str) -> None:
        _write_file(msg, text_part)


class RelayDown(OSError):
    """The relay could not be reached a moment ago: not tried again yet (``kept()``)."""


class SMTPTransport:
    """One SMTP connection, opened at the first message, reopened if it drops."""

    def __init__(self):
        self.smtp: smtplib.SMTP | None = None
        #: when it last answered (time.monotonic())
        self.used = 0.0
        self.pid = os.getpid()

    def _connect(self) -> smtplib.SMTP:
        config = current_app.config
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT)
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        return smtp

    def open(self) -> smtplib.SMTP:
        if self.smtp is None:
            self.smtp = self._connect()
        return self.smtp

    def send(self, msg: Message, text_part: str) -> None:
        smtp = self.open()
        try:
            smtp.send_message(msg)
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()
            raise
        self.used = time.monotonic()

    def check(self) -> None:
        """Close the connection if it has been idle a while and no longer answers."""
        if self.smtp is None or time.monotonic() - self.used < KEPT_IDLE_SECONDS:
            return
        try:
            alive = self.smtp.noop()[0] == 250
        except (smtplib.SMTPException, OSError):
            alive = False
        if not alive:
            self.smtp.close()
            self.smtp = None

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


@contextmanager
def transport() -> Iterator[FileTransport | SMTPTransport]:
    if not current_app.config["MAIL_SERVER"]:
        yield FileTransport()
        return
    smtp = SMTPTransport()
    try:
        yield smtp
    finally:
        smtp.close()


class _Kept(threading.local):
    """Per thread (a threads pool) of a process (prefork: each pool process its own; a forked
    child does not use its parent's)."""

    #: the process and the relay (server, port, user) the connection was opened for
    owner: tuple = ()
    smtp: SMTPTransport | None = None
    #: the relay could not be reached: not tried again before this (time.monotonic())
    down_until = 0.0


_kept = _Kept()
#: every thread's kept connection, each said goodbye to (QUIT) when this process exits
_every_kept: weakref.WeakSet[SMTPTransport] = weakref.WeakSet()
#: at exit, a relay that no longer answers holds the process this long at most
EXIT_TIMEOUT = 2.0


@atexit.register
def _close_kept() -> None:
    for smtp in list(_every_kept):
        if smtp.pid == os.getpid():  # a forked child's copies are its parent's to close
            if smtp.smtp is not None and smtp.smtp.sock is not None:
                smtp.smtp.sock.settimeout(EXIT_TIMEOUT)
            smtp.close()


class KeptTransport:
    """This process's connection, kept open across tasks (see the module's docstring)."""

    def send(self, msg: Message, text_part: str) -> None:
        config = current_app.config
        owner = (os.getpid(), config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_USERNAME"])
        if _kept.owner != owner or _kept.smtp is None:
            if _kept.smtp is not None and _kept.owner[0] == owner[0]:
                _kept.smtp.close()  # another relay (tests): this one is not used again
            _kept.owner, _kept.smtp, _kept.down_until = owner, SMTPTransport(), 0.0
            _every_kept.add(_kept.smtp)
        if time.monotonic() < _kept.down_until:
            raise RelayDown("the relay did not answer a moment ago")
        _kept.smtp.check()
        try:
            _kept.smtp.open()
        except (smtplib.SMTPException, OSError):  # no connection: let the relay be a while
            _kept.down_until = time.monotonic() + config["MAIL_BACKOFF_SECONDS"]
            raise
        _kept.smtp.send(msg, text_part)


def kept() -> FileTransport | KeptTransport:
    """This process's transport for one message at a time, its connection kept open."""
    return KeptTransport() if current_app.config["MAIL_SERVER"] else FileTransport()
