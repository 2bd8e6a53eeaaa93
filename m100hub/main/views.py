from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from ..accounts.services import set_locale
from ..database import commit
from ..features import programme_figures
from ..i18n import remember_language
from ..page_cache import anonymous_page
from ..permissions import open_to_unconfirmed
from ..security import safe_next
from . import bp
from .readiness import check_readiness


@bp.route("/")
@anonymous_page
def home():
    """What one can do now: each feature adds its part ("home" sections: open consultations,
    coming events, active threads, results; "home-mine", for a signed-in person: what awaits
    them), with the programme's figures in one query. Cached whole for visitors."""
    return render_template("main/home.html", figures=programme_figures())


@bp.route("/language", methods=["POST"])
@open_to_unconfirmed
def set_language():
    """The language switch: remembered in a cookie, and on the account when signed in."""
    language = request.form.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    if current_user.is_authenticated and current_user.locale != language:
        set_locale(current_user, language)
        commit()
    return remember_language(
        redirect(safe_next(request.form.get("next"), url_for(".home")), 303), language)


@bp.route("/language/<any(ro, en):language>")
def language_link(language):
    """The switch for visitors who are not signed in: a link that only sets a cookie (no
    session, no form), so anonymous pages carry no per-visitor token."""
    return remember_language(
        redirect(safe_next(request.args.get("next"), url_for(".home")), 303), language)


@bp.route("/healthz")
def health():
    """Liveness: the process answers (no database, no Redis)."""
    return {"status": "ok"}, {"Cache-Control": "no-store"}


@bp.route("/readyz")
def ready():
    """Readiness for load balancers: 503 naming the failing check (readiness.py)."""
    # Flask types current_app as the app; it is the LocalProxy that stands for it
    ok, checks = check_readiness(current_app._get_current_object())  # type: ignore[attr-defined]
    return ({"status": "ok" if ok else "unavailable", "checks": checks}, 200 if ok else 503,
            {"Cache-Control": "no-store"})
