from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import StrippedMixin, not_blank


class ReasonForm(StrippedMixin, FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), not_blank, Length(max=500)])


class OptionalReasonForm(StrippedMixin, FlaskForm):
    reason = StringField(_l("Reason (public, optional)"), validators=[Length(max=500)])
