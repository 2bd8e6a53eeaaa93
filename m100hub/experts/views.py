"""The directory of experts, a profile, one's own profile, and writing to an expert."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.models import User
from ..cities.models import ClimateSector
from ..cities.queries import all_cities, by_slug
from ..database import commit_and_redirect
from ..forms import render_form, with_current
from ..page_cache import anonymous_page
from ..permissions import confirmed_required, found_or_404, require
from ..security import limit, person_or_address
from ..submissions import done, submitted_once
from ..util import choice_arg, page_arg
from . import bp, permissions, queries, services
from .forms import MessageForm, ProfileForm
from .models import ExpertMessage, ExpertProfile, Language


@bp.route("/experts")
@anonymous_page
def index():
    sector = choice_arg("sector", [s.value for s in ClimateSector])
    language = choice_arg("language", [lang.value for lang in Language])
    topic = request.args.get("topic", "").strip()[:60]
    city = by_slug(request.args.get("city", "")) if request.args.get("city") else None
    page = queries.directory(page_arg(), sector=sector, topic=topic, language=language,
                             city_id=city.id if city else None)
    return render_template(
        "experts/index.html", page=page, sector=sector, sectors=list(ClimateSector),
        language=language, languages=list(Language), topic=topic, city=city,
        cities=all_cities(), can_offer=permissions.can_offer(current_user),
        sector_labels={s.value: s.label for s in ClimateSector},
        language_labels={lang.value: lang.label for lang in Language})


def _visible_profile(profile_id: int) -> ExpertProfile:
    profile = queries.profile(profile_id)
    if profile is None or not permissions.can_see(current_user, profile):
        abort(404)
    return profile


@bp.route("/experts/<id:profile_id>")
@anonymous_page
def show(profile_id):
    profile = _visible_profile(profile_id)
    return render_template(
        "experts/show.html", profile=profile,
        cities=[] if profile.all_cities else queries.cities_served(profile.id),
        can_contact=permissions.can_contact(current_user, profile),
        mine=current_user.is_authenticated and current_user.id == profile.user_id,
        sector_labels={s.value: s.label for s in ClimateSector},
        language_labels={lang.value: lang.label for lang in Language})


def _profile_form(profile: ExpertProfile | None) -> ProfileForm:
    form = ProfileForm(obj=profile)
    organisations = [(o.id, o.name) for o in queries.verified_organisations(current_user.id)]
    form.organisation_id.choices = [(0, _("— on my own —")), *organisations]
    form.city_ids.choices = [(c.id, c.name) for c in all_cities()]
    if profile is not None and not form.is_submitted():
        form.topics.data = ", ".join(profile.topics)
        form.organisation_id.data = profile.organisation_id or 0
        form.city_ids.data = queries.city_ids_served(profile.id)
    if profile is not None and profile.organisation_id:
        # a membership that ended: saving keeps what the person may not choose anew
        with_current(form.organisation_id.choices,
                     _Current(profile.organisation_id, _("Your current organisation")))
    return form


class _Current:
    """The organisation a profile names, as ``with_current`` reads it."""

    def __init__(self, ident: int, name: str):
        self.id, self.name = ident, name


@bp.route("/experts/me", methods=["GET", "POST"])
@confirmed_required
@submitted_once
def edit_profile():
    require(permissions.can_offer(current_user))
    profile = queries.profile_of(current_user.id)
    form = _profile_form(profile)
    if form.validate_on_submit():
        data = {name: form[name].data for name in (*services.PROFILE_FIELDS, "topics",
                                                   "city_ids")}
        profile = services.save_profile(current_user, profile, data)
        message = (_("Your expert profile is saved.") if profile.listed else
                   _("Your expert profile is saved; it is hidden from the directory."))
        return done(url_for(".show", profile_id=profile.id), message)
    return render_form("experts/edit.html", form, profile=profile)


@bp.route("/experts/me/listed", methods=["POST"])
@confirmed_required
def set_listed():
    """Hide the profile from the directory (and search), or show it again, in one click."""
    profile = found_or_404(queries.profile_of(current_user.id))
    listed = request.form.get("listed") == "1"
    services.set_listed(profile, listed)
    return commit_and_redirect(
        _("Your profile is in the directory again.") if listed else
        _("Your profile is hidden: nobody else sees it, in the directory or in search."),
        url_for(".show", profile_id=profile.id))


def _sent(message: ExpertMessage, recipient: User):
    """The message's page, saying to whom it went."""
    return done(url_for(".message", message_id=message.id),
                _("Your message is sent to %(name)s.", name=recipient.display_name))


@bp.route("/experts/<id:profile_id>/contact", methods=["GET", "POST"])
@confirmed_required
@submitted_once
@limit("RATE_LIMIT_EXPERT_MESSAGE", key_func=person_or_address, scope="expert-message")
def contact(profile_id):
    profile = _visible_profile(profile_id)
    require(permissions.can_contact(current_user, profile))
    form = MessageForm()
    if form.validate_on_submit():
        return _sent(services.send_message(current_user, profile.user, form.body.data),
                     profile.user)
    return render_form("experts/contact.html", form, profile=profile)


def _readable_message(message_id: int) -> ExpertMessage:
    message = queries.message(message_id)
    if message is None or not permissions.can_read_message(current_user, message):
        abort(404)
    return message


@bp.route("/experts/messages/<id:message_id>", methods=["GET", "POST"])
@login_required
@submitted_once
@limit("RATE_LIMIT_EXPERT_MESSAGE", key_func=person_or_address, scope="expert-message")
def message(message_id):
    """A message and the reply form (to the other person of the two)."""
    message = _readable_message(message_id)
    other = message.sender if message.recipient_id == current_user.id else message.recipient
    form = MessageForm()
    if request.method == "POST":
        require(current_user.is_confirmed)
        if form.validate_on_submit():
            return _sent(services.send_message(current_user, other, form.body.data, message),
                         other)
    return render_form("experts/message.html", form, message=message, other=other)
