from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import (
    URL,
    AnyOf,
    DataRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..cities.models import ClimateSector
from ..forms import (
    LocalDateTimeField,
    MultiCheckboxField,
    OptionalIdField,
    StrippedMixin,
    markdown_field,
    not_blank,
)
from ..media.forms import ImageFields
from .models import Attendance, EventKind

HANDLES = re.compile(r"[\s,]+")
MAX_CO_ORGANISERS = 10


class EventForm(ImageFields, StrippedMixin, FlaskForm):
    kind = SelectField(_l("Kind of event"), choices=EventKind.choices())
    title = StringField(_l("Title"), validators=[DataRequired(), not_blank, Length(5, 200)])
    description = markdown_field(_l("Description"), required=False)
    city_id = OptionalIdField(_l("City (optional)"))
    sectors = MultiCheckboxField(_l("Sectors concerned"), choices=ClimateSector.choices())
    starts_at = LocalDateTimeField(_l("Starts (Bucharest time)"), validators=[DataRequired()])
    ends_at = LocalDateTimeField(_l("Ends (Bucharest time)"), validators=[DataRequired()])
    attendance = SelectField(_l("How people take part"), choices=Attendance.choices())
    address = StringField(_l("Address (in person)"), validators=[Length(max=300)])
    online_url = URLField(_l("Meeting link (online)"), validators=[Length(max=500)],
                          description=_l("Shown only to people with a confirmed place."))
    capacity = IntegerField(_l("Places (empty: no limit)"),
                            validators=[Optional(), NumberRange(min=1, max=100000)])
    registration_opens_at = LocalDateTimeField(_l("Registration opens (optional)"),
                                               validators=[Optional()])
    registration_closes_at = LocalDateTimeField(
        _l("Registration deadline (optional; otherwise the start)"), validators=[Optional()])
    organisation_id = OptionalIdField(_l("On behalf of (optional)"))
    co_organisers = StringField(
        _l("Co-organisers (optional)"), validators=[Length(max=400)],
        description=_l("Their @handles, separated by spaces. They manage the event with you."))

    def handles(self) -> list[str]:
        return [h.lstrip("@").lower() for h in HANDLES.split(self.co_organisers.data or "") if h]

    def validate_ends_at(self, field):
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The event must end after it starts."))

    def validate_address(self, field):
        if self.attendance.data in ("in_person", "hybrid") and not field.data:
            raise ValidationError(_l("Give the address for people who come in person."))

    def validate_online_url(self, field):
        if not field.data:
            if self.attendance.data in ("online", "hybrid"):
                raise ValidationError(_l("Give the meeting link for people who join online."))
            return
        URL(require_tld=False, message=_l("Enter a full web address."))(self, field)
        if not field.data.lower().startswith("https://"):
            raise ValidationError(_l("The meeting link must start with https://."))

    def validate_registration_opens_at(self, field):
        if field.data and self.starts_at.data and field.data >= self.starts_at.data:
            raise ValidationError(_l("Registration must open before the event starts."))

    def validate_registration_closes_at(self, field):
        starts, opens = self.starts_at.data, self.registration_opens_at.data
        if field.data and starts and field.data > starts:
            raise ValidationError(_l("Registration must close before the event starts."))
        if field.data and opens and field.data <= opens:
            raise ValidationError(_l("Registration must close after it opens."))

    def validate_co_organisers(self, field):
        if len(self.handles()) > MAX_CO_ORGANISERS:
            raise ValidationError(_l("At most %(n)s co-organisers.", n=MAX_CO_ORGANISERS))


class ReasonForm(StrippedMixin, FlaskForm):
    reason = TextAreaField(_l("Reason (sent to everyone registered)"),
                           validators=[DataRequired(), not_blank, Length(max=500)])


class MessageForm(StrippedMixin, FlaskForm):
    message = TextAreaField(_l("Message to everyone registered"),
                            validators=[DataRequired(), not_blank, Length(max=1000)])


class MaterialsForm(StrippedMixin, FlaskForm):
    materials = markdown_field(_l("Materials: slides, notes, links"), required=False)


class CheckInForm(StrippedMixin, FlaskForm):
    code = StringField(_l("Ticket code"), validators=[DataRequired(), Length(4, 12)])


class CancelRegistrationForm(FlaskForm):
    """The confirmation page's form: its hidden field tells it from an old one-click form."""

    confirmed = HiddenField(validators=[AnyOf(["yes"])])
