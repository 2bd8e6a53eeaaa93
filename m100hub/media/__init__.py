"""Images people upload (a city's, an event's or a consultation's cover, a person's avatar):
checked, turned upright, stripped of metadata and resized by Pillow, kept in the database (so
that every web machine serves them) and served under addresses that change with the image,
cached by browsers for a year."""

from flask import Blueprint

from ..features import Feature

bp = Blueprint("media", __name__)

from . import views  # noqa: E402,F401
from .templating import avatar, picture, share_image  # noqa: E402

feature = Feature("media", blueprint=bp, models="m100hub.media.models",
                  template_globals={"picture": picture, "avatar": avatar,
                                    "share_image": share_image})
