"""The styleguide: every component of the design system (static/css/app.css) on one page, in
both languages, as the browser tests render and scan it."""

from __future__ import annotations

import re
from pathlib import Path

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..cities.models import ClimateSector
from ..page_cache import anonymous_page
from . import bp

_TOKEN = re.compile(r"--(?P<name>[a-z]+-\d{3}):\s*(?P<value>#[0-9a-f]{6})")
_SYMBOL = re.compile(r'<symbol id="(?P<name>[a-z-]+)"')


class SampleForm(Form):
    """A form as every form of the hub shows it, one field in error (no CSRF: it goes
    nowhere)."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)],
                        description=_l("A short title says what it is about."))
    sector = SelectField(_l("Sector"), choices=ClimateSector.choices())
    body = TextAreaField(_l("Description"), description=_l("Markdown: **bold**, lists, links."))


def _palette() -> list[tuple[str, str]]:
    css = Path(current_app.static_folder or "", "css", "app.css").read_text()
    return [(found["name"], found["value"]) for found in _TOKEN.finditer(css)]


def _icons() -> list[str]:
    sprite = Path(current_app.static_folder or "", "img", "icons.svg").read_text()
    return [found["name"] for found in _SYMBOL.finditer(sprite)]


@bp.route("/styleguide")
@anonymous_page
def styleguide():
    form = SampleForm(data={"title": "", "sector": "energy"})
    form.validate()
    return render_template("main/styleguide.html", form=form, palette=_palette(),
                           icons=_icons(), sectors=list(ClimateSector))
