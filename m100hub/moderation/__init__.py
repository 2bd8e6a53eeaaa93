"""Moderation: reports about anything a feature declares reportable, the threshold that hides
an item until a moderator decides, the queue, and hide / keep visible with public reasons."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..features import Feature, MenuItem
from ..permissions import can_moderate

bp = Blueprint("moderation", __name__, template_folder="templates")

from . import kinds, personal_data, views  # noqa: E402,F401
from .queries import waiting_count  # noqa: E402
from .reportables import Reportable  # noqa: E402,F401

feature = Feature(
    "moderation", blueprint=bp, models="m100hub.moderation.models",
    menu=[MenuItem("moderation.queue", _l("Moderation"), order=80, visible=can_moderate,
                   badge=waiting_count)],
    rate_limits={"RATE_LIMIT_REPORT": "5 per minute;50 per hour"},
    personal_data=personal_data.PERSONAL_DATA,
)
