"""Accounts over HTTP: sign-up and confirmation, sign-in, sign-out, profile editing and
public profiles. Every refused input also checks that nothing was written.

Password reset and change: test_password_changes.py."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select, text
from werkzeug.security import check_password_hash

from m100hub.accounts import tokens
from m100hub.accounts.models import Sector, User
from tests.support import factories
from tests.support.accounts import (
    _token_made_hours_ago,
    committed_user,
    field_error,
    fresh_scalar,
    link_in,
    location,
    profile_data,
    reload,
    sign_in,
    signup_data,
    suceava_id,
    text_of,
    without_csrf,
)

# ---------------------------------------------------------------- helpers


def user_count() -> int:
    return fresh_scalar(select(func.count()).select_from(User))


def by_email(email: str) -> User | None:
    return fresh_scalar(select(User).where(func.lower(User.email) == email.lower()))




# ---------------------------------------------------------------- sign-up and confirmation


def test_signup_creates_an_unconfirmed_account_and_mails_a_link(en, db, outbox):
    before = user_count()
    response = en.post("/signup", data=signup_data(email="  Ioana.Munteanu@Example.RO "))

    assert response.status_code == 200
    assert "Check your e-mail" in text_of(response)
    assert user_count() == before + 1
    user = by_email("ioana.munteanu@example.ro")
    assert user.email == "ioana.munteanu@example.ro"  # stored lower-cased and stripped
    assert user.display_name == "Ioana Munteanu"
    assert user.sector == Sector.CIVIL
    assert user.home_city_id == suceava_id()
    assert user.locale == "en"
    assert user.email_confirmed_dt is None
    assert user.password_hash != "raul-suceava-verde-77"
    assert check_password_hash(user.password_hash, "raul-suceava-verde-77")

    messages = outbox()
    assert len(messages) == 1
    assert messages[0]["To"] == "ioana.munteanu@example.ro"
    assert messages[0]["Subject"] == "Confirm your e-mail address for M100 Hub"
    assert link_in(messages[0]).startswith("/confirm/")


def test_signup_without_home_city_is_accepted(en, db, outbox):
    response = en.post("/signup", data=signup_data(home_city_id="0"))
    assert response.status_code == 200
    assert by_email("ioana.munteanu@example.ro").home_city_id is None


def test_opening_the_confirmation_link_confirms_the_account(en, db, outbox):
    en.post("/signup", data=signup_data())
    link = link_in(outbox()[0])
    user_id = by_email("ioana.munteanu@example.ro").id

    # Opening the link (a GET, as mail scanners do too) only shows the button.
    page = en.get(link)
    assert page.status_code == 200
    assert "Confirm my e-mail address" in text_of(page)
    assert reload(user_id).email_confirmed_dt is None

    # Pressing the button confirms and signs the person in: no second step.
    response = en.post(link)
    assert response.status_code == 302
    assert location(response) == "/"
    assert reload(user_id).email_confirmed_dt is not None
    home = text_of(en.get("/"))
    assert "Thank you, your e-mail address is confirmed. Welcome, Ioana Munteanu!" in home
    assert en.get("/account").status_code == 200

    # The link signs in once only: pressed again after signing out (or by whoever else
    # has it) it confirms nothing more and asks to sign in.
    confirmed = reload(user_id).email_confirmed_dt
    en.post("/logout")
    response = en.post(link)
    assert location(response) == "/login"
    assert reload(user_id).email_confirmed_dt == confirmed
    assert "Please sign in." in text_of(en.get("/login"))
    assert location(en.get("/account")).startswith("/login")
    signed_in = sign_in(en, "ioana.munteanu@example.ro", "raul-suceava-verde-77")
    assert signed_in.status_code == 302
    assert en.get("/account").status_code == 200


def test_an_old_confirmation_link_confirms_but_does_not_sign_in(en, db, monkeypatch):
    user = committed_user(db, confirmed=False)
    user_id = user.id
    # CONFIRM_SIGN_IN_MAX_AGE is 2 hours: a link of 3 hours still confirms (48 hours)
    token = _token_made_hours_ago(monkeypatch, 3, lambda: tokens.confirm_token(user))

    response = en.post(f"/confirm/{token}")

    assert location(response) == "/login"
    assert reload(user_id).email_confirmed_dt is not None
    assert location(en.get("/account")).startswith("/login")


def test_a_confirmation_link_never_switches_the_signed_in_account(client, db, login_as):
    other = committed_user(db, confirmed=False)
    other_id = other.id
    me = login_as("citizen")
    response = client.post(f"/confirm/{tokens.confirm_token(other)}")
    assert location(response) == "/"
    assert reload(other_id).is_confirmed
    with client.session_transaction() as session:
        assert session["_user_id"] == me.get_id()


def test_a_refused_or_merely_opened_link_signs_nobody_in(en, db):
    user = committed_user(db, confirmed=False)
    token = tokens.confirm_token(user)
    assert en.get(f"/confirm/{token}").status_code == 200  # the page with the button
    assert en.post(f"/confirm/{token}x").status_code == 400
    assert location(en.get("/account")).startswith("/login")


def test_confirmation_link_while_signed_in_goes_home(client, db, login_as):
    user = login_as("unconfirmed")
    user_id = user.id
    response = client.post(f"/confirm/{tokens.confirm_token(user)}")
    assert response.status_code == 302
    assert location(response) == "/"
    assert reload(user_id).is_confirmed


def _serializer(key, salt=tokens.CONFIRM_SALT):
    return URLSafeTimedSerializer(key, salt=salt)


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda app, u: _serializer("not-the-secret-key").dumps(
            {"uid": u.id, "email": u.email}), id="wrong-key"),
        pytest.param(lambda app, u: _serializer(app.config["SECRET_KEY"], tokens.RESET_SALT)
                     .dumps({"uid": u.id, "email": u.email}), id="reset-salt"),
        pytest.param(lambda app, u: _serializer(app.config["SECRET_KEY"]).dumps(
            {"uid": str(u.id), "email": u.email}), id="uid-not-int"),
        pytest.param(lambda app, u: _serializer(app.config["SECRET_KEY"]).dumps(
            [u.id, u.email]), id="not-a-dict"),
        pytest.param(lambda app, u: _serializer(app.config["SECRET_KEY"]).dumps(
            {"uid": u.id + 100000, "email": u.email}), id="unknown-account"),
        pytest.param(lambda app, u: _serializer(app.config["SECRET_KEY"]).dumps(
            {"uid": u.id}), id="no-email"),
        pytest.param(lambda app, u: tokens.confirm_token(u)[:-3] + "AAA", id="tampered"),
        pytest.param(lambda app, u: "not-a-token", id="garbage"),
    ],
)
def test_forged_confirmation_tokens_are_refused(app, en, db, forge):
    user = committed_user(db, confirmed=False)
    user_id = user.id
    for send in (en.get, en.post):
        response = send(f"/confirm/{forge(app, user)}")
        assert response.status_code == 400
        assert "This link is not valid." in text_of(response)
    assert reload(user_id).email_confirmed_dt is None


def test_expired_confirmation_token_is_refused(en, db, monkeypatch):
    user = committed_user(db, confirmed=False)
    user_id = user.id
    # EMAIL_TOKEN_MAX_AGE is 48 hours: 47 hours old still works, 49 hours old does not.
    old = _token_made_hours_ago(monkeypatch, 49, lambda: tokens.confirm_token(user))
    recent = _token_made_hours_ago(monkeypatch, 47, lambda: tokens.confirm_token(user))

    response = en.get(f"/confirm/{old}")
    assert response.status_code == 400
    assert "This link has expired." in text_of(response)
    assert reload(user_id).email_confirmed_dt is None

    assert en.post(f"/confirm/{recent}").status_code == 302
    assert reload(user_id).email_confirmed_dt is not None


def test_confirmation_max_age_comes_from_the_configuration(app, en, db, monkeypatch):
    user = committed_user(db, confirmed=False)
    user_id = user.id
    token = _token_made_hours_ago(monkeypatch, 1, lambda: tokens.confirm_token(user))
    monkeypatch.setitem(app.config, "EMAIL_TOKEN_MAX_AGE", 60)
    assert en.get(f"/confirm/{token}").status_code == 400
    assert reload(user_id).email_confirmed_dt is None


def test_confirmation_token_for_a_previous_email_is_refused(en, db):
    user = committed_user(db, confirmed=False, email="vechi@example.ro")
    user_id = user.id
    token = tokens.confirm_token(user)
    user.email = "nou@example.ro"
    db.session.commit()

    response = en.post(f"/confirm/{token}")
    assert response.status_code == 400
    assert reload(user_id).email_confirmed_dt is None


@pytest.mark.parametrize("typed", ["ana.pop@example.ro", "ANA.POP@EXAMPLE.RO", "Ana.Pop@example.ro",
                                   "  ana.pop@example.ro  "])
def test_signup_with_a_taken_email_in_any_letter_case(en, db, outbox, typed):
    """The page says what any sign-up says (no account enumeration); the owner is told."""
    committed_user(db, email="ana.pop@example.ro")
    before = user_count()
    fresh = text_of(en.post("/signup", data=signup_data(email="nou.venit@example.ro")))

    response = en.post("/signup", data=signup_data(email=typed))
    assert response.status_code == 200
    page = text_of(response)
    assert "already exists" not in page and not field_error(page, "email")
    assert page == fresh.replace("nou.venit@example.ro", "ana.pop@example.ro")
    assert user_count() == before + 1
    assert fresh_scalar(select(func.count()).select_from(User)
                        .where(func.lower(User.email) == "ana.pop@example.ro")) == 1
    [message] = [m for m in outbox() if m["To"] == "ana.pop@example.ro"]
    assert "/password/forgot" in message.get_body(("plain",)).get_content()


def test_a_sign_up_sent_twice_makes_one_account_and_one_e_mail(en, db, outbox):
    """A double click or a retried request: the second sign-up finds the account the first
    just made; its confirmation e-mail is on its way, and the owner is not told that
    "someone" tried to sign up (issue 12)."""
    before = user_count()
    first = en.post("/signup", data=signup_data())
    second = en.post("/signup", data=signup_data())
    assert text_of(first) == text_of(second)
    assert user_count() == before + 1
    [message] = outbox()
    assert message["Subject"] == "Confirm your e-mail address for M100 Hub"


def test_a_sign_up_repeated_later_tells_the_unconfirmed_owner(en, db, outbox, monkeypatch):
    from m100hub.accounts import services

    en.post("/signup", data=signup_data())
    monkeypatch.setattr(services, "SIGNUP_REPEAT_SECONDS", 0)
    en.post("/signup", data=signup_data())
    subjects = [message["Subject"] for message in outbox()]
    assert subjects == ["Confirm your e-mail address for M100 Hub",
                        "Someone tried to sign up with your address on M100 Hub"]


def _refused_signup(client, outbox, field, **changes):
    before = user_count()
    response = client.post("/signup", data=signup_data(**changes))
    assert response.status_code == 200
    page = text_of(response)
    assert field_error(page, field), page
    assert 'class="error-summary"' in page
    assert user_count() == before
    assert by_email("ioana.munteanu@example.ro") is None
    assert outbox() == []
    return page


@pytest.mark.parametrize("email", ["not-an-email", "ioana@", "@example.ro", "ioana munteanu@ex.ro",
                                   "ioana@@example.ro", "a" * 250 + "@example.ro"])
def test_signup_refuses_a_malformed_email(en, db, outbox, email):
    before = user_count()
    response = en.post("/signup", data=signup_data(email=email))
    assert response.status_code == 200
    assert field_error(text_of(response), "email")
    assert user_count() == before
    assert outbox() == []


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1!", "Use at least 10 characters."),
        ("password123", "This password is too common; choose another one."),
        ("Password123", "This password is too common; choose another one."),
        ("qwertyuiop", "This password is too common; choose another one."),
        ("ioanamunteanu", "Do not use your name or e-mail address in the password."),
        ("Ioana Munteanu", None),  # name with its space: refused too (see the policy)
        ("ioana.munteanu-2035", "Do not use your name or e-mail address in the password."),
        ("x" * 129, "Use at most 128 characters."),
    ],
)
def test_signup_refuses_a_weak_password(en, db, outbox, password, message):
    page = _refused_signup(en, outbox, "password", password=password, confirm=password)
    if message:
        assert message in page


def test_signup_refuses_mismatched_passwords(en, db, outbox):
    page = _refused_signup(en, outbox, "confirm", confirm="raul-suceava-verde-78")
    assert "The passwords differ." in page


def test_signup_refuses_a_display_name_of_81_characters(en, db, outbox):
    _refused_signup(en, outbox, "display_name", display_name="N" * 81)


def test_signup_accepts_a_display_name_of_80_characters(en, db, outbox):
    assert en.post("/signup", data=signup_data(display_name="N" * 80)).status_code == 200
    assert by_email("ioana.munteanu@example.ro").display_name == "N" * 80


@pytest.mark.parametrize("field", ["display_name", "email", "password", "confirm", "sector",
                                   "locale"])
def test_signup_refuses_an_empty_field(en, db, outbox, field):
    _refused_signup(en, outbox, field, **{field: ""})


def test_signup_refuses_blank_display_name(en, db, outbox):
    _refused_signup(en, outbox, "display_name", display_name="    ")


def test_signup_with_every_field_empty(en, db, outbox):
    before = user_count()
    response = en.post("/signup", data={})
    assert response.status_code == 200
    page = text_of(response)
    for field in ("display_name", "email", "password", "confirm", "sector"):
        assert field_error(page, field), field
    assert user_count() == before
    assert outbox() == []


@pytest.mark.parametrize("city", ["999999", "-1", "abc", "1.5", "99999999999999999999"])
def test_signup_refuses_an_unknown_or_malformed_city(en, db, outbox, city):
    _refused_signup(en, outbox, "home_city_id", home_city_id=city)


@pytest.mark.parametrize("sector", ["martian", "CIVIL", "0"])
def test_signup_refuses_an_unknown_sector(en, db, outbox, sector):
    _refused_signup(en, outbox, "sector", sector=sector)


def test_signup_refuses_an_unknown_language(en, db, outbox):
    _refused_signup(en, outbox, "locale", locale="fr")


def test_signup_page_redirects_a_signed_in_person(client, db, login_as):
    login_as("citizen")
    before = user_count()
    response = client.post("/signup", data=signup_data())
    assert response.status_code == 302
    assert user_count() == before


# ---------------------------------------------------------------- sign-in and sign-out


def test_sign_in_redirects_to_a_safe_next(en, db):
    committed_user(db, email="radu@example.ro", locale="en")
    response = sign_in(en, "radu@example.ro", next="/account?tab=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account?tab=1"

    page = en.get("/account")
    assert page.status_code == 200
    assert "radu@example.ro" in text_of(page)


def test_sign_in_ignores_letter_case_of_the_email(en, db):
    committed_user(db, email="radu@example.ro")
    response = sign_in(en, "  RADU@Example.RO ")
    assert response.status_code == 302
    assert en.get("/account").status_code == 200


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example",
     "javascript:alert(1)", "http:/evil.example", "/\t/evil.example", "evil.example",
     "https://localhost.evil.example/account", ""],
)
def test_sign_in_ignores_an_external_next(en, db, next_url):
    committed_user(db, email="radu@example.ro")
    response = sign_in(en, "radu@example.ro", next=next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    # ... also when already signed in and the next comes in the query string.
    again = en.get("/login", query_string={"next": next_url})
    assert again.status_code == 302
    assert again.headers["Location"] == "/"


def test_login_page_keeps_only_a_safe_next(en, db):
    page = text_of(en.get("/login", query_string={"next": "//evil.example/x"}))
    assert 'name="next" value="/"' in page
    assert 'name="next" value="//evil' not in page
    page = text_of(en.get("/login", query_string={"next": "/account"}))
    assert 'name="next" value="/account"' in page


def _error_message(page: str) -> str:
    match = re.search(r'<p class="error" role="alert">([^<]*)</p>', page)
    assert match, page
    return match.group(1)


def test_wrong_password_and_unknown_email_look_the_same(en, db):
    committed_user(db, email="radu@example.ro")
    before = user_count()

    wrong_password = sign_in(en, "radu@example.ro", "nu-e-parola-mea-123")
    unknown_email = sign_in(en, "nimeni@example.ro", "nu-e-parola-mea-123")

    assert wrong_password.status_code == unknown_email.status_code == 200
    a, b = text_of(wrong_password), text_of(unknown_email)
    assert _error_message(a) == _error_message(b) == "The e-mail address or the password is wrong."
    # Apart from the address typed back into the form (and the time-stamped CSRF tokens of
    # the page's other forms), the two pages are identical.
    assert without_csrf(a).replace("radu@example.ro", "X") == without_csrf(b).replace(
        "nimeni@example.ro", "X")
    assert en.get("/account").status_code == 302  # still signed out
    assert user_count() == before


@pytest.mark.parametrize("data", [{}, {"email": "radu@example.ro"}, {"password": "x" * 20},
                                  {"email": "radu@example.ro", "password": "x" * 129}])
def test_sign_in_with_missing_or_oversized_fields(en, db, data):
    committed_user(db, email="radu@example.ro")
    response = en.post("/login", data=data)
    assert response.status_code == 200
    assert 'class="error"' in text_of(response)
    assert en.get("/account").status_code == 302


def test_remember_me_sets_a_remember_cookie(en, db):
    committed_user(db, email="radu@example.ro")
    response = sign_in(en, "radu@example.ro", remember="y")
    assert response.status_code == 302
    cookie = en.get_cookie("remember_token")
    assert cookie is not None and cookie.value
    assert cookie.http_only
    assert cookie.same_site == "Lax"

    # The remember cookie alone signs the person in again (a new browser session).
    en.delete_cookie("session")
    assert en.get("/account").status_code == 200


def test_signing_out_ends_copied_session_and_remember_cookies(app, en, db):
    committed_user(db, email="radu@example.ro")
    assert sign_in(en, "radu@example.ro", remember="y").status_code == 302
    session, remember = en.get_cookie("session").value, en.get_cookie("remember_token").value
    thief = app.test_client()
    thief.set_cookie("session", session)
    assert thief.get("/account").status_code == 200  # the copy works before signing out
    assert en.post("/logout").status_code == 302
    assert thief.get("/account").status_code == 302  # … and not after
    with_remember = app.test_client()
    with_remember.set_cookie("remember_token", remember)
    assert with_remember.get("/account").status_code == 302
    assert sign_in(en, "radu@example.ro").status_code == 302  # signing in again works
    assert en.get("/account").status_code == 200


def test_without_remember_me_there_is_no_remember_cookie(en, db):
    committed_user(db, email="radu@example.ro")
    assert sign_in(en, "radu@example.ro").status_code == 302
    assert en.get_cookie("remember_token") is None
    en.delete_cookie("session")
    assert en.get("/account").status_code == 302


def test_sign_out_requires_post(client, db, login_as):
    login_as("citizen")
    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200

    response = client.post("/logout")
    assert response.status_code == 302
    assert location(response) == "/"
    after = client.get("/account")
    assert after.status_code == 302
    assert location(after).startswith("/login")


# ---------------------------------------------------------------- edit profile


def test_edit_profile_saves(client, db, login_as):
    user = login_as("citizen", email="radu@example.ro")
    user_id = user.id
    assert client.get("/account").status_code == 200

    response = client.post("/account", data=profile_data())
    assert response.status_code == 302
    assert location(response) == "/account"
    after = reload(user_id)
    assert after.display_name == "Radu Nou" and after.handle == "radu.nou"
    assert after.sector == Sector.PRIVATE
    assert after.home_city_id == suceava_id()
    assert after.locale == "en"
    assert after.bio == "Inginer de mediu."
    assert after.email == "radu@example.ro"
    assert client.get_cookie("lang").value == "en"
    assert '<html lang="en">' in text_of(client.get("/account"))


def test_edit_profile_can_clear_the_home_city(client, db, login_as):
    user = login_as("citizen", home_city_id=suceava_id())
    user_id = user.id
    assert client.post("/account", data=profile_data(home_city_id="0")).status_code == 302
    assert reload(user_id).home_city_id is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"display_name": ""}, "display_name"), ({"display_name": "   "}, "display_name"),
     ({"display_name": "N" * 81}, "display_name"), ({"display_name": "N"}, "display_name"),
     ({"sector": "martian"}, "sector"), ({"sector": ""}, "sector"),
     ({"locale": "fr"}, "locale"), ({"locale": ""}, "locale"),
     ({"home_city_id": "999999"}, "home_city_id"), ({"home_city_id": "abc"}, "home_city_id"),
     ({"bio": "x" * 501}, "bio")],
)
def test_edit_profile_refuses_bad_input(client, db, login_as, changes, field):
    user = login_as("citizen", name="Radu Vechi")
    user_id = user.id
    before = (user.display_name, user.handle, user.sector, user.home_city_id, user.locale,
              user.bio)

    response = client.post("/account", data=profile_data(**changes))
    assert response.status_code == 200
    assert field_error(text_of(response), field)
    after = reload(user_id)
    assert (after.display_name, after.handle, after.sector, after.home_city_id, after.locale,
            after.bio) == before
    assert client.get_cookie("lang") is None


def test_edit_profile_needs_a_signed_in_person(client, db):
    before = user_count()
    response = client.post("/account", data=profile_data())
    assert response.status_code == 303
    assert urlsplit(location(response)).path == "/login"
    assert user_count() == before


# ---------------------------------------------------------------- public profile


def test_public_profile_shows_name_and_sector_but_never_the_email(en, db, login_as):
    person = committed_user(db, name="Radu Ionescu", email="radu.ionescu@example.ro",
                            sector="private", bio="Inginer.")
    person_id = person.id

    page = en.get(f"/u/{person_id}")
    assert page.status_code == 200
    text = text_of(page)
    assert "Radu Ionescu" in text
    assert "Private sector" in text
    assert "Inginer." in text
    assert "radu.ionescu@" not in text
    assert "example.ro" not in text

    login_as("citizen", locale="en")  # another person looking
    text = text_of(en.get(f"/u/{person_id}"))
    assert "Radu Ionescu" in text and "radu.ionescu@" not in text


def test_own_profile_does_not_show_the_email_either(client, db, login_as):
    user = login_as("citizen", email="eu.insumi@example.ro")
    page = client.get(f"/u/{user.id}")
    assert page.status_code == 200
    assert "eu.insumi@example.ro" not in text_of(page)


def test_unconfirmed_profile_is_hidden_from_others(app, client, db, login_as):
    person = committed_user(db, name="Neconfirmat", confirmed=False)
    person_id = person.id
    assert client.get(f"/u/{person_id}").status_code == 404

    viewer = app.test_client()
    login_as("citizen", client_=viewer)
    assert viewer.get(f"/u/{person_id}").status_code == 404

    login_as(user=person)  # the person sees their own page
    own = client.get(f"/u/{person_id}")
    assert own.status_code == 200
    assert "Neconfirmat" in text_of(own)


@pytest.mark.parametrize("path", ["/u/999999", "/u/0", "/u/-1", "/u/abc", "/u/2147483648",
                                  "/u/99999999999999999999"])
def test_unknown_profile_is_404(client, db, path):
    assert client.get(path).status_code == 404


def test_the_database_refuses_an_upper_case_email(db):
    from sqlalchemy.exc import IntegrityError

    factories.user(email="ok@example.ro")
    with pytest.raises(IntegrityError):
        db.session.execute(
            text("UPDATE users SET email = 'OK@EXAMPLE.RO' WHERE email = 'ok@example.ro'"))
    db.session.rollback()
