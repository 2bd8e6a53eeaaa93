"""The consultations capability. Its blueprint is registered now; its pages arrive with their issue."""

from flask import Blueprint

bp = Blueprint("consultations", __name__, template_folder="templates")
