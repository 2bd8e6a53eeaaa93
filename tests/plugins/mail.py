"""Fixture: outbox, the e-mails the app wrote to its outbox folder during the test."""

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
