"""Passwords over HTTP: a forgotten one reset by an e-mailed link (once, in time, ending
other sessions), and changing one while signed in. Every refused input also checks that
nothing was written."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash

from m100hub.accounts import tokens
from m100hub.accounts.models import AddressRequest
from tests.support import factories
from tests.support.accounts import (
    _token_made_hours_ago,
    committed_user,
    field_error,
    link_in,
    location,
    reload,
    sign_in,
    text_of,
    without_csrf,
)

NEW_PASSWORD = "cer-senin-peste-suceava-41"


# ---------------------------------------------------------------- password reset


def test_forgot_password_answers_the_same_for_unknown_and_known_addresses(en, db, outbox):
    committed_user(db, email="radu@example.ro", locale="en")

    unknown = en.post("/password/forgot", data={"email": "nimeni@example.ro"})
    assert unknown.status_code == 200
    assert outbox() == []

    known = en.post("/password/forgot", data={"email": "Radu@Example.ro"})
    assert known.status_code == 200
    assert without_csrf(text_of(unknown)) == without_csrf(text_of(known))
    assert "Check your e-mail" in text_of(known)

    messages = outbox()
    assert len(messages) == 1
    assert messages[0]["To"] == "radu@example.ro"
    assert messages[0]["Subject"] == "Reset your M100 Hub password"
    assert link_in(messages[0]).startswith("/password/reset/")


def test_forgot_password_with_a_malformed_address_sends_nothing(en, db, outbox):
    response = en.post("/password/forgot", data={"email": "not-an-email"})
    assert response.status_code == 200
    assert field_error(text_of(response), "email")
    assert outbox() == []


def test_reset_link_works_once_and_the_old_password_stops_working(en, db, outbox):
    user = committed_user(db, email="radu@example.ro", locale="en")
    user_id, old_hash = user.id, user.password_hash
    en.post("/password/forgot", data={"email": "radu@example.ro"})
    link = link_in(outbox()[0])

    assert en.get(link).status_code == 200
    response = en.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert location(response) == "/login"
    new_hash = reload(user_id).password_hash
    assert new_hash != old_hash
    assert check_password_hash(new_hash, NEW_PASSWORD)

    # Second use of the same link.
    assert en.get(link).status_code == 400
    second = en.post(link, data={"password": "alta-parola-lunga-99", "confirm":
                                 "alta-parola-lunga-99"})
    assert second.status_code == 400
    assert "This link is not valid or has been used already." in text_of(second)
    assert reload(user_id).password_hash == new_hash

    # The old password fails, the new one works.
    assert sign_in(en, "radu@example.ro", factories.PASSWORD).status_code == 200
    assert en.get("/account").status_code == 302
    assert sign_in(en, "radu@example.ro", NEW_PASSWORD).status_code == 302
    assert en.get("/account").status_code == 200


def test_reset_confirms_an_unconfirmed_address(en, db, outbox):
    user = committed_user(db, email="radu@example.ro", confirmed=False)
    user_id = user.id
    en.post("/password/forgot", data={"email": "radu@example.ro"})
    link = link_in(outbox()[0])
    response = en.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert reload(user_id).is_confirmed


def test_reset_ends_existing_sessions(app, en, db, outbox, login_as):
    user = committed_user(db, email="radu@example.ro")
    elsewhere = app.test_client()
    login_as(user=user, client_=elsewhere)
    assert elsewhere.get("/account").status_code == 200

    en.post("/password/forgot", data={"email": "radu@example.ro"})
    en.post(link_in(outbox()[0]), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert elsewhere.get("/account").status_code == 302


@pytest.mark.parametrize(
    ("password", "confirm", "field"),
    [("short", "short", "password"), ("password123", "password123", "password"),
     (NEW_PASSWORD, NEW_PASSWORD + "x", "confirm"), ("", "", "password"),
     ("radu.ionescu-la-munte", "radu.ionescu-la-munte", "password"),
     ("raduionescu", "raduionescu", "password")],
)
def test_reset_refuses_a_bad_new_password(en, db, outbox, password, confirm, field):
    user = committed_user(db, email="radu.ionescu@example.ro", name="Radu Ionescu")
    user_id, old_hash = user.id, user.password_hash
    en.post("/password/forgot", data={"email": "radu.ionescu@example.ro"})
    link = link_in(outbox()[0])

    response = en.post(link, data={"password": password, "confirm": confirm})
    assert response.status_code == 200
    assert field_error(text_of(response), field)
    assert reload(user_id).password_hash == old_hash
    assert en.get(link).status_code == 200  # the link still works


def test_expired_or_forged_reset_tokens_are_refused(app, en, db, monkeypatch):
    user = committed_user(db, email="radu@example.ro")
    user_id, old_hash = user.id, user.password_hash
    expired = _token_made_hours_ago(monkeypatch, 3, lambda: tokens.reset_token(user))
    forged = URLSafeTimedSerializer("wrong-key", salt=tokens.RESET_SALT).dumps(
        {"uid": user.id, "fp": user.password_hash[-12:]})
    confirm_purpose = tokens.confirm_token(user)
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}

    response = en.post(f"/password/reset/{expired}", data=data)
    assert response.status_code == 400
    assert "This link has expired." in text_of(response)
    assert en.post(f"/password/reset/{forged}", data=data).status_code == 400
    assert en.post(f"/password/reset/{confirm_purpose}", data=data).status_code == 400
    assert reload(user_id).password_hash == old_hash


# ---------------------------------------------------------------- change password


def test_change_password_with_a_wrong_current_password(app, client, db, login_as):
    user = login_as("citizen", locale="en")
    user_id, old_hash, old_token = user.id, user.password_hash, user.session_token
    other = app.test_client()
    login_as(user=user, client_=other)

    response = client.post("/account/password", data={
        "current": "nu-este-parola-mea", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 200
    page = text_of(response)
    assert field_error(page, "current")
    assert "The current password is wrong." in page
    after = reload(user_id)
    assert after.password_hash == old_hash
    assert after.session_token == old_token
    assert other.get("/account").status_code == 200


@pytest.mark.parametrize(
    ("password", "confirm", "field"),
    [("short", "short", "password"), (NEW_PASSWORD, "altceva-lung-123", "confirm"),
     ("password123", "password123", "password"), ("", "", "password")],
)
def test_change_password_refuses_a_bad_new_password(client, db, login_as, password, confirm,
                                                     field):
    user = login_as("citizen")
    user_id, old_hash = user.id, user.password_hash
    response = client.post("/account/password", data={
        "current": factories.PASSWORD, "password": password, "confirm": confirm})
    assert response.status_code == 200
    assert field_error(text_of(response), field)
    assert reload(user_id).password_hash == old_hash


def test_change_password_refuses_the_persons_name_or_email(client, db, login_as):
    user = login_as("citizen", name="Radu Ionescu", email="radu.ionescu@example.ro")
    user_id, old_hash = user.id, user.password_hash
    for weak in ("raduionescu", "radu.ionescu-2035"):
        response = client.post("/account/password", data={
            "current": factories.PASSWORD, "password": weak, "confirm": weak})
        assert response.status_code == 200
        assert field_error(text_of(response), "password"), weak
    assert reload(user_id).password_hash == old_hash


def test_change_password_ends_the_other_sessions_only(app, client, db, login_as):
    user = login_as("citizen", locale="en")
    user_id, old_token = user.id, user.session_token
    other = app.test_client()
    login_as(user=user, client_=other)
    assert other.get("/account").status_code == 200

    response = client.post("/account/password", data={
        "current": factories.PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert location(response) == "/account"

    after = reload(user_id)
    assert check_password_hash(after.password_hash, NEW_PASSWORD)
    assert after.session_token != old_token

    assert client.get("/account").status_code == 200  # this session goes on
    ended = other.get("/account")
    assert ended.status_code == 302
    assert urlsplit(location(ended)).path == "/login"
    assert parse_qs(urlsplit(location(ended)).query)["next"] == ["/account"]


def test_change_password_keeps_this_devices_remember_cookie_and_ends_the_others(app, en, db):
    committed_user(db, email="radu@example.ro", locale="en")
    other = app.test_client()
    assert sign_in(en, "radu@example.ro", remember="y").status_code == 302
    assert sign_in(other, "radu@example.ro", remember="y").status_code == 302

    response = en.post("/account/password", data={
        "current": factories.PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302

    # Both browsers restart: only the remember cookie is left.
    en.delete_cookie("session")
    other.delete_cookie("session")
    assert en.get("/account").status_code == 200
    assert other.get("/account").status_code == 302


def test_forgot_password_does_the_same_work_for_known_and_unknown_addresses(en, db, monkeypatch):
    from m100hub.accounts import services

    queued = []
    monkeypatch.setattr(services, "enqueue", lambda task, *args: queued.append((task.name, args)))
    committed_user(db, email="stie@example.ro")
    known = en.post("/password/forgot", data={"email": "Stie@Example.ro"})
    unknown = en.post("/password/forgot", data={"email": "nimeni@example.ro"})
    assert text_of(known) == text_of(unknown)
    # one request row each (the typed address, lower-cased), and one task with its id
    requests = db.session.execute(select(AddressRequest.id, AddressRequest.kind,
                                         AddressRequest.email)
                                  .order_by(AddressRequest.id)).all()
    assert [(kind, email) for _id, kind, email in requests] == [
        ("reset", "stie@example.ro"), ("reset", "nimeni@example.ro")]
    assert queued == [("accounts.answer_address_requests", ([request_id],))
                      for request_id, _kind, _email in requests]
