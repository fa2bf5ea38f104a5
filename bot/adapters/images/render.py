"""The program's badge designs, drawn with Pillow at 600x600, and a disk cache keyed by content hash.

Shapes are drawn at twice the size and reduced, so their edges are anti-aliased; text is drawn at the
final size, where FreeType already anti-aliases it. One design per credential type:

- Level I: a silver medallion with the credential title and the issuer.
- Level II: a gold hexagon with the title, the credential's skills and the issuer.
- "with Distinction": a deeper rim, stars and a ribbon, on either level.
- Digital Certificate: a certificate card with a seal; Practiced in silver, Expert in navy and gold.
- Souvenir: the event's own image in a roundel when it has one, else a coloured template.
"""
from __future__ import annotations

import colorsys
import hashlib
import io
import math
import os
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

from bot.adapters.images.text import BOLD, REGULAR, SERIF_BOLD, draw_centered, fit_text
from bot.domain.vocabulary import CredentialType

SIZE = 600
SCALE = 2  # shapes are drawn at SIZE * SCALE and reduced: smooth edges at a fraction of LANCZOS's cost
# Bump when a design changes, so cached images of the old design are not served again.
DESIGN_VERSION = "3"

SILVER = ("#fbfcfd", "#aab3bd", "#6d7782")  # light, mid, rim
GOLD = ("#fff3c4", "#e0b43c", "#9a6b12")
NAVY = "#13294b"
INK = "#1f2933"


@dataclass(frozen=True)
class BadgeDesign:
    """Everything that shows on an image; two equal designs render the same bytes."""

    type: CredentialType
    title: str
    issuer: str
    distinction: bool = False
    details: tuple[str, ...] = ()  # credential-specific information (skills) shown on Level II
    source_image: Path | None = field(default=None, compare=True)  # a souvenir's own look

    @property
    def variant(self) -> str:
        return self.type.value + ("-distinction" if self.distinction else "")


def design_key(design: BadgeDesign) -> str:
    """The content hash an image is cached under: the design, its source image's bytes, the version."""
    digest = hashlib.sha256()
    for part in (DESIGN_VERSION, design.type.value, design.title, design.issuer, str(design.distinction),
                 "\x1f".join(design.details)):
        digest.update(part.encode() + b"\x00")
    if design.source_image is not None and design.source_image.is_file():
        digest.update(hashlib.sha256(design.source_image.read_bytes()).digest())
    return digest.hexdigest()


class BadgeRenderer:
    """Renders designs to PNG bytes, once each: later calls read the cached file."""

    def __init__(self, cache_dir: Path | None = None):
        self.cache_dir = cache_dir

    def path_for(self, design: BadgeDesign) -> Path | None:
        if self.cache_dir is None:
            return None
        key = design_key(design)
        return self.cache_dir / key[:2] / f"{key}.png"

    def render(self, design: BadgeDesign) -> bytes:
        path = self.path_for(design)
        if path is not None:
            try:
                return path.read_bytes()
            except FileNotFoundError:
                pass
        data = encode_png(draw_badge(design))
        if path is not None:
            _write_atomically(path, data)
        return data


def _write_atomically(path: Path, data: bytes) -> None:
    # Two workers rendering the same design at once both write whole files; the rename makes either win.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)


def encode_png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # Level 3 compresses these flat designs nearly as well as 6 at a third of the time.
    image.save(out, "PNG", compress_level=3)
    return out.getvalue()


def draw_badge(design: BadgeDesign) -> Image.Image:
    """The 600x600 RGBA image for a design."""
    painter = {
        CredentialType.BADGE_LEVEL_1: _level_one,
        CredentialType.BADGE_LEVEL_2: _level_two,
        CredentialType.CERTIFICATE_PRACTICED: _certificate,
        CredentialType.CERTIFICATE_EXPERT: _certificate,
        CredentialType.SOUVENIR: _souvenir,
    }[design.type]
    return painter(design)


# ------------------------------------------------------------------------------------------- shapes
# Masks and metal gradients depend only on the design type, so they are made once per process and
# reused (pasting never modifies its source); only the per-credential drawing and text remain.

