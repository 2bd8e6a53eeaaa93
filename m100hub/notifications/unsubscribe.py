"""One-click unsubscribe (RFC 8058) from the e-mail of notifications, without signing in.

Every such e-mail carries a signed link (itsdangerous, the app's secret; it names the person
and the delivery the e-mail came by: "daily", "weekly", "immediate") and the headers
``List-Unsubscribe: <link>`` and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``. A mail
client's one-click POST, or the button of the confirm page, turns every kind the person gets
that way to "in the app only". A GET only shows that page (mail scanners open links); a
forged, altered or expired link shows a page saying so and changes nothing. The POST needs no
CSRF token: the signed link is its authority, and it can only turn e-mail off.
"""

from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..database import commit
from ..extensions import csrf, db
from . import bp, preferences
from .kinds import BY_EMAIL, Delivery

SALT = "m100-unsubscribe"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def link(user_id: int, delivery: Delivery) -> str:
    """The absolute unsubscribe address for the person's e-mail of ``delivery``."""
    token = _serializer().dumps({"uid": user_id, "d": delivery.value})
    return url_for("notifications.unsubscribe", token=token, _external=True)


def headers(unsubscribe: str) -> dict[str, str]:
    return {"List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _read(token: str) -> tuple[int, Delivery] | str:
    """(person, delivery), or why not: "expired" or "invalid"."""
    max_age = current_app.config["UNSUBSCRIBE_TOKEN_DAYS"] * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        return "expired"
    except BadSignature:
        return "invalid"
    if (not isinstance(data, dict) or not isinstance(data.get("uid"), int)
            or data.get("d") not in {d.value for d in BY_EMAIL}):
        return "invalid"
    users = db.metadata.tables["users"]
    if db.session.scalar(users.select().with_only_columns(users.c.id)
                         .where(users.c.id == data["uid"])) is None:
        return "invalid"
    return data["uid"], Delivery(data["d"])


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    if len(token) > 500:
        abort(404)
    found = _read(token)
    if isinstance(found, str):
        return render_template("notifications/unsubscribe.html", problem=found), 400
    user_id, delivery = found
    if request.method == "GET":
        return render_template("notifications/unsubscribe.html", delivery=delivery,
                               token=token)
    chosen = preferences.of_person(user_id)
    preferences.choose(user_id, {kind: Delivery.APP for kind, way in chosen.items()
                                 if way == delivery})
    commit()
    return render_template("notifications/unsubscribe.html", delivery=delivery, done=True)
