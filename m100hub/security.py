"""Security headers, safe redirects and rate-limit helpers."""

from __future__ import annotations

from hashlib import sha512
from typing import TypeGuard
from urllib.parse import urlsplit

from flask import Flask, Request, Response, abort, current_app, g, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from limits import parse_many
from limits.storage import MemoryStorage

from .extensions import limiter, login_manager
from .memo import Memo
from .permissions import confirmed_writes_only

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


#: (lower-case name, name, value): what every response says unless it says otherwise
SECURITY_HEADERS = tuple((name.lower(), name, value) for name, value in (
    ("Content-Security-Policy", CSP),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", "camera=(self), microphone=(), geolocation=()"),
))
HSTS = ("strict-transport-security", "Strict-Transport-Security",
        "max-age=31536000; includeSubDomains")


def set_security_headers(response: Response) -> Response:
    """The security headers the response does not set itself, added in one pass over its
    headers (one ``setdefault`` each looked through them twice: a fifth of the Python calls
    of a cached page)."""
    headers = response.headers
    wanted = SECURITY_HEADERS + (HSTS,) if current_app.config["SESSION_COOKIE_SECURE"] \
        else SECURITY_HEADERS
    present = set(headers.keys(lower=True))
    headers.extend([(name, value) for lower, name, value in wanted if lower not in present])
    return response


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, without building the signer for a request that brings
    no session cookie (every anonymous read): the same empty session Flask gives it; and
    with one signer per secret, where Flask builds one per request (its serializer checks
    its JSON encoder by encoding a sample each time: 1% of a signed-in page)."""

    def get_signing_serializer(self, app: Flask):
        if not app.secret_key:
            return None
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        kept = app.extensions.get("m100_session_signer")
        if kept is None or kept[0] != key:
            kept = app.extensions["m100_session_signer"] = (
                key, super().get_signing_serializer(app))
        return kept[1]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def is_safe_next(target: str | None) -> TypeGuard[str]:
    """Only same-host, path-only redirects: no scheme, no host, no ``//`` or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str) -> str:
    return target if is_safe_next(target) else default


def allowed_origins(app: Flask) -> list[str]:
    configured = app.config.get("SOCKETIO_ALLOWED_ORIGINS") or ""
    origins = [o.strip().rstrip("/") for o in configured.split(",") if o.strip()]
    base = urlsplit(app.config["BASE_URL"])
    origins.append(f"{base.scheme}://{base.netloc}")
    return origins


def same_origin_request() -> bool:
    """True when a state-changing request's Origin (if sent) is this host or an allowed one."""
    origin = request.headers.get("Origin")
    if not origin:
        return True
    host_origin = f"{request.scheme}://{request.host}"
    return origin.rstrip("/") in {host_origin, *allowed_origins(current_app)}


def refuse_nul_bytes():
    """A NUL byte is never meaningful input, and PostgreSQL text refuses it: 400, not a 500."""
    values = [request.path, *request.args.values()]
    if request.method in ("POST", "PUT", "PATCH") and request.form:
        values.extend(request.form.values())
    if any("\x00" in value for value in values):
        abort(400)


def accepts_files(*fields: str):
    """``@accepts_files("image")``: the view's form takes uploaded files in these fields (and
    bodies up to MAX_UPLOAD_LENGTH); a file part in any other field, or sent to any other
    view, is refused."""

    def mark(view):
        view.accepts_files = frozenset(fields)
        return view

    return mark


def allow_uploads():
    """A form that takes files (``@accepts_files``) may be as large as MAX_UPLOAD_LENGTH;
    every other request keeps MAX_CONTENT_LENGTH. Decided before anything reads the body."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "accepts_files", None):
        request.max_content_length = current_app.config["MAX_UPLOAD_LENGTH"] + 64 * 1024


def refuse_unexpected_files():
    """A file part sent where the form takes none (a file for a text field): 400, never a
    500 deep in a validator."""
    if request.method not in ("POST", "PUT", "PATCH") or not request.mimetype.startswith(
            "multipart/"):
        return
    view = current_app.view_functions.get(request.endpoint or "")
    allowed: frozenset[str] = getattr(view, "accepts_files", frozenset())
    if any(name not in allowed for name in request.files):
        abort(400)


def person_or_address() -> str:
    """Rate-limit key: the signed-in person (same limit on every device), else the address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{request.remote_addr}"


