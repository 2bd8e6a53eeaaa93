"""Discussion forums: categories per sector and city, threads, posts, moderation, search."""

from flask import Blueprint

bp = Blueprint("forums", __name__, template_folder="templates")

from . import kinds, moderation_views, views  # noqa: E402,F401
