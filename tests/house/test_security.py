"""Security over HTTP: headers, cookies, CSRF, rate limits (also shared through Redis), the
production configuration check, safe redirects and the language switch."""

from __future__ import annotations

import random
import re
import uuid

import pytest
from flask import url_for
from limits import parse_many
from sqlalchemy import func, select

from m100hub import create_app
from m100hub.accounts.models import User
from m100hub.config import InsecureConfiguration, build_config, check_production
from m100hub.extensions import db as _db
from m100hub.extensions import limiter
from m100hub.security import is_safe_next, safe_next
from tests.support import factories
from tests.support.environment import base_config, database_url
from tests.support.web import session_identifier

EN = {"Accept-Language": "en"}


def user_count() -> int:
    _db.session.expire_all()
    return _db.session.scalar(select(func.count()).select_from(User))


def per_minute(limit_string: str) -> int:
    """The smallest window's allowance of a limit such as "10 per minute;50 per hour"."""
    return min(parse_many(limit_string), key=lambda item: item.get_expiry()).amount


def signup_data(**changes) -> dict:
    data = {"display_name": "Ioana Munteanu", "email": "ioana.munteanu@example.ro",
            "password": "raul-suceava-verde-77", "confirm": "raul-suceava-verde-77",
            "sector": "civil", "home_city_id": "0", "locale": "en", "accept": "y"}
    data.update(changes)
    return data