def limit(setting: str, key_func=None, scope: str | None = None):
    """``@limit("RATE_LIMIT_SIGN_IN")``: the configured Flask-Limiter limit on POSTs. With a
    ``scope``, every route so decorated draws on one shared allowance. While this process
    counts in its own memory (Redis down, or not in use), it allows its share only."""

    def allowed() -> str:
        return limit_in_force(current_app.config[setting])

    if scope:
        return limiter.shared_limit(allowed, scope=scope, methods=["POST"], key_func=key_func)
    return limiter.limit(allowed, methods=["POST"], key_func=key_func)


def posting_limit():
    """Writing in a forum or a consultation (a thread, a reply, a proposal, a comment): one
    allowance per person across the hub."""
    return limit("RATE_LIMIT_POST", key_func=person_or_address, scope="forum-posting")


def reacting_limit():
    """Likes and unlikes, of posts and of comments: one allowance per person."""
    return limit("RATE_LIMIT_REACT", key_func=person_or_address, scope="forum-reacting")


def limit_in_force(configured: str) -> str:
    """The limit as configured while the counts are shared (Redis); while this process counts
    alone — Redis down (Flask-Limiter's in-memory fallback) or not in use — its share: each
    amount divided by WEB_PROCESSES, rounded down, so that all processes together never allow
    more than the limit (a share of 0 refuses every request until Redis answers)."""
    processes = current_app.config["WEB_PROCESSES"]
    if processes <= 1 or not isinstance(limiter.limiter.storage, MemoryStorage):
        return configured
    return ";".join(
        f"{item.amount // processes} per {item.multiples} {item.GRANULARITY.name}"
        for item in parse_many(configured))


def session_identifier() -> str:
    """What strong session protection compares: the client's address and browser. The
    address is the one the trusted proxies gave (ProxyFix, TRUSTED_PROXIES), never an
    X-Forwarded-For the client sent itself (Flask-Login's own version trusts that header)."""
    agent = request.headers.get("User-Agent")
    address = (request.remote_addr or "").encode()
    # the same text as Flask-Login's identifier (the bytes' repr), so sessions carry over
    base = f"{address!r}|{agent.encode() if agent is not None else None!r}"
    return sha512(base.encode()).hexdigest()


def signing_in_address() -> str:
    """Rate-limit key of the per-account sign-in limit: the address being tried, wherever
    from (guessing one person's password from many addresses)."""
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


def fresh_csrf_token() -> None:
    """After signing in, a form token issued before it no longer works."""
    session.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


#: signed form tokens by (secret, field, the session's raw token): a page signs one each
#: request (an HMAC, a timestamp, base64: 0.1 ms of a signed-in page's 5), always for the same
#: raw token; none depends on the key context
_SIGNED_TOKENS: Memo[str] = Memo("signed form tokens", kept=20_000)


def csrf_token() -> str:
    """The form token (template global, in place of Flask-WTF's ``generate_csrf``): the
    signed token made for the session's raw token before is given again, while tokens do not
    expire (``WTF_CSRF_TIME_LIMIT`` None: its timestamp is never checked, so an earlier
    signature is as valid as a new one). Flask-WTF's forms find it in ``g`` as their own."""
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    found = g.get(field)
    if found is not None:
        return found
    if config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return generate_csrf()
    if not isinstance(session.get(field), str):
        generate_csrf()  # the session's raw token made, and signed (Flask-WTF keeps it in g)
    secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    found = _SIGNED_TOKENS.get((secret, field, session[field]), generate_csrf)
    setattr(g, field, found)
    return found


def keep_anonymous_sessions_stable():
    """An anonymous session (a CSRF token, say) gets the identifier that strong session
    protection compares; without it, Flask-Login would reset the session on every request."""
    if session and "_user_id" not in session and "_id" not in session:
        session["_id"] = login_manager._session_identifier_generator()


def _stable_session_from_the_start(response: Response) -> Response:
    keep_anonymous_sessions_stable()  # a session that got its first content in this request
    return response


def register(app: Flask) -> None:
    # First of all before-request work (rate limits may already ask who is signed in).
    app.before_request_funcs.setdefault(None, [])[:0] = [
        allow_uploads, refuse_nul_bytes, refuse_unexpected_files,
        keep_anonymous_sessions_stable,
    ]
    login_manager._session_identifier_generator = session_identifier
    app.session_interface = CookieSessions()
    # Flask-WTF gives templates its generate_csrf both as a global and from a context
    # processor (which wins): this one, registered later, wins over both
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})
    app.before_request(confirmed_writes_only)
    app.after_request(set_security_headers)
    app.after_request(_stable_session_from_the_start)
