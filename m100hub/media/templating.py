"""Template globals: an image's <img> in the size a place needs, a person's avatar, and the
picture a shared link shows (Open Graph)."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..memo import AppMemo, key_context
from ..static_files import fingerprinted
from ..util import absolute_url
from .models import StoredImage

#: dark backgrounds on which white initials meet the 4.5:1 contrast
AVATAR_COLOURS = ("#1b5e20", "#0b4f8a", "#6a1b9a", "#8d3d00", "#00695c", "#37474f", "#ad1457")


def image_url(image: StoredImage, size: str = "small") -> str:
    return url_for("media.image", image_id=image.id, size=size, version=image.version)


def picture(image: StoredImage | None, sizes: str = "(max-width: 40rem) 100vw, 40rem",
            class_: str = "", eager: bool = False) -> Markup:
    """The image at the width the browser needs (srcset), with its size known before it
    loads (no layout shift) and loaded lazily unless ``eager``."""
    if image is None:
        return Markup("")
    return Markup(
        '<img src="{}" srcset="{} {}w, {} {}w" sizes="{}" width="{}" height="{}" alt="{}"'
        ' class="{}" loading="{}" decoding="async">').format(
        image_url(image, "small"), image_url(image, "small"), image.small_width,
        image_url(image, "large"), image.width, sizes, image.small_width, image.small_height,
        image.alt, class_, "eager" if eager else "lazy")


#: the site's own share image (scripts/share_image.py draws it)
SHARE_IMAGE, SHARE_WIDTH, SHARE_HEIGHT = "img/share.png", 1200, 630
#: its tags by (key context, address base, fingerprints on, file version), per app
_SITE_SHARE_TAGS: AppMemo[Markup] = AppMemo("site share image", kept=16)


def share_image(image: StoredImage | None = None, alt: str = "") -> Markup:
    """The og:image tags of a page: its picture (the large rendition, under BASE_URL: a link
    is shared outside the site) with its size and text alternative (``alt`` when the image
    has none), else the site's share image."""
    if image is None:
        return _site_share_image()
    url = absolute_url("media.image", image_id=image.id, size="large", version=image.version)
    return _share_tags(url, "image/webp", image.width, image.height, image.alt or alt)


def _share_tags(url: str, kind: str, width: int, height: int, alt: str) -> Markup:
    return Markup(
        '<meta property="og:image" content="{}">\n'
        '  <meta property="og:image:type" content="{}">\n'
        '  <meta property="og:image:width" content="{}">\n'
        '  <meta property="og:image:height" content="{}">\n'
        '  <meta property="og:image:alt" content="{}">\n'
        '  <meta name="twitter:card" content="summary_large_image">').format(
        url, kind, width, height, alt)


def _site_share_image() -> Markup:
    """The site's share image tags, built once per language, address base and file version
    (most pages show them: building an external address of a static file costs some 50 µs)."""
    fingerprint = fingerprinted(SHARE_IMAGE)
    config = current_app.config
    return _SITE_SHARE_TAGS.get(
        (key_context(), config["BASE_URL"], config["STATIC_FINGERPRINTS"], fingerprint),
        lambda: _share_tags(
            absolute_url("static", filename=fingerprint), "image/png", SHARE_WIDTH,
            SHARE_HEIGHT, _("M100 Hub: climate-neutral and smart cities, Romania's M100 mission")))


def initials(name: str) -> str:
    """The first letters of the first and the last name: "Ana-Maria Pop" → "AP"."""
    words = [word for word in name.split() if word[:1].isalnum()]
    if not words:
        return "?"
    return (words[0][0] + (words[-1][0] if len(words) > 1 else "")).upper()


def avatar(person, size: int = 40) -> Markup:
    """The person's uploaded picture, or their initials on a colour of their own. Decorative:
    the name is always written beside it."""
    image = getattr(person, "image", None)
    # f-strings over escaped values rather than Markup.format: the same HTML, at a fifth of
    # the cost (Markup.format runs Python's string.Formatter), and a thread page shows twenty
    if image is not None:
        return Markup(f'<img class="avatar" src="{escape(image_url(image, "small"))}" '  # noqa: S704
                      f'width="{escape(size)}" height="{escape(size)}" alt="" '
                      'loading="lazy" decoding="async">')
    colour = AVATAR_COLOURS[person.id % len(AVATAR_COLOURS)]
    return Markup(f'<svg class="avatar" width="{escape(size)}" height="{escape(size)}" '  # noqa: S704
                  'viewBox="0 0 40 40" aria-hidden="true" focusable="false"><rect width="40" '
                  f'height="40" rx="20" fill="{colour}"/><text x="20" y="25" '
                  'text-anchor="middle" font-size="15" font-weight="700" fill="#fff">'
                  f'{escape(initials(person.display_name))}</text></svg>')
