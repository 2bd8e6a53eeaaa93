"""Helpers of the tests that notify people on a running hub (tests/support/live.py): an
account's id, a signed-in HTTP session, and an administrator who notifies a person by
changing their roles."""

from __future__ import annotations

import requests
from sqlalchemy import create_engine, text

from tests.support.factories import PASSWORD
from tests.support.live import csrf_token, sign_in

UA = "m100-notifying-test"


def signed_in(base: str, email: str) -> requests.Session:
    """A signed-in session that has accepted the current terms (accounts made on the command
    line have not yet)."""
    session = requests.Session()
    session.headers["User-Agent"] = UA
    sign_in(session, base, email, PASSWORD)
    accept = session.get(f"{base}/terms/accept")
    session.post(f"{base}/terms/accept", data={"csrf_token": csrf_token(accept.text),
                                               "accept": "y"})
    return session


def user_id(stack, email: str) -> int:
    engine = create_engine(stack.database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT id FROM users WHERE email = :e"), {"e": email}
                                ).scalar_one()
    finally:
        engine.dispose()


class Admin:
    """An administrator signed in on one process, who notifies a person by granting and
    revoking their moderator role by turns (each change is a notification)."""

    def __init__(self, base: str, email: str, person: int):
        self.base, self.person, self.granted = base, person, False
        self.session = signed_in(base, email)

    def notify(self) -> None:
        self.granted = not self.granted
        page = self.session.get(f"{self.base}/admin/people")
        response = self.session.post(
            f"{self.base}/admin/people/{self.person}/roles",
            data={"csrf_token": csrf_token(page.text), "role": "moderator",
                  "grant": "1" if self.granted else "0"}, timeout=30)
        assert response.status_code == 200
