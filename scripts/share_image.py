"""Draw the site's share image (m100hub/static/img/share.png, 1200 × 630, what a link to a
page without a picture of its own shows on social networks and chat apps): the identity's
green, the logo's globe and leaf, the name and the mission in both languages.

    .venv/bin/python scripts/share_image.py

Uses DejaVu Sans (Debian's fonts-dejavu-core), whose glyphs cover ă â î ș ț. The result is
committed; run again only when the identity changes."""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
#: the identity's palette (static/css/app.css): --green-700, --green-900, the leaf's green
GREEN, DARK_GREEN, LEAF, WHITE = "#1b5e20", "#0d3b12", "#a5d6a7", "#ffffff"
FONTS = Path("/usr/share/fonts/truetype/dejavu")
OUT = Path(__file__).resolve().parent.parent / "m100hub" / "static" / "img" / "share.png"
LINES = (
    ("Orașe neutre climatic și inteligente", 40),
    ("Climate-neutral and smart cities", 34),
)


def font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size)


def logo(draw: ImageDraw.ImageDraw, left: int, top: int, side: int) -> None:
    """The logo (static/img/logo.svg, drawn on a 64-unit grid) at ``side`` pixels."""
    unit = side / 64

    def box(x0, y0, x1, y1):
        return [left + x0 * unit, top + y0 * unit, left + x1 * unit, top + y1 * unit]

    draw.rounded_rectangle(box(0, 0, 64, 64), radius=12 * unit, fill=DARK_GREEN)
    draw.ellipse(box(11, 11, 53, 53), outline=WHITE, width=round(4 * unit))
    draw.ellipse(box(22, 11, 42, 53), outline=WHITE, width=round(3 * unit))
    draw.line(box(12, 32, 52, 32), fill=WHITE, width=round(3 * unit))
    draw.polygon([(left + x * unit, top + y * unit) for x, y in
                  ((40, 22), (45, 20.5), (51, 27), (46, 28.5))], fill=LEAF)


def draw() -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), GREEN)
    pen = ImageDraw.Draw(image)
    # a band of darker green along the bottom, as the site's footer line
    pen.rectangle([0, HEIGHT - 24, WIDTH, HEIGHT], fill=DARK_GREEN)
    logo(pen, 96, 150, 200)
    pen.text((340, 160), "M100 Hub", font=font(True, 104), fill=WHITE)
    y = 310
    for text, size in LINES:
        pen.text((340, y), text, font=font(False, size), fill=WHITE)
        y += size + 22
    pen.text((96, 470), "Misiunea națională M100 · Romania's M100 mission", font=font(True, 34),
             fill=LEAF)
    return image


def main() -> int:
    draw().save(OUT, "PNG", optimize=True)
    print(f"{OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT}: "
          f"{WIDTH}×{HEIGHT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
