"""Climate City Contracts: each city's ambition and target, action plan, investment plan and
emissions trajectory, and the national view across cities."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..features import Feature, MarkdownField, MenuItem

bp = Blueprint("contracts", __name__, template_folder="templates")

from . import (  # noqa: E402,F401
    api,
    commitment_views,
    demo,
    kinds,
    links,
    manage_views,
    personal_data,
    sections,
    views,
)
from .models import Action, ActionUpdate, Contract  # noqa: E402

feature = Feature(
    "contracts", blueprint=bp, models="m100hub.contracts.models",
    menu=[MenuItem("contracts.national", _l("Climate contracts"), order=45)],
    markdown=[MarkdownField(Contract, "ambition", "ambition_html"),
              MarkdownField(Action, "description", "description_html"),
              MarkdownField(ActionUpdate, "body", "body_html")],
    sections=sections.SECTIONS, card_parts=sections.CARD_PARTS, demo=demo.seed,
    personal_data=personal_data.PERSONAL_DATA, api=[api.blp],
)
