"""Configuration: safe defaults for a laptop, overridden from the environment.

Production (``M100_ENV=production``) refuses to start with an insecure setting.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

TRUE_WORDS = {"1", "true", "yes", "on"}


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in TRUE_WORDS


def _secret_key(instance_path: Path, production: bool) -> str:
    """SECRET_KEY from the environment; outside production, else generated once into
    instance/ (production must be given one: several machines have to share it)."""
    if os.environ.get("SECRET_KEY") or production:
        return os.environ.get("SECRET_KEY", "")
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


#: how long a request waits for Redis (connect, then each command) before going without it
REDIS_REQUEST_TIMEOUT = 0.5


#: a Redis client's pool of connections may open this many at most. The pool opens one only
#: when every open one is busy, so a process never holds more than its threads; but redis-py
#: 8 caps a pool at 100 by default, and a web process has more threads than that (each
#: WebSocket holds one): with 500 board clients, presence writes failed with
#: MaxConnectionsError ("Too many connections") and fell back to the process's own list.
REDIS_POOL_LIMIT = 10_000


def redis_client_options(timeout: float = REDIS_REQUEST_TIMEOUT) -> dict:
    """Options of a Redis client used inside requests: short timeouts and no retries, so that
    a Redis that is down costs one quick failure (the caller then goes without it), and a
    pool as large as the process's threads."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return {"socket_connect_timeout": timeout, "socket_timeout": timeout,
            "retry": Retry(NoBackoff(), 0), "max_connections": REDIS_POOL_LIMIT}


