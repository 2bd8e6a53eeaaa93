"""Helpers of the accounts' tests over HTTP (also the handles'): fresh reads of people, a
page's text and its field errors, the profile form."""

from __future__ import annotations

from sqlalchemy import select

from m100hub.accounts.models import User
from m100hub.extensions import db as _db
from tests.support import factories


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
