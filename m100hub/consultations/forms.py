from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..cities.models import ClimateSector
from ..database import utcnow
from ..forms import (
    LocalDateTimeField,
    MultiCheckboxField,
    OptionalIdField,
    StrippedMixin,
    markdown_field,
    not_blank,
)
from ..media.forms import ImageFields
from ..util import MAX_ID
from .models import ProposalStatus, QuestionKind

MAX_OPTIONS = 20


class ConsultationForm(ImageFields, StrippedMixin, FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), not_blank, Length(5, 200)])
    summary = TextAreaField(_l("Summary"), validators=[DataRequired(), not_blank,
                                                       Length(max=500)],
                            description=_l("One or two sentences, shown in lists."))
    body = markdown_field(_l("What is being decided"), required=False)
    city_id = OptionalIdField(_l("City"))
    sectors = MultiCheckboxField(_l("Sectors concerned"), choices=ClimateSector.choices())
    opens_at = LocalDateTimeField(_l("Voting opens (Bucharest time)"),
                                  validators=[DataRequired()])
    closes_at = LocalDateTimeField(_l("Voting closes (Bucharest time)"),
                                   validators=[DataRequired()])
    results_while_open = BooleanField(_l("Show the running results while voting is open"))
    results_due_on = DateField(
        _l("Results to be published by (optional)"), validators=[Optional()],
        description=_l("Told to the voters once voting has closed."))

    def validate_closes_at(self, field):
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("Voting must close after it opens."))

    def validate_results_due_on(self, field):
        closes = self.closes_at.data if "closes_at" in self else None
        if field.data and closes and field.data < closes.date():
            raise ValidationError(_l("The results cannot be due before voting closes."))


class QuestionForm(StrippedMixin, FlaskForm):
    text = StringField(_l("Question"), validators=[DataRequired(), not_blank, Length(3, 300)])
    help_text = TextAreaField(_l("Explanation (optional)"), validators=[Length(max=1000)])
    kind = SelectField(_l("Type of question"), choices=QuestionKind.choices())
    max_choices = IntegerField(
        _l("At most this many choices (approval) or ranks (ranked; empty: all)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_OPTIONS)])
    options = TextAreaField(
        _l("Options, one per line"), validators=[Length(max=MAX_OPTIONS * 201)],
        description=_l("Not needed for yes / no / abstain questions."))

    def option_lines(self) -> list[str]:
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]

    def validate_options(self, field):
        if self.kind.data == "yes_no":
            return
        lines = self.option_lines()
        if not 2 <= len(lines) <= MAX_OPTIONS:
            raise ValidationError(_l("Give between 2 and %(n)s options.", n=MAX_OPTIONS))
        if any(len(line) > 200 for line in lines):
            raise ValidationError(_l("An option may have at most 200 characters."))
        if len({line.casefold() for line in lines}) != len(lines):
            raise ValidationError(_l("Two options have the same text."))

    def validate_max_choices(self, field):
        if field.data is None or self.kind.data not in ("approval", "ranked"):
            return
        if field.data > max(len(self.option_lines()), 1):
            raise ValidationError(_l("There are fewer options than that."))


class ExtendForm(StrippedMixin, FlaskForm):
    closes_at = LocalDateTimeField(_l("New closing time (Bucharest time)"),
                                   validators=[DataRequired()])


class CloseEarlyForm(StrippedMixin, FlaskForm):
    reason = TextAreaField(_l("Why voting closes now (public)"),
                           validators=[DataRequired(), not_blank, Length(max=500)],
                           description=_l("Shown on the consultation's page and in the public "
                                          "activity log."))
    results_due_on = DateField(_l("Results to be published by (optional)"),
                               validators=[Optional()])

    def validate_results_due_on(self, field):
        if field.data and field.data < utcnow().date():
            raise ValidationError(_l("Choose today or a later day."))


class PublishForm(StrippedMixin, FlaskForm):
    response = markdown_field(_l("Official response: what we did with your input"))


class ProposalForm(StrippedMixin, FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), not_blank, Length(5, 160)])
    body = markdown_field(_l("Your proposal"), max_length=10000)


class ProposalStatusForm(StrippedMixin, FlaskForm):
    status = SelectField(_l("Status"), choices=ProposalStatus.choices())
    reason = TextAreaField(_l("Reason (public)"), validators=[DataRequired(), not_blank,
                                                             Length(max=1000)])


class CommentForm(StrippedMixin, FlaskForm):
    body = markdown_field(_l("Comment"), max_length=5000)
    parent_id = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])

