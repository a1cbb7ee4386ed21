#!/usr/bin/env python3
"""Makes a glyph dataset of one's own for measuring fine-tuning: characters of several scripts
rendered from Debian's font packages, one class per character, one group per script.

    apt-get install fonts-noto-core fonts-dejavu-core fonts-freefont-ttf
    python3 -m venv .venv-fonts && .venv-fonts/bin/pip install pillow fonttools
    .venv-fonts/bin/python bench/make_font_glyphs.py OUT_DIR [--per-class 8] [--seed 1]

OUT_DIR/<script>/<U+XXXX>/<n>.png: 105x105, dark ink on white, the character's ink box centred
and scaled to about 60% of the canvas (Omniglot's framing). Each image is one font that has the
character, drawn with a small seeded jitter (rotation, scale, stroke weight), so the "drawings"
of a class differ as handwriting does, a little. No network: only installed fonts are read.
"""
import argparse
import glob
import os
import random

from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SCRIPTS = {
    "Greek": [chr(c) for c in range(0x03B1, 0x03CA) if c != 0x03C2],
    "Cyrillic": [chr(c) for c in range(0x0430, 0x0450)],
    "Armenian": [chr(c) for c in range(0x0561, 0x0587)],
    "Georgian": [chr(c) for c in range(0x10D0, 0x10F1)],
    "Hebrew": [chr(c) for c in range(0x05D0, 0x05EB)],
    "Cherokee": [chr(c) for c in range(0x13A0, 0x13C4)],
    "Ethiopic": [chr(c) for c in range(0x1200, 0x1248, 2)],
    "Thai": [chr(c) for c in range(0x0E01, 0x0E2F)],
}
FONT_GLOBS = ["/usr/share/fonts/truetype/noto/*.ttf", "/usr/share/fonts/truetype/dejavu/*.ttf",
              "/usr/share/fonts/truetype/freefont/*.ttf", "/usr/share/fonts/truetype/liberation/*.ttf"]
SIDE = 105


def fonts_with(char, fonts):
    return [path for path, cmap in fonts if ord(char) in cmap]


def render(char, path, rng):
    font = ImageFont.truetype(path, 96)
    canvas = Image.new("L", (240, 240), 255)
    ImageDraw.Draw(canvas).text((40, 20), char, font=font, fill=0)
    if rng.random() < 0.5:
        canvas = canvas.filter(ImageFilter.MinFilter(3))  # heavier strokes
    canvas = canvas.rotate(rng.uniform(-8, 8), resample=Image.BILINEAR, fillcolor=255)
    box = Image.eval(canvas, lambda v: 255 - v).getbbox()
    if box is None:
        return None
    glyph = canvas.crop(box)
    scale = 0.6 * SIDE * rng.uniform(0.85, 1.1) / max(glyph.size)
    glyph = glyph.resize((max(1, round(glyph.width * scale)), max(1, round(glyph.height * scale))), Image.LANCZOS)
    out = Image.new("L", (SIDE, SIDE), 255)
    out.paste(glyph, ((SIDE - glyph.width) // 2, (SIDE - glyph.height) // 2))
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--per-class", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    fonts = []
    for pattern in FONT_GLOBS:
        for path in sorted(glob.glob(pattern)):
            try:
                fonts.append((path, set(TTFont(path, lazy=True).getBestCmap() or {})))
            except Exception:
                continue
    classes = images = 0
    for script, chars in SCRIPTS.items():
        for char in chars:
            available = fonts_with(char, fonts)
            if len(available) < 2:
                continue
            folder = os.path.join(args.out, script, "U+%04X" % ord(char))
            os.makedirs(folder, exist_ok=True)
            order = available[:]
            rng.shuffle(order)
            written = 0
            for n in range(args.per_class):
                image = render(char, order[n % len(order)], rng)
                if image is None:
                    continue
                image.save(os.path.join(folder, "%d.png" % n))
                written += 1
            classes += 1
            images += written
    print(f"{classes} classes, {images} images in {args.out}")


if __name__ == "__main__":
    main()
