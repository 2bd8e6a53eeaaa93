from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..database import utcnow
from ..forms import OptionalIdField, StrippedMixin, markdown_field, not_blank
from . import funding_calls
from .models import ActionStatus, ContractSector, FundingKind

#: the largest amount of euros or tonnes a form takes (the columns hold far more)
MAX_AMOUNT = 10**12
YEARS = NumberRange(min=1990, max=2100, message=_l("A year between 1990 and 2100."))


def _amount(label, description=None, required=False):
    return IntegerField(label, description=description, validators=[
        DataRequired() if required else Optional(),
        NumberRange(min=0, max=MAX_AMOUNT, message=_l("A whole number, zero or more."))])


class ContractForm(StrippedMixin, FlaskForm):
    ambition = markdown_field(_l("Ambition statement"), required=False)
    baseline_year = IntegerField(_l("Baseline year"), validators=[InputRequired(), YEARS],
                                 description=_l("The year of the reference emission "
                                                "inventory."))
    target_year = IntegerField(_l("Target year (climate neutral)"),
                               validators=[InputRequired(), YEARS])

    def validate_target_year(self, field):
        if self.baseline_year.data and field.data and field.data <= self.baseline_year.data:
            raise ValidationError(_l("The target year must come after the baseline year."))


class ActionForm(StrippedMixin, FlaskForm):
    sector = SelectField(_l("Sector"), choices=ContractSector.choices())
    title = StringField(_l("Title"), validators=[DataRequired(), not_blank, Length(3, 200)])
    description = markdown_field(_l("Description"), required=False)
    organisation_id = OptionalIdField(_l("Responsible organisation (optional)"))
    status = SelectField(_l("Status"), choices=ActionStatus.choices())
    dropped_reason = StringField(_l("Why it was dropped"), validators=[Length(max=500)],
                                 description=_l("Required when the action is dropped."))
    starts_on = DateField(_l("Starts (optional)"), validators=[Optional()])
    ends_on = DateField(_l("Ends (optional)"), validators=[Optional()])
    expected_reduction = _amount(_l("Expected reduction, tCO2e per year (optional)"))
    progress = IntegerField(_l("Progress, %"), default=0, validators=[
        Optional(), NumberRange(min=0, max=100, message=_l("Between 0 and 100."))])
    cost = _amount(_l("Cost, euros (optional)"))

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end cannot come before the start."))

    def validate_dropped_reason(self, field):
        if self.status.data == ActionStatus.DROPPED.value and not field.data:
            raise ValidationError(_l("Say why the action was dropped."))

    def data_for_service(self) -> dict:
        data = {name: self[name].data for name in (
            "sector", "title", "description", "organisation_id", "status", "dropped_reason",
            "starts_on", "ends_on", "expected_reduction", "progress", "cost")}
        data["progress"] = data["progress"] or 0
        return data


class UpdateForm(StrippedMixin, FlaskForm):
    on_date = DateField(_l("Date"), validators=[InputRequired()])
    body = markdown_field(_l("What happened"), max_length=5000)


class FundingForm(StrippedMixin, FlaskForm):
    source_kind = SelectField(_l("Source"), choices=FundingKind.choices())
    programme = StringField(_l("Programme or funder (optional)"), validators=[Length(max=200)])
    secured = _amount(_l("Secured, euros"), required=False)
    sought = _amount(_l("Still sought, euros"), required=False)
    funding_call_id = OptionalIdField(_l("Funding opportunity (optional)"), default=0,
                                      description=_l("A call of the resources library this "
                                                     "line applies to."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not (self.secured.data or self.sought.data):
            self.sought.errors = [_l("Give an amount secured or sought.")]
            return False
        return valid


def funding_form(**kwargs) -> FundingForm:
    """A funding form whose calls are those the resources library offers now."""
    form = FundingForm(**kwargs)
    source = funding_calls.source()
    form.funding_call_id.choices = [(0, _l("— none —")), *(source.choices() if source else [])]
    return form


class InventoryForm(StrippedMixin, FlaskForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(), YEARS])
    sector = SelectField(_l("Sector"), choices=ContractSector.choices())
    tco2e = IntegerField(_l("Emissions, tCO2e"), validators=[
        InputRequired(), NumberRange(min=0, max=MAX_AMOUNT,
                                     message=_l("A whole number, zero or more."))])
    source = StringField(_l("Source (optional)"), validators=[Length(max=300)])


class LinkForm(StrippedMixin, FlaskForm):
    """"You said, we did": the item (``kind:id``, among the city's, grouped by kind) and why."""

    item = SelectField(_l("Consultation, proposal or discussion"), choices=[],
                       description=_l("A consultation, a proposal or a discussion of the city."))
    explanation = StringField(
        _l("What it changed in the action"), validators=[DataRequired(), not_blank,
                                                         Length(3, 500)],
        description=_l("One or two sentences, shown publicly beside the link."))

    def item_key(self) -> tuple[str, int]:
        kind, _sep, ident = self.item.data.partition(":")
        return kind, int(ident)


class CommitmentForm(StrippedMixin, FlaskForm):
    """An organisation's commitment, proposed by one of its verified members."""

    organisation_id = SelectField(_l("Organisation"), coerce=int, choices=[])
    pledge = StringField(_l("What the organisation commits to"), validators=[
        DataRequired(), not_blank, Length(10, 500)],
        description=_l("Concrete and checkable: what, how much, where."))
    due_on = DateField(_l("By when"), validators=[InputRequired()])

    def validate_due_on(self, field):
        if field.data and field.data < utcnow().date():
            raise ValidationError(_l("The date cannot be in the past."))
        if field.data and field.data.year > 2100:
            raise ValidationError(_l("A year between 1990 and 2100."))


class DecisionForm(StrippedMixin, FlaskForm):
    """The officials' answer to a proposed commitment."""

    decision = RadioField(_l("Answer"), choices=[("accept", _l("Accept")),
                                                  ("decline", _l("Decline"))],
                          validators=[InputRequired()])
    reason = StringField(_l("Reason (public; required when declining)"),
                         validators=[Length(max=500)])

    def validate_reason(self, field):
        if self.decision.data == "decline" and not field.data:
            raise ValidationError(_l("Say why the commitment is declined."))
