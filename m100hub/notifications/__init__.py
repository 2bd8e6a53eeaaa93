from flask import Blueprint

bp = Blueprint("notifications", __name__, template_folder="templates")

from . import sockets, views  # noqa: E402,F401
