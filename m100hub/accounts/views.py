from __future__ import annotations

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from .. import mail
from ..cities.queries import city_choices
from ..database import commit, sqlite_transactions
from ..extensions import db
from ..i18n import LANG_COOKIE, remember_language
from ..permissions import get_or_404, open_to_unconfirmed
from ..security import accepts_files, fresh_csrf_token, limit, safe_next, signing_in_address
from . import bp, services, tokens
from .forms import (
    ChangePasswordForm,
    EmailOnlyForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SignupForm,
)
from .models import User

#: the largest id a database integer column holds; larger ones 404 instead of failing in SQL


@bp.route("/signup", methods=["GET", "POST"])
@open_to_unconfirmed
@limit("RATE_LIMIT_SIGN_UP")
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignupForm(locale=request.cookies.get(LANG_COOKIE) or "ro")
    form.home_city_id.choices = city_choices(_("— none —"))
    if form.validate_on_submit():
        email = services.normalise_email(form.email.data)
        try:
            user = services.create_user(
                form.display_name.data, email, form.password.data, form.sector.data,
                form.home_city_id.data, form.locale.data, accepted=True,
            )
            services.send_confirmation(user)
            commit()
        except (services.EmailTaken, IntegrityError):
            # The same page as any sign-up, so the form tells nobody who has an account.
            db.session.rollback()
            services.tell_owner_of_signup(email)
            commit()
        response = make_response(render_template("accounts/signup_done.html", email=email))
        remember_language(response, form.locale.data)
        return response
    return render_template("accounts/signup.html", form=form)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@open_to_unconfirmed
def confirm(token):
    """GET shows a button and POST confirms: mail scanners that open links only GET.

    The press that confirms the address also signs its person in, when nobody is signed in
    here and the link is recent (CONFIRM_SIGN_IN_MAX_AGE): once only — a later press, or a
    copy of the link, confirms nothing more and signs nobody in."""
    try:
        user, recent = tokens.person_to_confirm(token)
    except tokens.InvalidToken as exc:
        return render_template("accounts/confirm_failed.html", expired=exc.expired), 400
    if request.method == "GET":
        return render_template("accounts/confirm.html", person=user)
    confirmed_now = services.confirm_email(user)
    commit()
    if current_user.is_authenticated:
        flash(_("Thank you, your e-mail address is confirmed."), "success")
        return redirect(url_for("main.home"))
    if not (confirmed_now and recent):
        flash(_("Thank you, your e-mail address is confirmed. Please sign in."), "success")
        return redirect(url_for(".login"))
    login_user(user)
    fresh_csrf_token()
    flash(_("Thank you, your e-mail address is confirmed. Welcome, %(name)s!",
            name=user.display_name), "success")
    return remember_language(redirect(url_for("main.home")), user.locale)


@bp.route("/confirm", methods=["POST"])
@open_to_unconfirmed
@login_required
@limit("RATE_LIMIT_RESET")
def resend_confirmation():
    """A new confirmation link: for an address not yet confirmed, or one our e-mail bounces
    from (confirming it again clears the bounce)."""
    bouncing = mail.bounce_of(current_user.email) is not None
    if not current_user.is_confirmed or bouncing:
        services.send_confirmation(current_user)
        commit()
        flash(_("We sent you a new confirmation link."), "success")
    return redirect(url_for(".edit_profile" if bouncing else "main.home"))


@bp.route("/login", methods=["GET", "POST"])
@open_to_unconfirmed
@limit("RATE_LIMIT_SIGN_IN")
@limit("RATE_LIMIT_SIGN_IN_ACCOUNT", key_func=signing_in_address)
@sqlite_transactions("DEFERRED")  # reads only
def login():
    next_url = safe_next(request.values.get("next"), url_for("main.home"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            fresh_csrf_token()
            flash(_("Welcome, %(name)s!", name=user.display_name), "success")
            return remember_language(redirect(next_url), user.locale)
        form.form_errors.append(_("The e-mail address or the password is wrong."))
    return render_template("accounts/login.html", form=form, next=next_url)


@bp.route("/logout", methods=["POST"])
@open_to_unconfirmed
def logout():
    """Signing out ends the account's sessions on the server too: a session or remember
    cookie copied before it no longer opens anything."""
    if current_user.is_authenticated:
        services.end_sessions(current_user)
        commit()
    logout_user()
    flash(_("You are signed out."), "success")
    return redirect(url_for("main.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@open_to_unconfirmed
@limit("RATE_LIMIT_RESET")
def forgot_password():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        commit()
        # The same answer, and the same work, whether or not the address has an account.
        return render_template("accounts/forgot_done.html")
    return render_template("accounts/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@open_to_unconfirmed
@limit("RATE_LIMIT_RESET")
def reset_password(token):
    try:
        user = tokens.person_to_reset(token)
    except tokens.InvalidToken as exc:
        return render_template("accounts/reset_failed.html", expired=exc.expired), 400
    form = ResetPasswordForm(person=user)
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        services.confirm_email(user)  # the link proved the address
        commit()
        logout_user()
        flash(_("Your password has been changed. Please sign in."), "success")
        return redirect(url_for(".login"))
    return render_template("accounts/reset.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
@accepts_files("image")
def edit_profile():
    form = ProfileForm(obj=current_user, person=current_user)
    form.home_city_id.choices = city_choices(_("— none —"))
    if request.method == "GET":
        form.home_city_id.data = current_user.home_city_id or 0
        form.sector.data = current_user.sector.value
    if form.validate_on_submit():
        try:
            services.update_profile(
                current_user, form.display_name.data, form.handle.data, form.sector.data,
                form.home_city_id.data, form.locale.data, form.bio.data,
            )
            current_user.image = form.apply_image(current_user.image)
            commit()
        except services.HandleTaken:
            db.session.rollback()
            form.handle.errors.append(_("Someone else has this handle; choose another."))
        else:
            flash(_("Your profile is saved."), "success")
            return remember_language(redirect(url_for(".edit_profile")), current_user.locale)
    return render_template("accounts/edit_profile.html", form=form,
                           bounce=mail.bounce_of(current_user.email))


@bp.route("/account/password", methods=["GET", "POST"])
@open_to_unconfirmed
@login_required
def change_password():
    user = current_user._get_current_object()  # not the proxy: login_user stores it in g
    form = ChangePasswordForm(person=user)
    if form.validate_on_submit():
        if services.authenticate(user.email, form.current.data) is None:
            form.current.errors.append(_("The current password is wrong."))
        else:
            services.set_password(user, form.password.data)
            commit()
            # This session stays, under the new token; so does its remember-me cookie.
            login_user(user, remember="remember_token" in request.cookies)
            flash(_("Your password has been changed; your other sessions have ended."), "success")
            return redirect(url_for(".edit_profile"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/u/<id:user_id>")
def profile(user_id):
    user = get_or_404(User, user_id, joinedload(User.home_city), joinedload(User.image))
    if not user.is_confirmed and user != current_user:
        abort(404)
    return render_template("accounts/profile.html", person=user)
