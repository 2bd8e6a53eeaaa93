"""The notification outbox and the notification centre."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from m100hub.database import utcnow
from m100hub.extensions import db as _db
from m100hub.notifications.models import Notification
from m100hub.notifications.services import notify
from tests.support import factories


def rows(db, *where) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(*where).order_by(Notification.id)))


def unread(db, user) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == user.id, Notification.read_dt.is_(None)))


def verified_note(recipient, org_name, slug="eco-suceava", created=None, read=False):
    """A ``membership_verified`` notification written straight to the table."""
    note = Notification(
        recipient_id=recipient.id, kind="membership_verified",
        payload={"org": org_name, "slug": slug, "reason": ""},
        created_dt=created or utcnow(), read_dt=utcnow() if read else None,
    )
    _db.session.add(note)
    _db.session.flush()
    return note


# --- notify() --------------------------------------------------------------------------


def test_notify_writes_one_row_per_recipient_and_skips_the_actor(db):
    actor, ana, dan = factories.user(), factories.user(), factories.user()
    org = factories.organisation()

    written = notify([ana, dan.id, actor, ana.id], "membership_requested", org, actor=actor,
                     payload={"org": org.name, "slug": org.slug, "person": actor.display_name})

    assert written == 2
    notes = rows(db, Notification.kind == "membership_requested")
    assert sorted(n.recipient_id for n in notes) == sorted([ana.id, dan.id])
    for note in notes:
        assert note.actor_id == actor.id
        assert note.target_type == "organisations" and note.target_id == org.id
        assert note.payload["org"] == org.name
        assert note.read_dt is None and note.digested_dt is None
        assert note.created_dt is not None
    assert rows(db, Notification.recipient_id == actor.id) == []


def test_notify_without_actor_or_target(db):
    ana = factories.user()
    assert notify([ana], "role_granted", payload={"role": "moderator"}) == 1
    (note,) = rows(db, Notification.recipient_id == ana.id)
    assert note.actor_id is None and note.target_type is None and note.target_id is None


def test_notify_nobody_writes_nothing(db):
    actor = factories.user()
    assert notify([], "role_granted", payload={"role": "admin"}) == 0
    assert notify([actor], "role_granted", actor=actor, payload={"role": "admin"}) == 0
    assert rows(db, Notification.recipient_id == actor.id) == []


def test_notify_rejects_unknown_kinds(db):
    ana = factories.user()
    with pytest.raises(ValueError, match="unknown notification kind"):
        notify([ana], "no_such_kind", payload={})
    assert rows(db, Notification.recipient_id == ana.id) == []


# --- the header badge ------------------------------------------------------------------


def test_header_badge_shows_the_unread_count(client, db, login_as):
    user = factories.user(locale="en")
    for i in range(3):
        verified_note(user, f"Org {i}")
    verified_note(user, "Old", read=True)
    verified_note(factories.user(), "Someone else's")
    login_as(user=user)

    page = client.get("/").get_data(as_text=True)

    assert re.search(r'<span class="badge" data-badge>3</span>', page)
    assert 'aria-label="Notifications, 3 unread"' in page


def test_the_live_badge_connects_under_the_hubs_prefix(client, db, login_as):
    login_as(user=factories.user())

    page = client.get("/", environ_overrides={"SCRIPT_NAME": "/hub"}).get_data(as_text=True)

    assert 'data-socket-path="/hub/socket.io"' in page


def test_header_badge_is_hidden_without_unread(client, db, login_as):
    user = factories.user(locale="en")
    verified_note(user, "Old", read=True)
    login_as(user=user)
    page = client.get("/").get_data(as_text=True)
    assert '<span class="badge" data-badge hidden>0</span>' in page
    assert 'aria-label="Notifications"' in page


# --- the centre ------------------------------------------------------------------------


def test_centre_lists_newest_first_and_paginates(client, db, login_as, app):
    assert app.config["PER_PAGE"] == 30
    user = factories.user(locale="en")
    start = utcnow() - timedelta(days=2)
    for i in range(31):
        verified_note(user, f"Org N{i:02d}", created=start + timedelta(minutes=i))
    verified_note(factories.user(), "Not mine")
    login_as(user=user)

    first = client.get("/notifications")

    assert first.status_code == 200
    page = first.get_data(as_text=True)
    assert page.count("has been verified.") == 30
    positions = [page.index(f"Your membership of Org N{i:02d} has been verified.")
                 for i in range(30, 0, -1)]
    assert positions == sorted(positions)  # newest first
    assert "Org N00" not in page
    assert "Not mine" not in page
    assert "Page 1 of 2" in page

    second = client.get("/notifications?page=2").get_data(as_text=True)
    assert second.count("has been verified.") == 1
    assert "Your membership of Org N00 has been verified." in second


def test_centre_is_empty_for_newcomers(client, login_as):
    login_as("citizen", locale="en")
    assert "You have no notifications yet." in client.get("/notifications").get_data(
        as_text=True)


def test_unknown_kinds_degrade_to_a_generic_line(client, db, login_as):
    user = factories.user(locale="en")
    _db.session.add(Notification(recipient_id=user.id, kind="retired_kind", payload={}))
    _db.session.add(Notification(recipient_id=user.id, kind="membership_verified", payload={}))
    login_as(user=user)
    response = client.get("/notifications")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("You have a new notification.") >= 2


def test_opening_marks_read_and_redirects_to_the_target(client, db, login_as):
    user = factories.user()
    org = factories.organisation()
    note = verified_note(user, org.name, slug=org.slug)
    other = verified_note(user, "Another")
    login_as(user=user)

    response = client.post(f"/notifications/{note.id}/open")

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/organisations/{org.slug}")
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_dt is not None
    assert db.session.get(Notification, other.id).read_dt is None
    assert unread(db, user) == 1


def test_opening_twice_keeps_the_first_read_time(client, db, login_as):
    user = factories.user()
    note = verified_note(user, "Eco")
    login_as(user=user)
    client.post(f"/notifications/{note.id}/open")
    db.session.expire_all()
    first = db.session.get(Notification, note.id).read_dt
    assert client.post(f"/notifications/{note.id}/open").status_code == 303
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_dt == first


def test_someone_elses_notification_is_404(client, db, login_as):
    owner = factories.user()
    note = verified_note(owner, "Eco")
    login_as("citizen")
    assert client.post(f"/notifications/{note.id}/open").status_code == 404
    assert client.post("/notifications/999999/open").status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_dt is None


def test_opening_needs_post(client, db, login_as):
    user = factories.user()
    note = verified_note(user, "Eco")
    login_as(user=user)
    assert client.get(f"/notifications/{note.id}/open").status_code == 405
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_dt is None


def test_read_all_marks_only_mine(client, db, login_as):
    user = factories.user()
    for i in range(4):
        verified_note(user, f"Org {i}")
    stranger = factories.user()
    verified_note(stranger, "Theirs")
    login_as(user=user)

    response = client.post("/notifications/read-all")

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/notifications")
    db.session.expire_all()
    assert unread(db, user) == 0
    assert unread(db, stranger) == 1
    page = client.get("/").get_data(as_text=True)
    assert '<span class="badge" data-badge hidden>0</span>' in page


def test_anonymous_is_sent_to_sign_in(client, db):
    owner = factories.user()
    note = verified_note(owner, "Eco")
    db.session.commit()
    response = client.get("/notifications")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    for url in (f"/notifications/{note.id}/open", "/notifications/read-all"):
        response = client.post(url)
        assert response.status_code == 303
        assert "/login" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_dt is None


def test_a_decision_reaches_the_person_in_their_language(client, db, login_as):
    org = factories.organisation("Eco Suceava")
    person = factories.user(locale="en")
    item = factories.membership(person, org, status="pending")
    login_as("admin")
    client.post(f"/memberships/{item.id}/decide",
                data={"decision": "reject", "reason": "Unknown to us"})
    login_as(user=person)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Your request to join Eco Suceava was declined: Unknown to us" in page
