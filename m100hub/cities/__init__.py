from flask import Blueprint

bp = Blueprint("cities", __name__, template_folder="templates")

from . import kinds, views  # noqa: E402,F401
