"""The national secretariat's pages: verification, people and roles, cities."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..features import Feature, MenuItem
from ..permissions import is_admin

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

from . import commands, kinds, views  # noqa: E402,F401

feature = Feature(
    "admin", blueprint=bp,
    menu=[MenuItem("admin.verification", _l("Administration"), order=90, visible=is_admin)],
)
