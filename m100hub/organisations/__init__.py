from flask import Blueprint

bp = Blueprint("organisations", __name__, template_folder="templates")

from . import kinds, views  # noqa: E402,F401
