from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..forms import StrippedMixin, not_blank
from .models import BoardAccess
from .services import TEMPLATES


class BoardForm(StrippedMixin, FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), not_blank, Length(max=200)])
    template = SelectField(_l("Columns"), choices=[(k, v[0]) for k, v in TEMPLATES.items()],
                           default="challenges")
    access = RadioField(_l("Who takes part"), choices=BoardAccess.choices(),
                        default=BoardAccess.REGISTRANTS.value)
    vote_budget = IntegerField(_l("Dots per person"), default=5, validators=[
        InputRequired(), NumberRange(min=0, max=100, message=_l("From 0 to 100."))])
    multiple_dots = BooleanField(_l("Several dots on one card"))


class FacilitatorForm(StrippedMixin, FlaskForm):
    handle = StringField(_l("Handle"), validators=[DataRequired(), not_blank, Length(max=40)],
                         description=_l("The person's @handle, without the @."))


class PromoteForm(StrippedMixin, FlaskForm):
    target = RadioField(_l("Turn it into"), default="thread", choices=[
        ("thread", _l("A forum thread")), ("proposal", _l("A proposal in a consultation"))])
    title = StringField(_l("Title"), validators=[DataRequired(), not_blank, Length(max=200)])
    category = SelectField(_l("Forum category"), choices=[], validate_choice=False)
    consultation = SelectField(_l("Consultation"), choices=[], validate_choice=False)
