"""The forums capability: the blueprint is registered; pages come with its issue."""

from flask import Blueprint

bp = Blueprint("forums", __name__, template_folder="templates")