def csrf_token_in(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, page
    return match.group(1)


# ---------------------------------------------------------------- headers and cookies


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.parametrize("path", ["/", "/login", "/signup", "/no-such-page"])
def test_security_headers(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404)
    headers = response.headers
    csp = csp_directives(headers["Content-Security-Policy"])
    script_src = csp.get("script-src", csp.get("default-src"))
    assert script_src == ["'self'"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in headers["Content-Security-Policy"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in {"no-referrer", "same-origin", "strict-origin",
                                          "strict-origin-when-cross-origin"}
    assert "Strict-Transport-Security" not in headers  # only with Secure cookies (production)


def test_pages_need_no_inline_script(client, db, login_as):
    """The CSP forbids inline scripts, so pages must not rely on them."""
    login_as("citizen")
    for path in ("/", "/account", "/account/password"):
        page = client.get(path).get_data(as_text=True)
        for tag in re.findall(r"<script\b[^>]*>", page):
            assert "src=" in tag, tag
        for tag in re.findall(r"<[a-zA-Z][^>]*>", page):
            assert not re.search(r"\son[a-z]+\s*=", tag), tag  # no event handler attributes
            assert "javascript:" not in tag.lower(), tag


def test_session_and_remember_cookies_are_httponly_and_lax(client, db):
    factories.user(email="radu@example.ro")
    _db.session.commit()
    response = client.post("/login", data={"email": "radu@example.ro",
                                           "password": factories.PASSWORD, "remember": "y"})
    assert response.status_code == 302
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    for name in ("session", "remember_token"):
        attributes = [a.strip().lower() for a in cookies[name].split(";")]
        assert "httponly" in attributes, cookies[name]
        assert "samesite=lax" in attributes, cookies[name]
    session = client.get_cookie("session")
    assert session.http_only and session.same_site == "Lax"


# ---------------------------------------------------------------- CSRF


@pytest.fixture
def csrf_client(make_app):
    return make_app(WTF_CSRF_ENABLED=True).test_client()


def signed_in_citizen(client) -> int:
    """login_as for a client of another app: the session cookie is written the same way, but
    the session id is read before (opening that app's context ends the test's db session)."""
    person = factories.user()
    _db.session.commit()
    person_id, session_id = person.id, person.get_id()
    with client.session_transaction() as sess:
        sess["_user_id"] = session_id
        sess["_fresh"] = True
        sess["_id"] = session_identifier(client)
    return person_id


def test_csrf_protects_sign_in(csrf_client, db):
    factories.user(email="radu@example.ro")
    _db.session.commit()
    credentials = {"email": "radu@example.ro", "password": factories.PASSWORD}

    assert csrf_client.post("/login", data=credentials).status_code == 400
    assert csrf_client.post("/login", data={**credentials, "csrf_token": "forged"}
                            ).status_code == 400
    assert csrf_client.get("/account").status_code == 302  # not signed in

    token = csrf_token_in(csrf_client.get("/login").get_data(as_text=True))
    response = csrf_client.post("/login", data={**credentials, "csrf_token": token})
    assert response.status_code == 302
    assert csrf_client.get("/account").status_code == 200


def test_csrf_protects_sign_up(csrf_client, db, outbox):
    before = user_count()
    response = csrf_client.post("/signup", data=signup_data(), headers=EN)
    assert response.status_code == 400
    assert "The form has expired." in response.get_data(as_text=True)
    assert user_count() == before
    assert outbox() == []

    token = csrf_token_in(csrf_client.get("/signup").get_data(as_text=True))
    # With a token the same request is accepted (control); bad data keeps it from writing.
    accepted = csrf_client.post("/signup", data=signup_data(confirm="altceva", csrf_token=token))
    assert accepted.status_code == 200
    assert user_count() == before


def test_csrf_protects_the_language_switch(csrf_client, db):
    user_id = signed_in_citizen(csrf_client)
    response = csrf_client.post("/language", data={"language": "en"})
    assert response.status_code == 400
    assert csrf_client.get_cookie("lang") is None
    _db.session.expire_all()
    assert _db.session.get(User, user_id).locale == "ro"

    token = csrf_token_in(csrf_client.get("/").get_data(as_text=True))
    ok = csrf_client.post("/language", data={"language": "en", "csrf_token": token})
    assert ok.status_code == 303
    assert csrf_client.get_cookie("lang").value == "en"
    _db.session.expire_all()
    assert _db.session.get(User, user_id).locale == "en"


def test_csrf_protects_sign_out(csrf_client, db):
    signed_in_citizen(csrf_client)
    assert csrf_client.post("/logout").status_code == 400
    assert csrf_client.get("/account").status_code == 200  # still signed in

    token = csrf_token_in(csrf_client.get("/account").get_data(as_text=True))
    assert csrf_client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert csrf_client.get("/account").status_code == 302


# ---------------------------------------------------------------- rate limits


def _limited(client, path, data, allowance):
    for attempt in range(allowance):
        response = client.post(path, data=data)
        assert response.status_code == 200, (attempt, response.status_code)
    return client.post(path, data=data, headers=EN)


def test_sign_in_is_rate_limited(app, client, db):
    factories.user(email="radu@example.ro")
    _db.session.commit()
    allowance = per_minute(app.config["RATE_LIMIT_SIGN_IN"])
    assert allowance == 10
    client.set_cookie("lang", "en")

    blocked = _limited(client, "/login", {"email": "radu@example.ro", "password": "gresit-123"},
                       allowance)
    assert blocked.status_code == 429
    page = blocked.get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Too many attempts" in page
    assert int(blocked.headers["Retry-After"]) > 0

    # Even the right password is refused now; the page itself still opens.
    right = client.post("/login", data={"email": "radu@example.ro",
                                        "password": factories.PASSWORD})
    assert right.status_code == 429
    assert client.get("/account").status_code == 302
    assert client.get("/login").status_code == 200

    # The 429 page is in the visitor's language: Romanian by default.
    other = app.test_client()
    romanian = other.post("/login", data={"email": "radu@example.ro", "password": "x"})
    assert romanian.status_code == 429
    assert '<html lang="ro">' in romanian.get_data(as_text=True)

    # Another address has its own allowance (for another account: this one's is used up).
    factories.user(email="ana@example.ro")
    _db.session.commit()
    elsewhere = client.post("/login", data={"email": "ana@example.ro",
                                            "password": factories.PASSWORD},
                            environ_overrides={"REMOTE_ADDR": "192.0.2.7"})
    assert elsewhere.status_code == 302


def test_one_account_is_not_guessed_from_many_addresses(app, db):
    """Beside the limit per address, one per account: a password tried from a new address
    every time is still refused past RATE_LIMIT_SIGN_IN_ACCOUNT."""
    limiter.reset()
    factories.user(email="ghicit@example.ro")
    _db.session.commit()
    allowance = per_minute(app.config["RATE_LIMIT_SIGN_IN_ACCOUNT"])
    client = app.test_client()
    wrong = {"email": "Ghicit@Example.ro ", "password": "gresit-123"}
    for n in range(allowance):
        answer = client.post("/login", data=wrong,
                             environ_overrides={"REMOTE_ADDR": f"198.51.100.{n + 1}"})
        assert answer.status_code == 200, n
    refused = client.post("/login", data={"email": "ghicit@example.ro",
                                          "password": factories.PASSWORD},
                          environ_overrides={"REMOTE_ADDR": "203.0.113.9"})
    assert refused.status_code == 429
    other = client.post("/login", data={"email": "altcineva@example.ro", "password": "x"},
                        environ_overrides={"REMOTE_ADDR": "203.0.113.9"})
    assert other.status_code == 200  # another account, from that address, is tried


def test_session_protection_ignores_a_forwarded_for_sent_by_the_client(app, db):
    """Without trusted proxies, X-Forwarded-For is the client's word: a stolen session
    cookie replayed with the victim's address in that header is still refused."""
    limiter.reset()
    factories.user(email="victima@example.ro")
    _db.session.commit()
    victim = app.test_client()
    victim.post("/login", data={"email": "victima@example.ro", "password": factories.PASSWORD},
                environ_overrides={"REMOTE_ADDR": "192.0.2.10"})
    assert victim.get("/account", environ_overrides={"REMOTE_ADDR": "192.0.2.10"}
                      ).status_code == 200
    thief = app.test_client()
    thief.set_cookie("session", victim.get_cookie("session").value)
    stolen = thief.get("/account", headers={"X-Forwarded-For": "192.0.2.10"},
                       environ_overrides={"REMOTE_ADDR": "198.51.100.66"})
    assert stolen.status_code == 302


def test_a_form_token_from_before_sign_in_is_refused_after_it(csrf_client, db):
    factories.user(email="radu@example.ro")
    _db.session.commit()
    before = csrf_token_in(csrf_client.get("/login").get_data(as_text=True))
    response = csrf_client.post("/login", data={"email": "radu@example.ro",
                                                "password": factories.PASSWORD,
                                                "csrf_token": before})
    assert response.status_code == 302
    assert csrf_client.post("/language", data={"language": "en", "csrf_token": before}
                            ).status_code == 400
    after = csrf_token_in(csrf_client.get("/").get_data(as_text=True))
    assert after != before
    assert csrf_client.post("/language", data={"language": "en", "csrf_token": after}
                            ).status_code == 303


def test_the_language_cookie_is_secure_when_the_session_cookie_is(make_app, db):
    secure = make_app(SESSION_COOKIE_SECURE=True).test_client()
    secure.post("/language", data={"language": "en"})
    assert secure.get_cookie("lang").secure


def test_sign_up_is_rate_limited(app, client, db):
    allowance = per_minute(app.config["RATE_LIMIT_SIGN_UP"])
    before = user_count()
    client.set_cookie("lang", "en")
    blocked = _limited(client, "/signup", signup_data(confirm="nu-se-potriveste"), allowance)
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)

    valid = client.post("/signup", data=signup_data())
    assert valid.status_code == 429
    assert user_count() == before


def test_password_reset_request_is_rate_limited(app, client, db, outbox):
    factories.user(email="radu@example.ro")
    _db.session.commit()
    allowance = per_minute(app.config["RATE_LIMIT_RESET"])
    client.set_cookie("lang", "en")
    blocked = _limited(client, "/password/forgot", {"email": "nimeni@example.ro"}, allowance)
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)

    known = client.post("/password/forgot", data={"email": "radu@example.ro"})
    assert known.status_code == 429
    assert outbox() == []


def _login_attempts(target_app, address, count, email="nimeni@example.ro"):
    client = target_app.test_client()
    data = {"email": email, "password": "gresit-123"}
    return [client.post("/login", data=data, environ_overrides={"REMOTE_ADDR": address})
            .status_code for _ in range(count)]


def test_memory_rate_limits_are_per_process(make_app, db):
    """The control for the Redis test: without Redis a new process starts from zero."""
    address = f"198.51.100.{random.randint(1, 254)}"
    first = make_app(RATELIMIT_STORAGE_URI="memory://")
    allowance = per_minute(first.config["RATE_LIMIT_SIGN_IN"])
    assert _login_attempts(first, address, allowance + 1) == [200] * allowance + [429]

    second = make_app(RATELIMIT_STORAGE_URI="memory://")
    assert _login_attempts(second, address, 1) == [200]


def test_rate_limits_are_shared_through_redis(make_app, db, redis_url):
    import redis

    prefix = f"m100test-{uuid.uuid4().hex}"
    settings = {"USE_REDIS": True, "REDIS_URL": redis_url, "RATELIMIT_STORAGE_URI": redis_url,
                "RATELIMIT_KEY_PREFIX": prefix}
    address = f"203.0.113.{random.randint(1, 254)}"
    store = redis.Redis.from_url(redis_url)
    # The limiter is one object shared by every app of this process; its key prefix is taken
    # from the first app it was bound to. Let these apps set theirs (make_app restores it).
    limiter._key_prefix = None
    try:
        app_a = make_app(**settings)
        assert app_a.config["USE_REDIS"] is True
        allowance = per_minute(app_a.config["RATE_LIMIT_SIGN_IN"])
        assert _login_attempts(app_a, address, allowance) == [200] * allowance
        assert list(store.scan_iter(match=f"*{prefix}*")), "the counts are not in Redis"

        # Another process: a new app, with its own connection to Redis.
        app_b = make_app(**settings)
        assert _login_attempts(app_b, address, 1) == [429]
        assert _login_attempts(app_a, address, 1) == [429]
        assert _login_attempts(app_b, "198.51.100.250", 1, "altcineva@example.ro") == [200]
    finally:
        for key in store.scan_iter(match=f"*{prefix}*"):
            store.delete(key)


# ---------------------------------------------------------------- production configuration


@pytest.fixture
def production_env(monkeypatch, tmp_path):
    """A correct production environment; tests break one setting at a time."""
    for name in ("DATABASE_URL", "BASE_URL", "SESSION_COOKIE_SECURE",
                 "ALLOW_SQLITE_IN_PRODUCTION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("M100_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://m100@db.example.ro/m100")
    monkeypatch.setenv("BASE_URL", "https://hub.example.ro")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.ro")
    monkeypatch.delenv("RATELIMIT_ENABLED", raising=False)
    return lambda: build_config(tmp_path)


def test_correct_production_configuration_is_accepted(production_env):
    config = production_env()
    check_production(config)
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize(
    ("breakage", "complaint"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"DATABASE_URL": None}, "SQLite"),
        ({"DATABASE_URL": "sqlite:////srv/m100.sqlite3"}, "SQLite"),
        ({"SESSION_COOKIE_SECURE": "0"}, "Secure"),
        ({"SESSION_COOKIE_SECURE": "false"}, "Secure"),
        ({"BASE_URL": "http://hub.example.ro"}, "https"),
        ({"BASE_URL": None}, "https"),
        ({"MAIL_SERVER": None}, "MAIL_SERVER"),
        ({"RATELIMIT_ENABLED": "0"}, "RATELIMIT_ENABLED"),
    ],
)
def test_insecure_production_configuration_is_refused(production_env, monkeypatch, breakage,
                                                      complaint):
    for name, value in breakage.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    with pytest.raises(InsecureConfiguration, match=complaint):
        check_production(production_env())


