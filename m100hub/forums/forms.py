from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ..cities.models import ClimateSector
from ..forms import OptionalIdField, StrippedMixin, markdown_field, not_blank
from ..moderation.forms import OptionalReasonForm

TAG = re.compile(r"^[a-z0-9][a-z0-9-]{0,29}$")
MAX_TAGS = 5


def _body_field(label=_l("Message")):
    return markdown_field(label, description=_l(
        "Markdown: **bold**, _italic_, [link](https://…), > quote, - list. Mention someone "
        "with @handle."))


class ReplyForm(StrippedMixin, FlaskForm):
    body = _body_field()


class ThreadForm(StrippedMixin, FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), not_blank, Length(3, 160)])
    body = _body_field()
    city_id = OptionalIdField(_l("City (optional)"))
    tags = StringField(_l("Tags (optional)"), validators=[Length(max=200)],
                       description=_l("Up to five words, separated by spaces: e.g. solar "
                                      "renovare"))
    #: what the thread is about, when started from a consultation's or an event's page
    consultation_id = HiddenField(validators=[Optional(), Regexp(r"^[0-9]{1,9}$")])
    event_id = HiddenField(validators=[Optional(), Regexp(r"^[0-9]{1,9}$")])

    def tag_list(self) -> list[str]:
        return sorted(set((self.tags.data or "").lower().split()))

    def validate_tags(self, field):
        tags = self.tag_list()
        if len(tags) > MAX_TAGS or not all(TAG.match(t) for t in tags):
            raise ValidationError(_l("Use up to five tags of letters, digits and hyphens."))


class EditForm(StrippedMixin, FlaskForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(3, 160)])
    body = _body_field()


class MoveForm(OptionalReasonForm):
    category_id = OptionalIdField(_l("Move to"), validators=[DataRequired()])


class CategoryForm(StrippedMixin, FlaskForm):
    name = StringField(_l("Name (Romanian)"), validators=[DataRequired(), Length(2, 80)])
    name_en = StringField(_l("Name (English, optional)"), validators=[Length(max=80)])
    description = StringField(_l("Description (Romanian)"), validators=[Length(max=300)])
    description_en = StringField(_l("Description (English, optional)"),
                                 validators=[Length(max=300)])
    sector = SelectField(_l("Sector (optional)"),
                         choices=[("", _l("— none —")), *ClimateSector.choices()])
    city_id = OptionalIdField(_l("City (optional)"))
    position = IntegerField(_l("Position"), default=50,
                            validators=[Optional(), NumberRange(min=0, max=1000)])
    archived = BooleanField(_l("Archived (read-only)"))
