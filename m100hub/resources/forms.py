"""The library's forms: a knowledge item (a good practice's extra fields among them), a
funding call, retiring. They validate and never write."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.utils import secure_filename
from wtforms import DateField, IntegerField, SelectField, StringField
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
from .models import Applicant, Language, ResourceKind

#: the largest amount a form takes (the columns hold far more)
MAX_AMOUNT = 10**13
CURRENCIES = [("EUR", "EUR"), ("RON", "RON"), ("USD", "USD")]
#: an HTML tag, comment or declaration typed into a plain-text field
MARKUP = re.compile(r"<\s*[a-zA-Z!/?]")
PDF_MAGIC = b"%PDF-"


def no_markup(form, field) -> None:
    """Plain-text fields take no HTML: it would only be shown as text (Markdown fields are
    cleaned when rendered)."""
    if isinstance(field.data, str) and MARKUP.search(field.data):
        raise ValidationError(_l("Write plain text here, without HTML tags."))


def web_address(form, field) -> None:
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in field.data:
        raise ValidationError(_l("Give a web address starting with http:// or https://."))


def _text(label, maximum, required=True, description=None):
    validators = [DataRequired(), not_blank] if required else [Optional()]
    return StringField(label, description=description,
                       validators=[*validators, Length(max=maximum), no_markup])


def _amount(label):
    return IntegerField(label, validators=[Optional(), NumberRange(
        min=0, max=MAX_AMOUNT, message=_l("A whole number, zero or more."))])


class ResourceForm(StrippedMixin, FlaskForm):
    kind = SelectField(_l("Kind"), choices=ResourceKind.choices())
    title = StringField(_l("Title"), validators=[DataRequired(), not_blank, Length(3, 200),
                                                 no_markup])
    summary = markdown_field(_l("Summary"), max_length=10000)
    url = StringField(_l("Web address (or upload a PDF below)"),
                      validators=[Optional(), Length(max=500), web_address])
    document = FileField(_l("PDF file (optional)"), render_kw={"accept": "application/pdf"},
                         description=_l("A PDF of at most 10 MB."))
    language = SelectField(_l("Language"), choices=Language.choices())
    sectors = MultiCheckboxField(_l("Sectors"), choices=ClimateSector.choices())
    city_ids = MultiCheckboxField(_l("Cities it is about"), coerce=int, choices=[])
    tags = _text(_l("Tags (optional, separated by commas)"), 300, required=False)
    organisation_id = OptionalIdField(_l("Publisher organisation"))
    practice_city_id = OptionalIdField(_l("Good practice: the city that did it"))
    action_id = OptionalIdField(_l("Good practice: the action of its climate contract "
                                   "(optional)"))
    cost = _text(_l("Good practice: what it cost"), 200, required=False)
    result = markdown_field(_l("Good practice: the result"), required=False, max_length=5000)
    contact = _text(_l("Good practice: whom to contact"), 300, required=False)

    #: the PDF read by validate_document: (safe file name, bytes)
    pdf: tuple[str, bytes] | None = None

    def validate_document(self, field) -> None:
        upload = field.data
        if upload is None or not getattr(upload, "filename", ""):
            return
        limit = current_app.config["MAX_UPLOAD_LENGTH"]
        data = upload.read(limit + 1)
        if len(data) > limit:
            raise ValidationError(_l("The file is too large: at most 10 MB."))
        if not data.startswith(PDF_MAGIC):
            raise ValidationError(_l("Upload a PDF file."))
        name = secure_filename(upload.filename)[:100] or "document"
        self.pdf = (name if name.lower().endswith(".pdf") else f"{name}.pdf", data)

    #: the item edited has an uploaded PDF already (then the address may stay empty)
    has_file: bool = False

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        uploaded = bool(getattr(self.document.data, "filename", ""))
        if not self.url.data and not uploaded and not self.has_file:
            self.url.errors = [*self.url.errors, _l("Give a web address or upload a PDF.")]
            return False
        return valid

    def validate_practice_city_id(self, field) -> None:
        if self.kind.data == ResourceKind.GOOD_PRACTICE.value and not field.data:
            raise ValidationError(_l("Choose the city of the good practice."))

    #: action id → its city's id (set by the view with the action choices)
    action_cities: dict[int, int] = {}  # noqa: RUF012 (replaced per form, never mutated)

    def validate_action_id(self, field) -> None:
        if field.data and self.action_cities.get(field.data) != self.practice_city_id.data:
            raise ValidationError(_l("Choose an action of the practice's own city."))

    def data_for_service(self) -> dict:
        return {name: self[name].data for name in (
            "kind", "title", "summary", "url", "language", "sectors", "city_ids", "tags",
            "organisation_id", "practice_city_id", "action_id", "cost", "result", "contact")}


class CallForm(StrippedMixin, FlaskForm):
    title = _text(_l("Title"), 200)
    programme = _text(_l("Programme"), 200)
    funder = _text(_l("Funder"), 200)
    call_identifier = _text(_l("Call identifier (optional)"), 120, required=False)
    summary = markdown_field(_l("Summary"), required=False, max_length=10000)
    amount_min = _amount(_l("Smallest grant (optional)"))
    amount_max = _amount(_l("Largest grant (optional)"))
    currency = SelectField(_l("Currency"), choices=CURRENCIES)
    cofinancing_rate = IntegerField(_l("Co-financing by the applicant, % (optional)"),
                                    validators=[Optional(), NumberRange(
                                        min=0, max=100, message=_l("Between 0 and 100."))])
    opens_on = DateField(_l("Opens on (optional)"), validators=[Optional()])
    deadline_dt = LocalDateTimeField(_l("Deadline (Bucharest time)"),
                                     validators=[DataRequired()])
    url = StringField(_l("Official call page"), validators=[
        DataRequired(), Length(max=500), web_address])
    sectors = MultiCheckboxField(_l("Sectors"), choices=ClimateSector.choices())
    applicants = MultiCheckboxField(_l("Who may apply"), choices=Applicant.choices())
    organisation_id = OptionalIdField(_l("Publisher organisation"))

    #: a new call must close in the future; an edited one may be closed already
    creating: bool = True

    def validate_deadline_dt(self, field) -> None:
        if self.creating and field.data is not None and field.data <= utcnow():
            raise ValidationError(_l("The deadline of a new call must be in the future."))
        opens = self.opens_on.data
        if field.data is not None and opens is not None and opens > field.data.date():
            raise ValidationError(_l("The deadline cannot come before the opening."))

    def validate_applicants(self, field) -> None:
        # not DataRequired: it would mark every box "required" in the browser
        if not field.data:
            raise ValidationError(_l("Choose who may apply."))

    def validate_amount_max(self, field) -> None:
        low = self.amount_min.data
        if field.data is not None and low is not None and field.data < low:
            raise ValidationError(_l("The largest grant cannot be below the smallest."))

    def data_for_service(self) -> dict:
        return {name: self[name].data for name in (
            "title", "programme", "funder", "call_identifier", "summary", "amount_min",
            "amount_max", "currency", "cofinancing_rate", "opens_on", "deadline_dt", "url",
            "sectors", "applicants", "organisation_id")}


class RetireForm(StrippedMixin, FlaskForm):
    reason = StringField(_l("Why it is retired"), validators=[
        DataRequired(), not_blank, Length(max=500), no_markup])
