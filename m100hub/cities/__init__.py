"""Cities: EU-mission, M100 mirror and aspiring cities, each with a page that other features
add their sections to."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..features import Feature, MarkdownField, MenuItem

bp = Blueprint("cities", __name__, template_folder="templates")

from . import api, demo, feeds, kinds, search, sections, views  # noqa: E402,F401
from .models import City, ClimateSector  # noqa: E402


def sector_label(value: str) -> str:
    """A climate sector's name in the reader's language, from its value (the lists of
    sectors consultations and events keep); an unknown value as it is."""
    try:
        return ClimateSector(value).label
    except ValueError:
        return value


feature = Feature(
    "cities", blueprint=bp, models="m100hub.cities.models",
    menu=[MenuItem("cities.index", _l("Cities"), order=40)],
    markdown=[MarkdownField(City, "summary", "summary_html")],
    sections=sections.SECTIONS, figures=sections.FIGURES, demo=demo.seed, search=search.SEARCH,
    api=[api.blp], template_globals={"sector_label": sector_label},
)
