"""Text that fits its box: wrapped at word boundaries, shrunk step by step, and never overflowing.

The bundled DejaVu fonts cover Latin (with every accent), Greek and Cyrillic, so a learner's or a
credential's name renders as written rather than as boxes.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageDraw, ImageFont

FONTS = Path(__file__).with_name("fonts")
REGULAR = FONTS / "DejaVuSans.ttf"
BOLD = FONTS / "DejaVuSans-Bold.ttf"
SERIF_BOLD = FONTS / "DejaVuSerif-Bold.ttf"
ELLIPSIS = "…"


@lru_cache(maxsize=512)
def font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


@dataclass(frozen=True)
class FittedText:
    lines: tuple[str, ...]
    font: ImageFont.FreeTypeFont
    line_height: int

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)

    @property
    def width(self) -> int:
        return max((int(self.font.getlength(line) + 0.999) for line in self.lines), default=0)


def _wrap(words: list[str], face: ImageFont.FreeTypeFont, width: int) -> list[str] | None:
    """Greedy word wrap; None when a single word is wider than the box at this size."""
    lines: list[str] = []
    current = ""
    for word in words:
        if face.getlength(word) > width:
            return None
        candidate = f"{current} {word}" if current else word
        if face.getlength(candidate) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def _hard_wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Wrap by characters, for words too long for the box even at the smallest size."""
    lines: list[str] = []
    current = ""
    for char in text:
        if char == " " and not current:
            continue
        if face.getlength(current + char) <= width:
            current += char
        else:
            lines.append(current.rstrip())
            current = char.strip()
    if current:
        lines.append(current)
    return lines


def _ellipsize(line: str, face: ImageFont.FreeTypeFont, width: int) -> str:
    while line and face.getlength(line.rstrip() + ELLIPSIS) > width:
        line = line[:-1]
    return line.rstrip() + ELLIPSIS


def fit_text(
    text: str,
    width: int,
    height: int,
    *,
    path: Path = BOLD,
    max_size: int = 48,
    min_size: int = 12,
    max_lines: int = 3,
    leading: float = 1.15,
) -> FittedText:
    """The largest size at which `text` fits `width` x `height` in at most `max_lines` lines.

    At the smallest size, over-long words break by character and a last line that still does not
    fit ends in an ellipsis: the text may be cut, but it never leaves its box.
    """
    words = " ".join(text.split()).split(" ")
    for size in range(max_size, min_size - 1, -1 if max_size - min_size <= 24 else -2):
        face = font(path, size)
        line_height = int(size * leading + 0.5)
        lines = _wrap(words, face, width)
        if lines is not None and len(lines) <= max_lines and line_height * len(lines) <= height:
            return FittedText(tuple(lines), face, line_height)
    face = font(path, min_size)
    line_height = int(min_size * leading + 0.5)
    lines = _wrap(words, face, width) or _hard_wrap(" ".join(words), face, width)
    room = max(1, min(max_lines, height // line_height))
    if len(lines) > room:
        lines = lines[:room]
        lines[-1] = _ellipsize(lines[-1], face, width)
    return FittedText(tuple(lines), face, line_height)


def draw_centered(
    draw: ImageDraw.ImageDraw,
    fitted: FittedText,
    center_x: float,
    center_y: float,
    fill: str | tuple[int, ...],
    *,
    stroke: int = 0,
    stroke_fill: str | tuple[int, ...] | None = None,
) -> None:
    """Draw the lines as a block centred on (center_x, center_y)."""
    top = center_y - fitted.height / 2
    for index, line in enumerate(fitted.lines):
        y = top + fitted.line_height * (index + 0.5)
        draw.text((center_x, y), line, font=fitted.font, fill=fill, anchor="mm",
                  stroke_width=stroke, stroke_fill=stroke_fill)
