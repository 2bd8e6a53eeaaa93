"""Live workshop boards: columns of sticky-note cards on a workshop, edited together in real
time over Socket.IO (sockets.py), with dot votes, facilitator controls, exports, and cards
turned into forum threads or consultation proposals."""

from flask import Blueprint

from ..features import Feature

bp = Blueprint("boards", __name__, template_folder="templates")

from . import demo, exports, moderation, personal_data, promote, sections, sockets, views  # noqa: E402,F401,I001

feature = Feature(
    "boards", blueprint=bp, models="m100hub.boards.models",
    reportables=[moderation.REPORTABLE], sections=sections.SECTIONS,
    personal_data=personal_data.PERSONAL_DATA, demo=demo.seed,
)
