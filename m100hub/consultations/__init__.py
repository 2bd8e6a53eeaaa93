"""Public consultations: phases, questions and ballots, proposals, comments, results."""

from flask import Blueprint

bp = Blueprint("consultations", __name__, template_folder="templates")

from . import kinds, manage_views, participation_views, results_views, views  # noqa: E402,F401
