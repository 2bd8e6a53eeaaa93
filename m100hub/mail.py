"""E-mail: built in the request (in the recipient's language), sent after the commit.

With ``MAIL_SERVER`` set, messages go out over SMTP from a Celery task; without it they are
written to ``instance/outbox/*.eml`` and their links printed on the console.
"""

from __future__ import annotations

import re
import smtplib
import time
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from celery import shared_task
from flask import current_app, render_template
from flask_babel import force_locale

from .celery_app import enqueue
from .database import after_commit

LINK_RE = re.compile(r"https?://\S+")


def compose(to: str, subject: str, template: str, locale: str, **context) -> dict:
    """Render a message in ``locale``; returns a plain dict (safe to pass to Celery). Add
    ``message["attachments"] = [(file name, MIME type, text)]`` to attach files."""
    with force_locale(locale):
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
        subject = str(subject)
    return {"to": to, "subject": subject, "text": text, "html": html}


def send_after_commit(message: dict) -> None:
    after_commit(lambda: enqueue(send_email, message))


def _build(message: dict) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = message["to"]
    msg["Subject"] = message["subject"]
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="m100hub")
    msg.set_content(message["text"])
    msg.add_alternative(message["html"], subtype="html")
    for name, mimetype, content in message.get("attachments", ()):
        maintype, subtype = mimetype.split("/", 1)
        msg.add_attachment(content.encode(), maintype=maintype, subtype=subtype, filename=name)
    return msg


def _write_outbox(msg: EmailMessage, text: str) -> Path:
    outbox = Path(current_app.config["MAIL_OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(bytes(msg))
    links = " ".join(LINK_RE.findall(text))
    current_app.logger.warning("E-mail to %s written to %s %s", msg["To"], path, links)
    print(f"[m100hub] e-mail to {msg['To']}: {msg['Subject']} → {path}\n  {links}", flush=True)
    return path


def deliver(message: dict) -> None:
    msg = _build(message)
    config = current_app.config
    if not config["MAIL_SERVER"]:
        _write_outbox(msg, message["text"])
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(msg)


@shared_task(autoretry_for=(OSError, smtplib.SMTPException), retry_backoff=True, max_retries=5)
def send_email(message: dict) -> None:
    deliver(message)