def test_sqlite_in_production_can_be_accepted_explicitly(production_env, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////srv/m100.sqlite3")
    monkeypatch.setenv("ALLOW_SQLITE_IN_PRODUCTION", "1")
    check_production(production_env())


def test_every_problem_is_reported_at_once(production_env, monkeypatch):
    monkeypatch.delenv("SECRET_KEY")
    monkeypatch.setenv("BASE_URL", "http://hub.example.ro")
    with pytest.raises(InsecureConfiguration) as error:
        check_production(production_env())
    assert "SECRET_KEY" in str(error.value) and "BASE_URL" in str(error.value)


def test_development_is_not_checked(production_env, monkeypatch):
    monkeypatch.setenv("M100_ENV", "development")
    monkeypatch.delenv("SECRET_KEY")
    monkeypatch.setenv("BASE_URL", "http://127.0.0.1:5000")
    config = production_env()
    check_production(config)
    assert config["SESSION_COOKIE_SECURE"] is False


def test_create_app_refuses_insecure_production(monkeypatch, tmp_root):
    monkeypatch.setenv("M100_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(InsecureConfiguration) as error:
        create_app({**base_config(tmp_root, database_url(tmp_root)), "SECRET_KEY": ""})
    assert "SECRET_KEY" in str(error.value)
    assert "BASE_URL" in str(error.value)  # base_config's BASE_URL is http://localhost


def test_create_app_refuses_http_base_url_in_production(monkeypatch, tmp_root):
    monkeypatch.setenv("M100_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    with pytest.raises(InsecureConfiguration, match="BASE_URL"):
        create_app({**base_config(tmp_root, database_url(tmp_root)),
                    "ALLOW_SQLITE_IN_PRODUCTION": True, "MAIL_SERVER": "smtp.example.ro"})


def test_secret_key_may_come_from_the_instance_config(production_env, monkeypatch):
    monkeypatch.delenv("SECRET_KEY")
    config = production_env()
    assert config["SECRET_KEY"] == ""  # production never generates one
    config["SECRET_KEY"] = "from-instance-config-py"
    check_production(config)


def test_production_app_sends_secure_cookies_and_hsts(make_app, db, monkeypatch):
    monkeypatch.setenv("M100_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret")
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    prod = make_app(BASE_URL="https://hub.example.ro", ALLOW_SQLITE_IN_PRODUCTION=True,
                    MAIL_SERVER="smtp.example.ro")
    assert prod.config["SESSION_COOKIE_SECURE"] and prod.config["REMEMBER_COOKIE_SECURE"]
    factories.user(email="radu@example.ro")
    _db.session.commit()
    client = prod.test_client()
    response = client.post("/login", base_url="https://localhost", data={
        "email": "radu@example.ro", "password": factories.PASSWORD, "remember": "y"})
    assert response.status_code == 302
    cookies = {c.split("=", 1)[0]: c.lower() for c in response.headers.getlist("Set-Cookie")}
    assert "; secure" in cookies["session"]
    assert "; secure" in cookies["remember_token"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


# ---------------------------------------------------------------- safe redirects


@pytest.mark.parametrize(
    "target",
    ["/", "/account", "/u/5?tab=org#top", "/cities/suceava", "/login?next=/account",
     "/a//b", "/%2F%2Fevil.example"],
)
def test_safe_next_accepts_local_paths(target):
    assert is_safe_next(target)
    assert safe_next(target, "/home") == target


@pytest.mark.parametrize(
    "target",
    [None, "", "https://evil.example", "http://localhost/account", "//evil.example",
     "///evil.example", "/\\evil.example", "\\\\evil.example", "\\/evil.example",
     "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "evil.example",
     "account", " /account", "/\t/evil.example", "/\n/evil.example", "/\r\n//evil.example",
     "/\x00", "https:/evil.example", "//evil.example/%2F.."],
)
def test_safe_next_refuses_anything_else(target):
    assert not is_safe_next(target)
    assert safe_next(target, "/home") == "/home"


# ---------------------------------------------------------------- language


def test_default_language_is_romanian(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="ro">' in page


def test_accept_language_english_without_cookie(client):
    assert '<html lang="en">' in client.get("/", headers=EN).get_data(as_text=True)
    assert '<html lang="ro">' in client.get(
        "/", headers={"Accept-Language": "de-DE,de;q=0.9"}).get_data(as_text=True)


def test_cookie_wins_over_accept_language(client):
    client.set_cookie("lang", "ro")
    assert '<html lang="ro">' in client.get("/", headers=EN).get_data(as_text=True)


def test_language_switch_sets_a_cookie(client, db):
    response = client.post("/language", data={"language": "en", "next": "/login"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/login"
    cookie = client.get_cookie("lang")
    assert cookie.value == "en" and cookie.http_only and cookie.same_site == "Lax"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Sign in" in page

    back = client.post("/language", data={"language": "ro"})
    assert back.status_code == 303 and back.headers["Location"] == "/"
    assert '<html lang="ro">' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("next_url", ["https://evil.example", "//evil.example", "/\\evil.example"])
def test_language_switch_ignores_an_external_next(client, db, next_url):
    response = client.post("/language", data={"language": "en", "next": next_url})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_language_choice_is_stored_on_the_account(client, db, login_as):
    user = login_as("citizen")
    user_id = user.id
    assert user.locale == "ro"
    assert client.post("/language", data={"language": "en"}).status_code == 303
    _db.session.expire_all()
    stored = _db.session.get(User, user_id)
    assert stored.locale == "en"

    # The account's choice follows the person to another browser (no cookie there).
    other = client.application.test_client()
    login_as(user=stored, client_=other)
    assert other.get_cookie("lang") is None
    assert '<html lang="en">' in other.get("/").get_data(as_text=True)


@pytest.mark.parametrize("language", ["fr", "", "EN", "en-US", "ro; drop table users"])
def test_unknown_language_is_refused(client, db, login_as, language):
    user = login_as("citizen")
    user_id = user.id
    response = client.post("/language", data={"language": language})
    assert response.status_code == 400
    assert client.get_cookie("lang") is None
    _db.session.expire_all()
    assert _db.session.get(User, user_id).locale == "ro"


def test_language_switch_requires_post(client):
    assert client.get("/language?language=en").status_code == 405
    assert client.get_cookie("lang") is None


# ---------------------------------------------------------------- odd input and sessions


@pytest.mark.parametrize("url", [
    "/organisations?q=%00", "/cities/su%00ceava", "/organisations/x%00y", "/activity?page=%C2%B2",
])
def test_nul_bytes_and_odd_digits_never_500(client, url):
    assert client.get(url).status_code in (200, 400, 404)


def test_nul_byte_in_a_form_is_refused(client):
    response = client.post("/login", data={"email": "a\x00@example.ro", "password": "x"})
    assert response.status_code == 400


def test_anonymous_session_is_not_reset_on_every_request(client):
    client.get("/login")  # a form: the session now holds a CSRF token
    second = client.get("/")
    cookies = second.headers.getlist("Set-Cookie")
    assert not any(c.startswith(("session=", "remember_token=")) for c in cookies), cookies


@pytest.mark.parametrize("language, words", [("ro", "prea mare"), ("en", "too large")])
def test_a_body_over_the_limit_is_refused_before_it_is_read(client, db, language, words):
    """MAX_CONTENT_LENGTH: 413 in the reader's language, nothing parsed, nothing written."""
    huge = "x" * (3 * 1024 * 1024)
    response = client.post("/login", data={"email": huge, "password": "x"},
                           headers={"Accept-Language": language})
    assert response.status_code == 413
    assert words in response.get_data(as_text=True).lower()


def test_a_claimed_gigabyte_is_refused_at_once(client, db):
    response = client.post("/login", data=b"email=a",
                           content_type="application/x-www-form-urlencoded",
                           environ_overrides={"CONTENT_LENGTH": str(1024 ** 3)})
    assert response.status_code == 413


def test_a_form_field_over_the_form_limit_is_refused(client, db):
    """A text field of a multipart form is held in memory: MAX_FORM_MEMORY_SIZE bounds it."""
    body = ("--b\r\nContent-Disposition: form-data; name=\"display_name\"\r\n\r\n"
            + "y" * (600 * 1024) + "\r\n--b--\r\n").encode()
    response = client.post("/signup", data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413


def test_an_unconfirmed_person_writes_nothing_anywhere(app, client, db, login_as):
    """Every writing route, in one place (permissions.confirmed_writes_only): 403 for a
    signed-in person whose address is not confirmed, before the view runs — except the few
    marked open to them (signing out, confirming, the password, the language, accepting the
    terms, deleting one's account)."""
    login_as("unconfirmed")
    open_to_them, refused = set(), []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint == "static":
            continue
        if getattr(app.view_functions[rule.endpoint], "open_to_unconfirmed", False):
            open_to_them.add(rule.endpoint)
            continue
        values = {name: {"slug": "x", "token": "x", "kind": "post", "action": "lock"}.get(name, 1)
                  for name in rule.arguments}
        with app.test_request_context():
            url = url_for(rule.endpoint, **values)
        status = client.post(url, data={}).status_code
        if status != 403:
            refused.append((rule.endpoint, status))
    assert refused == []
    assert open_to_them == {"accounts.signup", "accounts.confirm", "accounts.resend_confirmation",
                            "accounts.login", "accounts.logout", "accounts.forgot_password",
                            "accounts.reset_password", "accounts.change_password",
                            "main.set_language", "privacy.accept", "privacy.delete_account"}


def test_the_session_signer_is_built_only_for_a_request_that_brings_a_session(
        app, client, db, login_as, monkeypatch):
    """Most requests (anonymous reads) bring no session cookie: they get an empty session
    without the signer being made (it was, on every request)."""
    interface, built = app.session_interface, []
    make = interface.get_signing_serializer
    monkeypatch.setattr(interface, "get_signing_serializer",
                        lambda application: built.append(1) or make(application))
    assert client.get("/cities").status_code == 200
    assert built == []
    login_as("citizen")
    built.clear()
    page = client.get("/account")
    assert page.status_code == 200 and built  # the cookie read, and the signed-in page shown
