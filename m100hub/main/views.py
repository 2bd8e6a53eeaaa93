from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from ..accounts.forms import ActionForm
from ..cities.models import MissionStatus
from ..cities.queries import all_cities
from ..database import commit
from ..i18n import LANG_COOKIE
from ..security import safe_next
from . import bp


@bp.route("/")
def home():
    cities = all_cities()
    mission = [c for c in cities if c.mission_status == MissionStatus.EU_MISSION]
    others = [c for c in cities if c.mission_status != MissionStatus.EU_MISSION]
    return render_template("main/home.html", mission_cities=mission, other_cities=others)


@bp.route("/language", methods=["POST"])
def set_language():
    """The language switch: remembered in a cookie, and on the account when signed in."""
    language = request.form.get("language", "")
    if not ActionForm().validate_on_submit() or language not in current_app.config["LANGUAGES"]:
        abort(400)
    if current_user.is_authenticated and current_user.locale != language:
        current_user.locale = language
        commit()
    response = redirect(safe_next(request.form.get("next"), url_for(".home")), 303)
    response.set_cookie(LANG_COOKIE, language, max_age=31536000, samesite="Lax", httponly=True)
    return response


@bp.route("/healthz")
def health():
    return {"status": "ok"}
