"""Fixtures: outbox, the e-mails the app wrote to its outbox folder during the test; smtp, a
real SMTP server (aiosmtpd) in this process that the app sends to during the test."""

from __future__ import annotations

import shutil
from email import message_from_bytes, policy
from pathlib import Path

import pytest


@pytest.fixture
def outbox(app):
    """Messages written to the outbox folder during the test, parsed."""
    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    shutil.rmtree(folder, ignore_errors=True)

    def read():
        if not folder.exists():
            return []
        return [
            message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(folder.glob("*.eml"))
        ]

    return read


@pytest.fixture
def smtp(app, monkeypatch):
    """The app's MAIL_SERVER during the test: an aiosmtpd server on a free port, whose
    handler (tests.support.live.MailCatcher) counts what it accepts per recipient."""
    from aiosmtpd.controller import Controller

    from tests.support.live import MailCatcher, free_port

    catcher = MailCatcher()
    controller = Controller(catcher, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    yield catcher
    controller.stop()