def _big(value: float) -> int:
    return int(value * SCALE)


@lru_cache(maxsize=64)
def _gradient_fill(size: int, colors: tuple[str, str, str], *, radial: bool) -> Image.Image:
    """A square of `size` shaded light to dark: radially (metal) or top to bottom."""
    ramp = Image.radial_gradient("L") if radial else Image.linear_gradient("L")
    ramp = ramp.resize((size, size), Image.Resampling.BILINEAR)
    return ImageOps.colorize(ramp, black=colors[0], white=colors[2], mid=colors[1]).convert("RGBA")


@lru_cache(maxsize=64)
def _circle_mask(box: tuple[float, float, float, float]) -> Image.Image:
    mask = Image.new("L", (_big(SIZE), _big(SIZE)), 0)
    ImageDraw.Draw(mask).ellipse([_big(v) for v in box], fill=255)
    return mask


@lru_cache(maxsize=64)
def _polygon_mask(points: tuple[tuple[float, float], ...]) -> Image.Image:
    mask = Image.new("L", (_big(SIZE), _big(SIZE)), 0)
    ImageDraw.Draw(mask).polygon([(_big(x), _big(y)) for x, y in points], fill=255)
    return mask


def _hexagon(cx: float, cy: float, r: float) -> tuple[tuple[float, float], ...]:
    return tuple((cx + r * math.cos(math.radians(a)), cy + r * math.sin(math.radians(a))) for a in range(-90, 270, 60))


