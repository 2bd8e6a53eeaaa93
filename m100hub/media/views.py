from __future__ import annotations

from flask import Response, abort
from sqlalchemy import select
from sqlalchemy.orm import undefer

from ..extensions import db
from ..static_files import IMMUTABLE_MAX_AGE
from . import bp
from .models import StoredImage


@bp.route("/media/<id:image_id>/<any(large, small):size>-<version>.webp")
def image(image_id: int, size: str, version: str):
    """An image's bytes; the address names its version, so it is kept for a year."""
    found = db.session.scalar(select(StoredImage).where(StoredImage.id == image_id)
                              .options(undefer(getattr(StoredImage, size))))
    if found is None or found.version != version:
        abort(404)
    response = Response(getattr(found, size), mimetype="image/webp")
    response.cache_control.public = True
    response.cache_control.max_age = IMMUTABLE_MAX_AGE
    response.cache_control.immutable = True
    response.headers["Content-Disposition"] = f'inline; filename="image-{image_id}.webp"'
    return response