def build_config(instance_path: Path) -> dict:
    env = os.environ.get("M100_ENV", "development")
    production = env == "production"
    sqlite_default = f"sqlite:///{instance_path / 'm100hub.sqlite3'}"
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    return {
        "M100_ENV": env,
        "SECRET_KEY": _secret_key(instance_path, production),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", sqlite_default),
        # no ping before each use: database.watch_connections checks pooled connections
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "ALLOW_SQLITE_IN_PRODUCTION": env_bool("ALLOW_SQLITE_IN_PRODUCTION", False),
        "REDIS_URL": redis_url,
        # Whether Redis is used (rate limits, Socket.IO queue, Celery): unless USE_REDIS says
        # otherwise, yes — whether it answers at start-up or not (it comes and goes; see
        # create_app). Only `make run` and `make seed` ask it first (devserver.py).
        "USE_REDIS": os.environ.get("USE_REDIS"),
        #: how many web processes serve the site in all (every machine): while Redis is down
        #: each counts rate limits alone, and allows this share of each limit
        "WEB_PROCESSES": max(1, int(os.environ.get("WEB_PROCESSES", "1"))),
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": env_bool("MAIL_USE_TLS", False),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "M100 Hub <no-reply@m100hub.local>"),
        "MAIL_OUTBOX_DIR": str(instance_path / "outbox"),
        #: temporary refusals (4xx, no connection) are retried with backoff this long, as a
        #: mail server would, before the message is given up and shown to the admins
        "MAIL_GIVE_UP_HOURS": int(os.environ.get("MAIL_GIVE_UP_HOURS", "48")),
        #: the wait after the first temporary refusal (seconds), doubled after each further
        #: one up to the longest; shorter only for tests of a relay that is down for minutes
        "MAIL_BACKOFF_SECONDS": int(os.environ.get("MAIL_BACKOFF_SECONDS", "60")),
        "MAIL_BACKOFF_MAX_SECONDS": int(os.environ.get("MAIL_BACKOFF_MAX_SECONDS", "3600")),
        #: how often the outbox's sweep runs, and how long it leaves a new message to the
        #: task queued at its commit
        "MAIL_SWEEP_SECONDS": int(os.environ.get("MAIL_SWEEP_SECONDS", "60")),
        #: a run that took a message to send holds it this long: a run that died gives it
        #: back when it runs out (longer than a batch of sends takes)
        "MAIL_CLAIM_SECONDS": int(os.environ.get("MAIL_CLAIM_SECONDS", "600")),
        #: notifications e-mailed "at once" wait this long, so that several about one thing
        #: (replies in a thread) go out in one message
        "NOTIFICATION_EMAIL_WAIT_SECONDS": int(
            os.environ.get("NOTIFICATION_EMAIL_WAIT_SECONDS", "180")),
        #: when the digests go out: the hour (local), the zone, and the weekly one's day
        #: (0 Monday … 6 Sunday)
        "DIGEST_HOUR": int(os.environ.get("DIGEST_HOUR", "8")),
        "DIGEST_TIMEZONE": os.environ.get("DIGEST_TIMEZONE", "Europe/Bucharest"),
        "DIGEST_WEEKDAY": int(os.environ.get("DIGEST_WEEKDAY", "0")),
        #: how long an e-mail's one-click unsubscribe link works
        "UNSUBSCRIBE_TOKEN_DAYS": int(os.environ.get("UNSUBSCRIBE_TOKEN_DAYS", "90")),
        # responses compressed here, unless a proxy in front does it (m100hub/static_files.py)
        "COMPRESS_REGISTER": env_bool("COMPRESS_RESPONSES", True),
        # static files' addresses carry their content's hash and are kept for a year
        "STATIC_FINGERPRINTS": env_bool("STATIC_FINGERPRINTS", True),
        "BABEL_DEFAULT_LOCALE": "ro",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Bucharest",
        "LANGUAGES": ("ro", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env_bool("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env_bool("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 30,
        "SESSION_PROTECTION": "strong",
        "WTF_CSRF_TIME_LIMIT": None,
        "EMAIL_TOKEN_MAX_AGE": 60 * 60 * 48,
        "RESET_TOKEN_MAX_AGE": 60 * 60 * 2,
        # a confirmation link used within this age also signs its person in (once)
        "CONFIRM_SIGN_IN_MAX_AGE": 60 * 60 * 2,
        "RATELIMIT_ENABLED": env_bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        # a true sliding minute: a fixed window lets twice the limit through across its edge
        "RATELIMIT_STRATEGY": "moving-window",
        # If Redis drops, count in memory (each process its share of the limits,
        # security.limit) until it answers again, rather than fail the request; and an error
        # of the storage (Redis dying while requests are being counted) never becomes a 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # a Redis that is down or hangs costs a request half a second at most, once: no
        # retries with back-off (redis-py's default) inside a request
        "RATELIMIT_STORAGE_OPTIONS": redis_client_options(),
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", "m100rl"),
        # posting and reacting anywhere on the hub share these allowances; each
        # feature declares its own limits (Feature.rate_limits)
        "RATE_LIMIT_POST": os.environ.get("RATE_LIMIT_POST", "8 per minute;80 per hour"),
        "RATE_LIMIT_REACT": os.environ.get("RATE_LIMIT_REACT", "30 per minute;300 per hour"),
        #: names on the shared Redis, so that two installations can share one server
        "CELERY_QUEUE": os.environ.get("CELERY_QUEUE", "m100hub"),
        "SOCKETIO_CHANNEL": os.environ.get("SOCKETIO_CHANNEL", "m100hub-socketio"),
        "SOCKETIO_ALLOWED_ORIGINS": os.environ.get("SOCKETIO_ALLOWED_ORIGINS", ""),
        "CELERY_EAGER": env_bool("CELERY_EAGER", False),
        #: the largest request body accepted (413 beyond it, before it is read), and the
        #: largest form a text form may send; Werkzeug's own limit on form parts stays
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(2 * 1024 * 1024))),
        "MAX_FORM_MEMORY_SIZE": int(os.environ.get("MAX_FORM_MEMORY_SIZE", str(512 * 1024))),
        # the largest image upload (forms with an image field)
        "MAX_UPLOAD_LENGTH": int(os.environ.get("MAX_UPLOAD_LENGTH", str(10 * 1024 * 1024))),
        #: a sector with fewer ballots than this on a question is shown (and exported) only
        #: together with others: sectors are public, so a sector of one would show a ballot
        "RESULTS_MIN_CELL": int(os.environ.get("RESULTS_MIN_CELL", "5")),
        #: how long a create form's one-time key is good for (m100hub/submissions.py): a
        #: second submission within it is answered with the first one's result; an older
        #: form is refused as expired
        "SUBMISSION_KEY_DAYS": int(os.environ.get("SUBMISSION_KEY_DAYS", "7")),
        "PER_PAGE": 30,
        #: followers told per INSERT (and per transaction) by the notification fan-out
        "NOTIFICATION_BATCH_SIZE": int(os.environ.get("NOTIFICATION_BATCH_SIZE", "500")),
        #: pages for visitors without a session are cached whole for this many seconds, in
        #: Redis when it is in use (shared by every web process), and proxies are told so
        #: (Cache-Control); 0 turns the cache off
        "ANONYMOUS_PAGE_SECONDS": int(os.environ.get("ANONYMOUS_PAGE_SECONDS", "1")),
        #: the cached pages' names on the shared Redis (two installations can share one server)
        "CACHE_KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "m100hub-page:"),
        #: how many reverse proxies (load balancer, nginx) set X-Forwarded-* in front of us
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        #: who is responsible for the personal data (the GDPR's controller) and how people
        #: reach them, as the privacy notice names them: placeholders until the national
        #: secretariat of M100 gives its legal name, address and data protection contact
        "PRIVACY_CONTROLLER": os.environ.get(
            "PRIVACY_CONTROLLER", "Secretariatul național M100 (denumirea legală: de completat)"),
        "PRIVACY_ADDRESS": os.environ.get("PRIVACY_ADDRESS", "(adresa poștală: de completat)"),
        "PRIVACY_EMAIL": os.environ.get("PRIVACY_EMAIL", "privacy@m100hub.local"),
        #: the versions of the privacy notice and the terms of use (the date of their text);
        #: a signed-in person who accepted an older one is asked to accept these before
        #: writing anything. Change them with the texts (m100hub/privacy/templates/).
        "PRIVACY_VERSION": os.environ.get("PRIVACY_VERSION", "2026-12-06"),
        "TERMS_VERSION": os.environ.get("TERMS_VERSION", "2026-12-06"),
    }


class InsecureConfiguration(RuntimeError):
    """Raised when production is asked to run with an unsafe setting."""


def check_production(config: dict) -> None:
    if config["M100_ENV"] != "production":
        return
    problems = []
    if not config["SECRET_KEY"]:
        problems.append("SECRET_KEY must be set (environment or instance/config.py)")
    uri = config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite") and not config["ALLOW_SQLITE_IN_PRODUCTION"]:
        problems.append(
            "DATABASE_URL points to SQLite (set ALLOW_SQLITE_IN_PRODUCTION=1 to accept)"
        )
    if not config["SESSION_COOKIE_SECURE"] or not config["REMEMBER_COOKIE_SECURE"]:
        problems.append("session cookies must be Secure (SESSION_COOKIE_SECURE)")
    if not config["BASE_URL"].startswith("https://"):
        problems.append("BASE_URL must be an https:// address")
    if not config["MAIL_SERVER"]:
        problems.append("MAIL_SERVER must be set (e-mail links must not land on disk)")
    if not config["RATELIMIT_ENABLED"]:
        problems.append("rate limits cannot be switched off (RATELIMIT_ENABLED)")
    if problems:
        raise InsecureConfiguration("Refusing to start in production: " + "; ".join(problems))
