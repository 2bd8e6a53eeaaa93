"""Turning an upload into a StoredImage: Pillow reads it (refusing what is not a JPEG, PNG,
WebP or GIF picture, or is too large to decode safely), turns it upright by its EXIF
orientation, and writes two WebP renditions without any metadata (no GPS position, no camera
serial number leaves the hub)."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from ..extensions import db
from .models import StoredImage

#: the formats accepted, as Pillow names them
FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
#: the largest picture decoded (pixels): beyond, a small file could unpack to gigabytes
MAX_PIXELS = 40_000_000
#: the longest side of each rendition, in pixels
LARGE_SIDE, SMALL_SIDE = 1600, 640
WEBP_QUALITY = 82


class ImageRefused(ValueError):
    """The upload is not an image the hub accepts; the message says why, for the form."""


@dataclass(frozen=True)
class Rendition:
    data: bytes
    width: int
    height: int


def _rendition(picture: Image.Image, side: int) -> Rendition:
    copy = picture.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # only pixels are written: no exif=, icc_profile= or xmp= is passed on
    copy.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    return Rendition(out.getvalue(), copy.width, copy.height)


def read_picture(data: bytes) -> Image.Image:
    """The decoded picture, upright, in RGB or RGBA; ImageRefused when it is none we take."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in FORMATS:
                raise ImageRefused(_l("Upload a JPEG, PNG, WebP or GIF image."))
            if probe.width * probe.height > MAX_PIXELS:
                raise ImageRefused(_l("The image is too large: at most 40 megapixels."))
            probe.verify()  # a truncated or corrupt file fails here, before decoding
            picture = Image.open(io.BytesIO(data))
            picture.load()
    except ImageRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageRefused(_l("This file is not an image we can read.")) from error
    upright: Image.Image = ImageOps.exif_transpose(picture) or picture
    has_alpha = upright.mode in ("RGBA", "LA") or (
        upright.mode == "P" and "transparency" in upright.info)
    return upright.convert("RGBA" if has_alpha else "RGB")


def store_image(picture: Image.Image, alt: str) -> StoredImage:
    """A new StoredImage of a picture read_picture gave (flushed, not committed)."""
    large, small = _rendition(picture, LARGE_SIDE), _rendition(picture, SMALL_SIDE)
    image = StoredImage(
        digest=hashlib.sha256(large.data).hexdigest(), alt=alt.strip(),
        width=large.width, height=large.height, small_width=small.width,
        small_height=small.height, large=large.data, small=small.data)
    db.session.add(image)
    db.session.flush()
    return image


def replace_image(current: StoredImage | None, picture: Image.Image | None, alt: str,
                  remove: bool) -> StoredImage | None:
    """What an object's image becomes after its form: a new picture replaces it, ``remove``
    takes it away, otherwise the text alternative may change. An image no longer used is
    deleted."""
    if picture is not None:
        image = store_image(picture, alt)
        if current is not None:
            db.session.delete(current)
        return image
    if remove and current is not None:
        db.session.delete(current)
        return None
    if current is not None:
        current.alt = alt.strip()
    return current
