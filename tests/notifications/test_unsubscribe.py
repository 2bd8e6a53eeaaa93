"""One-click unsubscribe (RFC 8058) from the e-mail of notifications: the headers, a GET that
changes nothing, a POST without signing in that turns the e-mail off, and forged, altered or
expired links that change nothing and say so."""

from __future__ import annotations

import re

from sqlalchemy import select, update

from m100hub.database import utcnow
from m100hub.notifications import digests
from m100hub.notifications.models import Notification, NotificationPreference
from m100hub.notifications.services import notify
from tests.support import factories

LINK_RE = re.compile(r"<(http://localhost(/unsubscribe/[^>]+))>")


def digest_for(db, outbox, person) -> tuple[object, str]:
    """The person's daily digest of one reply, and the path of its unsubscribe link."""
    notify([person], "forum_reply", payload={"person": "Ion", "thread": "Fir", "post_id": 1})
    db.session.execute(update(Notification).values(created_dt=utcnow().replace(year=2025)))
    db.session.commit()
    assert digests.queue_digests.run() == 1
    [message] = [m for m in outbox() if m["To"] == person.email]
    return message, LINK_RE.match(message["List-Unsubscribe"]).group(2)


def choices(db, person) -> dict[str, str]:
    db.session.expire_all()
    return {p.kind: p.delivery for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == person.id))}


def test_the_digest_carries_one_click_unsubscribe(db, outbox):
    person = factories.user(locale="en")
    message, path = digest_for(db, outbox, person)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"http://localhost{path}" in message.get_body(("plain",)).get_content()
    assert f'href="http://localhost{path}"' in message.get_body(("html",)).get_content()


def test_get_only_asks(client, db, outbox):
    client.set_cookie("lang", "en")
    person = factories.user(locale="en")
    _message, path = digest_for(db, outbox, person)
    response = client.get(path)
    assert response.status_code == 200
    assert "Stop the daily digest e-mails?" in response.get_data(as_text=True)
    assert choices(db, person) == {}


def test_one_click_post_turns_the_digest_off_without_signing_in(client, db, outbox):
    client.set_cookie("lang", "en")
    person = factories.user(locale="en")
    _message, path = digest_for(db, outbox, person)
    notify([person], "forum_mention", payload={"person": "Ion", "thread": "Fir", "post_id": 2})
    db.session.commit()
    for _ in range(2):  # the mail client's one-click POST, then the person's own click
        response = client.post(path, data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        assert "you will no longer receive these e-mails" in response.get_data(as_text=True)
    chosen = choices(db, person)
    assert chosen["forum_reply"] == "app" and chosen["forum_mention"] == "app"
    assert "event_message" not in chosen  # e-mailed at once: another e-mail, left alone
    waiting = db.session.scalars(select(Notification).where(
        Notification.recipient_id == person.id, Notification.digested_dt.is_(None))).all()
    assert [n.delivery for n in waiting] == ["app"]


def test_forged_altered_and_expired_links_change_nothing(app, client, db, outbox,
                                                          monkeypatch):
    client.set_cookie("lang", "en")
    person = factories.user(locale="en")
    _message, path = digest_for(db, outbox, person)
    token = path.rsplit("/", 1)[1]
    altered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for bad in ("/unsubscribe/forged", f"/unsubscribe/{altered}",
                f"/unsubscribe/{token.replace('.', '', 1)}"):
        for method in ("GET", "POST"):
            response = client.open(bad, method=method)
            assert response.status_code == 400, bad
            assert "not valid" in response.get_data(as_text=True)
    monkeypatch.setitem(app.config, "UNSUBSCRIBE_TOKEN_DAYS", -1)
    response = client.post(path)
    assert response.status_code == 400 and "has expired" in response.get_data(as_text=True)
    assert choices(db, person) == {}
