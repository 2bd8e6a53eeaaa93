"""The events capability. Its blueprint is registered now; its pages arrive with their issue."""

from flask import Blueprint

bp = Blueprint("events", __name__, template_folder="templates")
