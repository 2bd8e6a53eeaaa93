from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Length, Optional, ValidationError

from ..forms import OptionalIdField, StrippedMixin
from .models import OrgKind
from .permissions import needs_city


class OrganisationForm(StrippedMixin, FlaskForm):
    name = StringField(_l("Name of the organisation"), validators=[DataRequired(), Length(2, 160)])
    kind = SelectField(
        _l("Kind"), choices=OrgKind.choices(), validators=[DataRequired()]
    )
    city_id = OptionalIdField(_l("City"), description=_l("Required for a municipality."))
    website = URLField(
        _l("Web site (optional)"),
        validators=[Optional(), URL(require_tld=True, message=_l("Enter a full web address.")),
                    Length(max=300)],
    )

    def validate_city_id(self, field):
        if needs_city(self.kind.data) and not field.data:
            raise ValidationError(_l("Choose the city of the municipality."))

    def validate_website(self, field):
        if field.data and not field.data.lower().startswith(("http://", "https://")):
            raise ValidationError(_l("Enter a full web address."))


class DecisionForm(StrippedMixin, FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[("approve", _l("Verify")), ("reject", _l("Decline"))],
        validators=[DataRequired()],
    )
    reason = TextAreaField(
        _l("Reason (shown to the person and in the public activity log)"),
        validators=[Length(max=500)],
    )

    def validate_reason(self, field):
        if self.decision.data == "reject" and not field.data:
            raise ValidationError(_l("Give a reason when you decline."))


class EndMembershipForm(StrippedMixin, FlaskForm):
    reason = StringField(_l("Reason (public)"), validators=[Length(max=500)])
