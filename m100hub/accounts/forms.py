from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from ..forms import OptionalIdField, StrippedMixin
from ..media.forms import ImageFields
from . import passwords
from .models import HANDLE_MAX_LENGTH, HANDLE_MIN_LENGTH, HANDLE_RE, Sector, is_reserved_handle

LANGUAGE_CHOICES = [("ro", "Română"), ("en", "English")]


class PasswordPolicy:
    """Applies accounts.passwords to a field. The e-mail/name come from the form's fields if
    present, else from ``form.person`` (the account whose password is being replaced)."""

    def __call__(self, form, field):
        person = getattr(form, "person", None)
        email = getattr(getattr(form, "email", None), "data", "") or getattr(person, "email", "")
        name = getattr(getattr(form, "display_name", None), "data", "") or getattr(
            person, "display_name", ""
        )
        reason = passwords.problem(field.data or "", email=email, name=name)
        if reason:
            raise ValidationError(reason)


def _password_field(label):
    return PasswordField(
        label,
        validators=[DataRequired(), PasswordPolicy()],
        description=_l("At least 10 characters; avoid common passwords."),
        render_kw={"autocomplete": "new-password"},
    )


class ProfileFields(StrippedMixin, FlaskForm):
    display_name = StringField(
        _l("Display name"), validators=[DataRequired(), Length(min=2, max=80)],
        render_kw={"autocomplete": "name"},
    )
    sector = SelectField(
        _l("Stakeholder sector"),
        choices=[("", _l("— choose your sector —")), *Sector.choices()],
        validators=[DataRequired()],
        description=_l("Results of consultations are broken down by sector."),
    )
    home_city_id = OptionalIdField(_l("Home city (optional)"))
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class SignupForm(ProfileFields):
    email = EmailField(
        _l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    password = _password_field(_l("Password"))
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    accept = BooleanField(
        _l("I accept the terms of use and I have read the privacy notice"),
        validators=[DataRequired(_l("Accept the terms of use to create an account."))],
    )


def _lower_case(value):
    return value.lower() if isinstance(value, str) else value


class ProfileForm(ImageFields, ProfileFields):
    handle = StringField(
        _l("Handle"), validators=[DataRequired()], filters=[_lower_case],
        description=_l("Others mention you with @handle: %(low)d to %(high)d lower-case "
                       "letters, digits, dots or underscores.",
                       low=HANDLE_MIN_LENGTH, high=HANDLE_MAX_LENGTH),
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )
    bio = TextAreaField(_l("About you (optional)"), validators=[Length(max=500)])

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        #: the account being edited: its current handle stays acceptable as it is
        self.person = person

    def validate_handle(self, field):
        if self.person is not None and field.data == self.person.handle:
            return  # generated handles may be shorter than chosen ones
        if not HANDLE_MIN_LENGTH <= len(field.data) <= HANDLE_MAX_LENGTH:
            raise ValidationError(_l("Use %(low)d to %(high)d characters.",
                                     low=HANDLE_MIN_LENGTH, high=HANDLE_MAX_LENGTH))
        if not HANDLE_RE.fullmatch(field.data):
            raise ValidationError(_l("Use lower-case letters, digits, dots or underscores, "
                                     "beginning and ending with a letter or digit."))
        if is_reserved_handle(field.data):
            raise ValidationError(_l("This handle is kept for the hub itself; choose another."))


class LoginForm(StrippedMixin, FlaskForm):
    email = EmailField(
        _l("E-mail address"), validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device"))


class EmailOnlyForm(StrippedMixin, FlaskForm):
    email = EmailField(
        _l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


class ResetPasswordForm(FlaskForm):
    password = _password_field(_l("New password"))
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        #: the account whose password is set: the policy refuses its name and e-mail
        self.person = person


class ChangePasswordForm(ResetPasswordForm):
    current = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
