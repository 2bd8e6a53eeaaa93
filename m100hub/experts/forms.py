"""The experts' forms: they validate and never write."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..cities.models import ClimateSector
from ..forms import (
    MultiCheckboxField,
    OptionalIdField,
    StrippedMixin,
    display_zone,
    markdown_field,
    not_blank,
)
from .models import Language

MAX_TOPICS = 12
MAX_TOPIC_LENGTH = 60


def topic_list(text: str | list | None) -> list[str]:
    """The topics typed, separated by commas: trimmed, each once (whatever its case). (A
    form sent without the field holds the profile's stored list.)"""
    if isinstance(text, list):
        text = ",".join(str(topic) for topic in text)
    seen: dict[str, str] = {}
    for topic in (text or "").split(","):
        topic = " ".join(topic.split())
        if topic and topic.casefold() not in seen:
            seen[topic.casefold()] = topic
    return list(seen.values())


def at_least_one(message):
    """A list of checkboxes with something ticked. (``DataRequired`` would mark every box
    ``required``, and a browser would then ask for all of them.)"""

    def check(form, field):
        if not field.data:
            raise ValidationError(message)

    return check


class ProfileForm(StrippedMixin, FlaskForm):
    headline = StringField(_l("What you do, in one line"),
                           validators=[DataRequired(), not_blank, Length(5, 200)],
                           description=_l("For example: energy auditor for public buildings."))
    organisation_id = OptionalIdField(_l("Offered for an organisation"),
                                      description=_l("One you are a verified member of."))
    sectors = MultiCheckboxField(_l("Sectors"), choices=ClimateSector.choices(),
                                 validators=[at_least_one(_l("Choose at least one sector."))])
    topics = StringField(_l("Topics"), validators=[DataRequired(), not_blank, Length(max=800)],
                         description=_l("Separated by commas: heat pumps, public procurement."))
    languages = MultiCheckboxField(_l("Languages you work in"), choices=Language.choices(),
                                   validators=[at_least_one(_l("Choose at least one language."))])
    all_cities = BooleanField(_l("I can help any city"))
    city_ids = MultiCheckboxField(_l("Cities you can serve"), coerce=int)
    bio = markdown_field(_l("About you and your work"), max_length=5000)
    listed = BooleanField(_l("Show my profile in the directory"), default=True)

    def validate_topics(self, field):
        topics = topic_list(field.data)
        if len(topics) > MAX_TOPICS:
            raise ValidationError(_l("At most %(n)s topics.", n=MAX_TOPICS))
        if any(len(topic) > MAX_TOPIC_LENGTH for topic in topics):
            raise ValidationError(_l("A topic has at most %(n)s characters.",
                                     n=MAX_TOPIC_LENGTH))

    def validate_city_ids(self, field):
        if not self.all_cities.data and not field.data:
            raise ValidationError(_l("Choose the cities you can serve, or any city."))


class RequestForm(StrippedMixin, FlaskForm):
    city_id = OptionalIdField(_l("City"), validators=[DataRequired(_l("Choose the city."))])
    title = StringField(_l("What the city needs"),
                        validators=[DataRequired(), not_blank, Length(5, 200)])
    body = markdown_field(_l("Details"), max_length=10000)
    sectors = MultiCheckboxField(_l("Sectors"), choices=ClimateSector.choices(),
                                 validators=[at_least_one(_l("Choose at least one sector."))])
    needed_by = DateField(_l("Needed by"), validators=[DataRequired()])

    def validate_needed_by(self, field):
        if field.data and field.data < datetime.now(display_zone()).date():
            raise ValidationError(_l("Choose a day from today on."))


class AnswerForm(StrippedMixin, FlaskForm):
    body = markdown_field(_l("How you can help"), max_length=5000)


class MessageForm(StrippedMixin, FlaskForm):
    body = TextAreaField(_l("Your message"),
                         validators=[DataRequired(), not_blank, Length(max=3000)],
                         description=_l("Your e-mail address is not shown: the answer comes "
                                        "through the hub."))
