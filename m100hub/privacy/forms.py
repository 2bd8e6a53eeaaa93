from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class AcceptForm(FlaskForm):
    accept = BooleanField(
        _l("I accept the terms of use and I have read the privacy notice"),
        validators=[DataRequired(_l("Tick the box to accept the terms of use."))])


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your password"), validators=[DataRequired(), Length(max=200)],
        description=_l("To be sure it is you."), render_kw={"autocomplete": "current-password"})


class EraseOnRequestForm(FlaskForm):
    """The secretariat deletes an account on its owner's request: typing the address makes
    sure it is the right one."""

    email = EmailField(_l("The account's e-mail address"),
                       validators=[DataRequired(), Length(max=254)])
