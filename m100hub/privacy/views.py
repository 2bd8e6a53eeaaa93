from __future__ import annotations

import json
from urllib.parse import urlsplit

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ..accounts.services import authenticate, outdated_documents, record_acceptance
from ..database import commit, utcnow
from ..extensions import db
from ..features import registry
from ..page_cache import anonymous_page
from ..permissions import WRITING_METHODS, open_to_unconfirmed
from ..security import limit, safe_next
from . import bp, services
from .forms import AcceptForm, DeleteAccountForm


def _documents() -> dict:
    config = current_app.config
    return {"controller": config["PRIVACY_CONTROLLER"], "address": config["PRIVACY_ADDRESS"],
            "contact": config["PRIVACY_EMAIL"], "privacy_version": config["PRIVACY_VERSION"],
            "terms_version": config["TERMS_VERSION"]}


@bp.route("/privacy")
@anonymous_page
def notice():
    return render_template("privacy/notice.html", **_documents())


@bp.route("/terms")
@anonymous_page
def terms():
    return render_template("privacy/terms.html", **_documents())


def documents_to_accept() -> list[str]:
    """For templates: what the signed-in person has yet to accept ("terms", "privacy")."""
    if not current_user.is_authenticated:
        return []
    return outdated_documents(current_user)


@bp.before_app_request
def current_documents_before_writing():
    """Before every request, in one place: a signed-in person who has not accepted the
    current terms and privacy notice writes nothing but what the accounts let anyone do
    (sign out, the language, the password: ``open_to_unconfirmed``) and this feature's own
    pages; they are sent to accept them first, and told that nothing was saved."""
    if request.method not in WRITING_METHODS or not current_user.is_authenticated:
        return None
    view = current_app.view_functions.get(request.endpoint or "")
    if (view is None or getattr(view, "open_to_unconfirmed", False)
            or request.blueprint == "privacy"):
        return None
    if not outdated_documents(current_user):
        return None
    flash(_("The terms of use or the privacy notice have changed: please read and accept "
            "them. Nothing was saved; send it again afterwards."), "error")
    back = urlsplit(request.referrer or "")
    return redirect(url_for("privacy.accept", next=back.path if back.path else None), 303)


@bp.route("/terms/accept", methods=["GET", "POST"])
@open_to_unconfirmed
@login_required
def accept():
    next_url = safe_next(request.values.get("next"), url_for("main.home"))
    form = AcceptForm()
    if form.validate_on_submit():
        record_acceptance(current_user)
        commit()
        flash(_("Thank you: you accepted the current terms of use."), "success")
        return redirect(next_url, 303)
    return render_template("privacy/accept.html", form=form, next=next_url,
                           outdated=outdated_documents(current_user), **_documents())


@bp.route("/account/data")
@login_required
def my_data():
    """Everything the hub holds about the signed-in person, readable (and printable)."""
    return render_template("privacy/my_data.html", parts=registry().export_person(current_user),
                           generated=utcnow())


@bp.route("/account/data.json")
@login_required
def my_data_json():
    parts = registry().export_person(current_user)
    document = {"generated": utcnow().isoformat(), "hub": "M100 Hub",
                "data": {name: {r.key: r.rows for r in records}
                         for name, records in parts.items()}}
    response = make_response(json.dumps(document, ensure_ascii=False, indent=2))
    response.mimetype = "application/json"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="m100hub-data-{current_user.handle}.json"')
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@open_to_unconfirmed
@login_required
@limit("RATE_LIMIT_SIGN_IN")  # the password is checked: no guessing from a taken session
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if authenticate(current_user.email, form.password.data) is None:
            form.password.errors.append(_("The password is wrong."))
        else:
            try:
                services.delete_account(current_user.id)
                commit()
            except services.LastAdmin:
                db.session.rollback()
                form.form_errors.append(_("You are the platform's only administrator: make "
                                          "someone else an administrator first."))
            else:
                logout_user()
                flash(_("Your account is deleted. Thank you for taking part."), "success")
                return redirect(url_for("main.home"), 303)
    return render_template("privacy/delete.html", form=form)

