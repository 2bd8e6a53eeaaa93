"""Helpers of the accounts' tests over HTTP (also the handles'): fresh reads of people, a
page's text and its field errors, redirects, links in e-mails, signing in, tokens made in
the past, the profile form."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

from itsdangerous import TimestampSigner
from sqlalchemy import select

from m100hub.accounts.models import User
from m100hub.extensions import db as _db
from tests.support import factories

LINK_RE = re.compile(r"http://localhost(/(?:confirm|password/reset)/[A-Za-z0-9_.\-]+)")


def fresh_scalar(statement):
    _db.session.expire_all()
    return _db.session.scalar(statement)


def reload(user_id: int) -> User | None:
    return fresh_scalar(select(User).where(User.id == user_id))


def text_of(response) -> str:
    return response.get_data(as_text=True)


def field_error(page: str, field: str) -> bool:
    return f'id="{field}-error"' in page


def suceava_id() -> int:
    return factories.city("suceava").id


def profile_data(**changes) -> dict:
    data = {"display_name": "Radu Nou", "handle": "radu.nou", "sector": "private",
            "home_city_id": str(suceava_id()), "locale": "en", "bio": "  Inginer de mediu.  "}
    data.update(changes)
    return data


def location(response) -> str:
    """The redirect target as path?query; it must stay on this host."""
    parts = urlsplit(response.headers["Location"])
    assert parts.scheme in ("", "http") and parts.netloc in ("", "localhost"), parts
    return parts.path + (f"?{parts.query}" if parts.query else "")


def mail_body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message) -> str:
    match = LINK_RE.search(mail_body(message))
    assert match, mail_body(message)
    return match.group(1)


def committed_user(db, **attrs) -> User:
    person = factories.user(**attrs)
    db.session.commit()
    return person


def sign_in(client, email, password=factories.PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def _token_made_hours_ago(monkeypatch, hours, make):
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp",
                        lambda self: int(time.time() - hours * 3600))
    try:
        return make()
    finally:
        monkeypatch.setattr(TimestampSigner, "get_timestamp", real)


def without_csrf(page: str) -> str:
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*"', r'\1"', page)

def signup_data(**changes) -> dict:
    data = {
        "display_name": "Ioana Munteanu",
        "email": "ioana.munteanu@example.ro",
        "password": "raul-suceava-verde-77",
        "confirm": "raul-suceava-verde-77",
        "sector": "civil",
        "home_city_id": str(suceava_id()),
        "locale": "en",
        "accept": "y",
    }
    data.update(changes)
    return data
