"""The image fields a form adds by inheriting ImageFields; the view then calls
``form.apply_image(current, uploader_id)``."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from PIL import Image
from wtforms import BooleanField, StringField
from wtforms.validators import Length, ValidationError

from .models import StoredImage
from .services import ImageRefused, read_picture, replace_image


class ImageFields:
    """An optional image with its text alternative, and a box to remove it."""

    image = FileField(_l("Image (optional)"), render_kw={
        "accept": "image/jpeg,image/png,image/webp,image/gif"}, description=_l(
        "JPEG, PNG, WebP or GIF, up to 10 MB. It is resized, and its metadata (such as the "
        "place it was taken) removed."))
    image_alt = StringField(_l("What the image shows"), validators=[Length(max=250)],
                            description=_l("Read aloud to people who cannot see it."))
    image_remove = BooleanField(_l("Remove the image"))

    #: the decoded upload, once validate_image has read it
    picture: Image.Image | None = None

    def validate_image(self, field) -> None:
        upload = field.data
        if upload is None or not getattr(upload, "filename", ""):
            return
        data = upload.read(current_app.config["MAX_UPLOAD_LENGTH"] + 1)
        if len(data) > current_app.config["MAX_UPLOAD_LENGTH"]:
            raise ValidationError(_l("The image is too large: at most 10 MB."))
        try:
            self.picture = read_picture(data)
        except ImageRefused as refused:
            raise ValidationError(str(refused)) from refused

    def validate_image_alt(self, field) -> None:
        if self.picture is not None and not field.data:
            raise ValidationError(_l("Say in a few words what the image shows."))

    def apply_image(self, current: StoredImage | None) -> StoredImage | None:
        return replace_image(current, self.picture, self.image_alt.data or "",
                             bool(self.image_remove.data))
