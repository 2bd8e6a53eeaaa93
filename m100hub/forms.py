"""Form helpers shared by every feature."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from babel import support
from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from .i18n import locale_name
from .memo import Memo

#: the hint under every Markdown text area
MARKDOWN_HELP = _l("Markdown: **bold**, _italic_, [link](https://…), > quote, - list.")


def single_line(form, field):
    """A one-line field (a title, a name) holds no line break: it would break a calendar
    file, an e-mail subject or a CSV row."""
    if isinstance(field.data, str) and ("\n" in field.data or "\r" in field.data):
        raise ValidationError(_l("Write this on a single line."))


#: WTForms' catalogue by language
_WTFORMS_MESSAGES: Memo[support.NullTranslations] = Memo("wtforms catalogues", kept=16)


def _wtforms_messages(language: str) -> support.NullTranslations:
    return _WTFORMS_MESSAGES.get((language,), support.Translations.load, messages_path(),
                                 [language], "wtforms")


class StrippedMixin:
    """Strip surrounding white space from every string field before validation; one-line
    fields refuse line breaks. WTForms' own messages ("Not a valid choice.") come in the
    reader's language from a catalogue read once per language and process: Flask-WTF reads
    it from disk again in each request that makes a form (0.1–0.2 ms of a page with one)."""

    class Meta:
        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return None
            return _wtforms_messages(locale_name())

        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", []))
            cls = unbound_field.field_class
            if issubclass(cls, StringField) and not issubclass(cls, PasswordField):
                filters.append(lambda value: value.strip() if isinstance(value, str) else value)
            field = unbound_field.bind(form=form, filters=filters, **options)
            if issubclass(cls, StringField) and not issubclass(cls, TextAreaField):
                field.validators = [*field.validators, single_line]
            return field


class OptionalIdField(SelectField):
    """A select of ids where 0 means "none"; coerces bad input to a validation error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", _coerce_id)
        kwargs.setdefault("validate_choice", True)
        super().__init__(*args, **kwargs)


class Named(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...


def with_current(choices: list[tuple[int, str]], current: Named | None) -> list[tuple[int, str]]:
    """A select's choices, and the one the record holds (its city, its organisation) when that
    is no longer among them: saving the form keeps what the person may not choose anew."""
    if current is not None and current.id not in dict(choices):
        choices.append((current.id, current.name))
    return choices


def _coerce_id(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError) as exc:
        raise ValueError(str(_l("Not a valid choice."))) from exc


def not_blank(form, field):
    if isinstance(field.data, str) and not field.data.strip():
        raise ValidationError(str(_l("This field is required.")))


def markdown_field(label, *, required: bool = True, max_length: int = 20000,
                   description=MARKDOWN_HELP) -> TextAreaField:
    """A text area for Markdown (rendered and cleaned once, when saved), with its hint."""
    validators = [DataRequired(), not_blank] if required else [Optional()]
    return TextAreaField(label, validators=[*validators, Length(max=max_length)],
                         description=description)


def render_form(template: str, form, **context) -> tuple[str, int]:
    """A form's page: 422 when the form was sent and refused (its errors are on it), else 200."""
    return render_template(template, form=form, **context), 422 if form.errors else 200


def display_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


class LocalDateTimeField(DateTimeLocalField):
    """A date and time typed in the display time zone (Europe/Bucharest); ``data`` is an
    aware datetime in UTC, as stored. (A typed time in the hour the clocks skip or repeat
    takes the zone's usual reading.)"""

    data: datetime | None

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
        super().__init__(*args, tz=display_zone, **kwargs)

    #: the times a form takes: a day or a year either side of them never leaves what Python's
    #: datetime holds (year 1 in Bucharest is not even a time in UTC)
    earliest = datetime(1900, 1, 1, tzinfo=UTC)
    latest = datetime(3000, 1, 1, tzinfo=UTC)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is None:
            return
        try:
            moment = self.data.astimezone(UTC)
        except OverflowError:
            moment = None
        if moment is None or not self.earliest <= moment < self.latest:
            # the nearest bound stands in (never saved: the form is refused), so that other
            # checks can compare with it and "required" does not hide this message
            self.data = self.latest if moment and moment >= self.latest else self.earliest
            raise ValueError(str(_l("Choose a time between the years 1900 and 2999.")))
        self.data = moment


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (an accessible multiple choice)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
