from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional

from ..cities.models import MissionStatus
from ..forms import StrippedMixin
from ..media.forms import ImageFields


class RoleForm(FlaskForm):
    role = HiddenField(validators=[AnyOf(["admin", "moderator"])])
    grant = HiddenField(validators=[AnyOf(["1", "0"])])


class CityForm(ImageFields, StrippedMixin, FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(2, 120)])
    county = StringField(_l("County"), validators=[Optional(), Length(max=60)])
    population = IntegerField(
        _l("Population (optional)"), validators=[Optional(), NumberRange(min=0, max=50_000_000)]
    )
    mission_status = SelectField(
        _l("Mission status"), choices=MissionStatus.choices(), validators=[DataRequired()]
    )
    summary = TextAreaField(
        _l("Introduction (Markdown, optional)"), validators=[Optional(), Length(max=5000)]
    )
