"""The home page, the language switch and the health checks."""

from flask import Blueprint

from ..features import Feature

bp = Blueprint("main", __name__, template_folder="templates")

from . import styleguide, views  # noqa: E402,F401

feature = Feature("main", blueprint=bp)
