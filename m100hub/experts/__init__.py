"""Experts between cities: people and organisations offer expertise in a directory (and hide
it at any time); officials post requests for expertise, experts answer, the officials mark
who helped. People write to experts through the hub, never seeing an e-mail address."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..features import Feature, MarkdownField, MenuItem

bp = Blueprint("experts", __name__, template_folder="templates")

from . import demo, kinds, personal_data, request_views, search, views  # noqa: E402,F401
from .models import ExpertiseAnswer, ExpertiseRequest, ExpertProfile  # noqa: E402

feature = Feature(
    "experts", blueprint=bp, models="m100hub.experts.models",
    menu=[MenuItem("experts.index", _l("Experts"), order=50)],
    markdown=[MarkdownField(ExpertProfile, "bio", "bio_html"),
              MarkdownField(ExpertiseRequest, "body", "body_html"),
              MarkdownField(ExpertiseAnswer, "body", "body_html")],
    rate_limits={"RATE_LIMIT_EXPERT_MESSAGE": "5 per minute;30 per day"},
    demo=demo.seed, personal_data=personal_data.PERSONAL_DATA, search=search.SEARCH,
)
