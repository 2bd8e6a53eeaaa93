"""The events capability: the blueprint is registered; pages come with its issue."""

from flask import Blueprint

bp = Blueprint("events", __name__, template_folder="templates")
