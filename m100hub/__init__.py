"""M100 Hub: the application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from . import (
    cli,
    errors,
    features,
    i18n,
    open_data,
    page_cache,
    security,
    static_files,
    submissions,
    templating,
)
from .celery_app import celery_init_app
from .config import TRUE_WORDS, build_config, check_production, redis_client_options
from .database import end_session, include_in_autogenerate, watch_connections
from .extensions import babel, csrf, db, limiter, login_manager, migrate, socketio
from .message_queue import RedisMessageQueue
from .util import IdConverter, SlugConverter

#: every feature of the hub: each package declares what it contributes in its ``feature``
#: (m100hub/features.py). The order is the demo data's (cities before the people living in
#: them) and the blueprints'. ``EXTRA_FEATURES`` in the config adds packages by dotted name.
FEATURES = ("main", "media", "cities", "accounts", "organisations", "notifications", "activity",
            "moderation", "admin", "forums", "consultations", "events", "contracts", "boards",
            "resources", "experts", "search", "privacy")


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(build_config(Path(app.instance_path)))
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(overrides or {})
    app.url_map.converters.update(id=IdConverter, slug=SlugConverter)
    check_production(app.config)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        # Flask documents wrapping wsgi_app so; its types declare a method, not an attribute
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    _decide_redis(app)
    _init_extensions(app)
    registry = features.install(
        app, features.load([*FEATURES, *app.config.get("EXTRA_FEATURES", ())]))
    celery_init_app(app, registry)
    open_data.register(app, registry.api_blueprints())  # every feature's API endpoints
    security.register(app)
    page_cache.register(app)  # the anonymous page cache and Cache-Control headers
    static_files.register(app)  # fingerprinted static addresses, compressed responses
    errors.register(app)
    i18n.register(app)
    templating.register(app)
    submissions.register(app)  # the create forms' one-time keys
    cli.register(app)
    return app


def _decide_redis(app: Flask) -> None:
    """Whether the hub uses Redis is configuration, decided here once: USE_REDIS, else yes.

    Never by asking Redis now: a process that (re)starts while Redis is down must come up as
    its siblings run (shared rate limits, live pushes across processes, queued tasks), serve
    pages meanwhile and use Redis once it answers — each part reconnects on its own (the rate
    limiter counts in memory meanwhile, the page cache renders, the Socket.IO queue's listener
    retries every second). Only ``make run`` and ``make seed`` ask Redis first
    (devserver.py): a laptop without Redis runs one process with everything in it."""
    setting = app.config.get("USE_REDIS")
    if isinstance(setting, str):
        setting = setting.strip().lower() in TRUE_WORDS
    app.config["USE_REDIS"] = True if setting is None else bool(setting)
    if not app.config["USE_REDIS"] and app.config["M100_ENV"] == "production":
        app.logger.warning("Redis is not in use: rate limits and live updates are per process.")


def _init_extensions(app: Flask) -> None:
    use_redis = app.config["USE_REDIS"]
    app.config.setdefault(
        "RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] if use_redis else "memory://"
    )
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            watch_connections(engine)
    app.teardown_appcontext(end_session)  # runs first: teardowns go in reverse
    migrate.init_app(app, db, render_as_batch=True, compare_type=True,
                     include_object=include_in_autogenerate)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)
    login_manager.unauthorized_handler(errors.unauthorized)
    login_manager.session_protection = app.config["SESSION_PROTECTION"]
    socketio.init_app(
        app,
        # always named: the extension object outlives an app (tests make several), and
        # without one it would keep the previous app's queue
        client_manager=RedisMessageQueue(
            app.config["REDIS_URL"], channel=app.config["SOCKETIO_CHANNEL"],
            redis_options=redis_client_options()) if use_redis else None,
        # None lets Engine.IO accept this host only; configured origins widen that.
        cors_allowed_origins=security.allowed_origins(app)
        if app.config["SOCKETIO_ALLOWED_ORIGINS"] else None,
        async_mode="threading",
    )
    # Flask-SocketIO's own wrapping is in place: this goes around it
    app.wsgi_app = uncompressed_websockets(app.wsgi_app)  # type: ignore[method-assign]


def uncompressed_websockets(wsgi_app):
    """WebSocket handshakes without the client's offer of per-message compression
    (``Sec-WebSocket-Extensions: permessage-deflate``, which browsers always make).
    simple-websocket accepts every such offer, and then deflates each frame separately for
    each connection: a board's change to 500 people is compressed 500 times, for messages of
    a few hundred bytes that hardly shrink, and each connection keeps a zlib stream. Measured
    with bench/boards.py (500 clients, 10 changes a second): the time until every client has
    a change fell from p95 326 to 82 ms, and the changes a second that reached everyone flat
    out from 11.9 to 20.8."""

    def app(environ, start_response):
        if environ.get("HTTP_UPGRADE", "").lower() == "websocket":
            environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return wsgi_app(environ, start_response)

    return app

