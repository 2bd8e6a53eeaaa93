"""Events: registration with capacity and a waiting list, tickets and check-in, calendars."""

from flask import Blueprint

bp = Blueprint("events", __name__, template_folder="templates")

from . import kinds, manage_views, views  # noqa: E402,F401
