"""The public activity log of what officials, moderators and admins did."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..features import Feature, MenuItem

bp = Blueprint("activity", __name__, template_folder="templates")

from . import api, personal_data, views  # noqa: E402,F401

feature = Feature("activity", blueprint=bp, models="m100hub.activity.models",
                  menu=[MenuItem("activity.index", _l("Activity"), order=60)],
                  personal_data=personal_data.PERSONAL_DATA, api=[api.blp])
