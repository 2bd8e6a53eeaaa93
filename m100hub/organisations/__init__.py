"""Organisations and memberships, verified by the secretariat or the organisation's managers."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..features import Feature, MenuItem

bp = Blueprint("organisations", __name__, template_folder="templates")

from . import demo, kinds, personal_data, sections, views  # noqa: E402,F401

feature = Feature(
    "organisations", blueprint=bp, models="m100hub.organisations.models",
    menu=[MenuItem("organisations.index", _l("Organisations"), order=50)],
    sections=sections.SECTIONS, figures=sections.FIGURES, demo=demo.seed,
    personal_data=personal_data.PERSONAL_DATA,
)