def _star(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.45
        angle = math.radians(-90 + i * 36)
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def _ribbon(draw: ImageDraw.ImageDraw, y: float, half_width: float, height: float, color: str) -> None:
    """A banner across the badge, with notched tails, drawn on the big canvas."""
    cx = SIZE / 2
    tail = height * 0.55
    for side in (-1, 1):
        x_in, x_out = cx + side * (half_width - 12), cx + side * (half_width + 34)
        draw.polygon([(_big(x_in), _big(y + 10)), (_big(x_out), _big(y + 10)),
                      (_big(x_out - side * tail * 0.6), _big(y + 10 + height / 2)),
                      (_big(x_out), _big(y + 10 + height)), (_big(x_in), _big(y + 10 + height))],
                     fill=_darker(color))
    draw.rounded_rectangle([_big(cx - half_width), _big(y), _big(cx + half_width), _big(y + height)],
                           radius=_big(6), fill=color)


def _darker(color: str, factor: float = 0.7) -> str:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return "#%02x%02x%02x" % (int(r * factor), int(g * factor), int(b * factor))


def _finish(big: Image.Image) -> Image.Image:
    return big.reduce(SCALE)


# ------------------------------------------------------------------------------------------- designs

def _medal(design: BadgeDesign, colors: tuple[str, str, str], shape: str) -> tuple[Image.Image, float, float]:
    """The metal body (circle or hexagon) with rim and inner face; returns the canvas and face bounds."""
    big = Image.new("RGBA", (_big(SIZE), _big(SIZE)), (0, 0, 0, 0))
    rim = _darker(colors[2], 0.8) if design.distinction else colors[2]
    if shape == "circle":
        outer = _circle_mask((20, 20, 580, 580))
        inner = _circle_mask((46, 46, 554, 554))
        face = _circle_mask((58, 58, 542, 542))
    else:
        outer = _polygon_mask(_hexagon(300, 300, 290))
        inner = _polygon_mask(_hexagon(300, 300, 262))
        face = _polygon_mask(_hexagon(300, 300, 250))
    big.paste(Image.new("RGBA", big.size, rim), (0, 0), outer)
    big.paste(_gradient_fill(_big(SIZE), (colors[1], colors[2], rim), radial=True), (0, 0), inner)
    big.paste(_gradient_fill(_big(SIZE), colors, radial=True), (0, 0), face)
    return big, 58, 542


def _level_one(design: BadgeDesign) -> Image.Image:
    big, _, _ = _medal(design, SILVER, "circle")
    draw = ImageDraw.Draw(big)
    band = "#4a5560"
    if design.distinction:
        for dx in (-70, 0, 70):
            draw.polygon([(_big(x), _big(y)) for x, y in _star(300 + dx, 108 if dx == 0 else 122, 26 if dx == 0 else 20)],
                         fill="#f6f7f9", outline=band, width=_big(2))
    _ribbon(draw, 392, 190, 54, band)
    image = _finish(big)
    draw = ImageDraw.Draw(image)
    top = fit_text("BADGE · LEVEL I", 300, 30, path=BOLD, max_size=22, min_size=14, max_lines=1)
    draw_centered(draw, top, 300, 165 if design.distinction else 130, band)
    title = fit_text(design.title, 380, 170, path=BOLD, max_size=50, min_size=18, max_lines=4)
    draw_centered(draw, title, 300, 280, INK)
    label = "WITH DISTINCTION" if design.distinction else design.issuer
    ribbon = fit_text(label, 350, 40, path=BOLD if design.distinction else REGULAR, max_size=24, min_size=11,
                      max_lines=1 if design.distinction else 2, leading=1.05)
    draw_centered(draw, ribbon, 300, 419, "#ffffff")
    if design.distinction:
        issuer = fit_text(design.issuer, 280, 56, path=REGULAR, max_size=20, min_size=11, max_lines=2)
        draw_centered(draw, issuer, 300, 492, band)
    return image


def _level_two(design: BadgeDesign) -> Image.Image:
    big, _, _ = _medal(design, GOLD, "hexagon")
    draw = ImageDraw.Draw(big)
    band = "#7a4f06"
    if design.distinction:
        for dx in (-62, 0, 62):
            draw.polygon([(_big(x), _big(y)) for x, y in _star(300 + dx, 104 if dx == 0 else 116, 24 if dx == 0 else 18)],
                         fill="#fff8dc", outline=band, width=_big(2))
    _ribbon(draw, 398, 200, 50, band)
    image = _finish(big)
    draw = ImageDraw.Draw(image)
    top = fit_text("BADGE · LEVEL II", 280, 30, path=BOLD, max_size=22, min_size=14, max_lines=1)
    draw_centered(draw, top, 300, 156 if design.distinction else 128, band)
    title = fit_text(design.title, 360, 130, path=BOLD, max_size=46, min_size=18, max_lines=3)
    draw_centered(draw, title, 300, 246, "#2b1a00")
    if design.details:
        details = fit_text(" · ".join(design.details), 340, 58, path=REGULAR, max_size=20, min_size=11, max_lines=2)
        draw_centered(draw, details, 300, 350, "#4d3300")
    label = "WITH DISTINCTION" if design.distinction else design.issuer
    ribbon = fit_text(label, 370, 40, path=BOLD if design.distinction else REGULAR, max_size=22, min_size=11,
                      max_lines=1 if design.distinction else 2, leading=1.05)
    draw_centered(draw, ribbon, 300, 423, "#ffffff")
    if design.distinction:
        issuer = fit_text(design.issuer, 250, 50, path=REGULAR, max_size=18, min_size=10, max_lines=2)
        draw_centered(draw, issuer, 300, 490, band)
    return image


def _certificate(design: BadgeDesign) -> Image.Image:
    expert = design.type is CredentialType.CERTIFICATE_EXPERT
    paper, ink, accent = (NAVY, "#f7e7b4", "#d4a531") if expert else ("#fbf8f1", INK, "#8a949e")
    metal = GOLD if expert else SILVER
    big = Image.new("RGBA", (_big(SIZE), _big(SIZE)), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    draw.rounded_rectangle([_big(18), _big(58), _big(582), _big(542)], radius=_big(18), fill=paper)
    draw.rounded_rectangle([_big(32), _big(72), _big(568), _big(528)], radius=_big(10), outline=accent,
                           width=_big(4))
    draw.rounded_rectangle([_big(42), _big(82), _big(558), _big(518)], radius=_big(6), outline=accent,
                           width=_big(1.5))
    # The seal, bottom centre: the stack's metal, with ribbon tails.
    for side in (-1, 1):
        draw.polygon([(_big(300 + side * 18), _big(470)), (_big(300 + side * 52), _big(572)),
                      (_big(300 + side * 34), _big(556)), (_big(300 + side * 22), _big(578)),
                      (_big(300 + side * 2), _big(478))], fill=_darker(metal[2], 0.85))
    seal = _circle_mask((240, 400, 360, 520))
    big.paste(_gradient_fill(_big(SIZE), (metal[0], metal[1], metal[2]), radial=False), (0, 0), seal)
    draw.ellipse([_big(252), _big(412), _big(348), _big(508)], outline=_darker(metal[2], 0.9), width=_big(2))
    draw.polygon([(_big(x), _big(y)) for x, y in _star(300, 460, 26)], fill=_darker(metal[2], 0.9))
    image = _finish(big)
    draw = ImageDraw.Draw(image)
    head = fit_text("DIGITAL CERTIFICATE", 420, 34, path=BOLD, max_size=26, min_size=14, max_lines=1)
    draw_centered(draw, head, 300, 122, accent)
    level = fit_text("EXPERT" if expert else "PRACTICED", 300, 28, path=REGULAR, max_size=20, min_size=12,
                     max_lines=1)
    draw_centered(draw, level, 300, 156, ink)
    draw.line([(200, 178), (400, 178)], fill=accent, width=2)
    title = fit_text(design.title, 460, 150, path=SERIF_BOLD, max_size=46, min_size=16, max_lines=3)
    draw_centered(draw, title, 300, 260, ink)
    issuer = fit_text(design.issuer, 440, 50, path=REGULAR, max_size=20, min_size=11, max_lines=2)
    draw_centered(draw, issuer, 300, 366, ink)
    return image


def _souvenir(design: BadgeDesign) -> Image.Image:
    hue = int(hashlib.sha256(design.title.encode()).hexdigest()[:2], 16) / 255
    base = _hsv(hue, 0.55, 0.85)
    big = Image.new("RGBA", (_big(SIZE), _big(SIZE)), (0, 0, 0, 0))
    rim = _darker(base, 0.6)
    big.paste(Image.new("RGBA", big.size, rim), (0, 0), _circle_mask((20, 20, 580, 580)))
    face_mask = _circle_mask((40, 40, 560, 560))
    source = _load_source(design.source_image)
    if source is not None:
        fill = ImageOps.fit(source, big.size, Image.Resampling.BILINEAR)
    else:
        fill = _gradient_fill(_big(SIZE), (_hsv(hue, 0.25, 1.0), base, _darker(base, 0.8)), radial=True)
    big.paste(fill, (0, 0), face_mask)
    draw = ImageDraw.Draw(big)
    if source is None:
        draw.polygon([(_big(x), _big(y)) for x, y in _star(300, 150, 54)], fill="#ffffff")
    _ribbon(draw, 360, 215, 92, rim)
    image = _finish(big)
    draw = ImageDraw.Draw(image)
    title = fit_text(design.title, 400, 84, path=BOLD, max_size=34, min_size=13, max_lines=2, leading=1.1)
    draw_centered(draw, title, 300, 416, "#ffffff")
    if source is None:
        label = fit_text("SOUVENIR", 200, 30, path=BOLD, max_size=24, min_size=14, max_lines=1)
        draw_centered(draw, label, 300, 240, "#ffffff", stroke=1, stroke_fill=rim)
    issuer = fit_text(design.issuer, 280, 42, path=REGULAR, max_size=17, min_size=10, max_lines=2)
    draw.rounded_rectangle([150, 478, 450, 478 + issuer.height + 8], radius=8, fill=(255, 255, 255, 215))
    draw_centered(draw, issuer, 300, 482 + issuer.height / 2, INK)
    return image


def _load_source(path: Path | None) -> Image.Image | None:
    """A souvenir's own image, if it is a readable local file (remote images are never fetched)."""
    if path is None or not path.is_file():
        return None
    try:
        with Image.open(path) as source:
            return source.convert("RGBA")
    except (OSError, ValueError):
        return None


def _hsv(h: float, s: float, v: float) -> str:
    r, g, b = colorsys.hsv_to_rgb(h, s, v)
    return "#%02x%02x%02x" % (int(r * 255), int(g * 255), int(b * 255))
