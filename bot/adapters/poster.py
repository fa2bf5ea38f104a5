"""The check-in poster an event host prints (event name, souvenir, QR code, typed code, window), and
the QR codes of the door screen.

A4 portrait at 150 dpi (1240 x 1754 px), drawn with Pillow and the bundled DejaVu fonts (bot/images);
the QR code is made by segno with error correction level Q, so a creased or badly lit print still scans.
Pure rendering: what a poster shows is gathered by the hosting use case
(bot/usecases/campus_events/hosting.py, `poster`); this module only draws it.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from PIL import Image, ImageDraw

from bot.adapters.images.render import encode_png
from bot.adapters.images.text import BOLD, REGULAR, draw_centered, fit_text

WIDTH, HEIGHT = 1240, 1754
MARGIN = 90
QR_SIZE = 760
INK = "#1f2933"
MUTED = "#52606d"
ACCENT = "#13294b"


@dataclass(frozen=True)
class PosterContent:
    event_name: str
    checkin_url: str  # what the QR code opens
    code: str  # what people type when they cannot scan
    window: str  # "Mon 2 Mar, 17:45–20:00 (America/Chicago)"
    location: str = ""
    souvenir_name: str = ""
    souvenir_png: bytes | None = None
    issuer: str = ""


def qr_image(data: str, size: int) -> Image.Image:
    """A QR code of `data` about `size` pixels wide, with its quiet zone, black on white."""
    code = segno.make(data, error="q", micro=False)
    modules = code.symbol_size(scale=1, border=4)[0]
    out = io.BytesIO()
    code.save(out, kind="png", scale=max(1, size // modules), border=4)
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")


def render_poster(content: PosterContent) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), "#ffffff")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, WIDTH, 24], fill=ACCENT)
    inner = WIDTH - 2 * MARGIN

    y = 70
    if content.issuer:
        issuer = fit_text(content.issuer, inner, 40, path=REGULAR, max_size=28, min_size=16, max_lines=1)
        draw_centered(draw, issuer, WIDTH / 2, y + issuer.height / 2, MUTED)
        y += issuer.height + 20
    title = fit_text(content.event_name, inner, 250, path=BOLD, max_size=84, min_size=36, max_lines=3, leading=1.1)
    draw_centered(draw, title, WIDTH / 2, y + title.height / 2, INK)
    y += title.height + 24
    when = fit_text(f"Check in {content.window}", inner, 44, path=REGULAR, max_size=34, min_size=18, max_lines=1)
    draw_centered(draw, when, WIDTH / 2, y + when.height / 2, INK)
    y += when.height + 6
    if content.location:
        where = fit_text(content.location, inner, 40, path=REGULAR, max_size=30, min_size=16, max_lines=1)
        draw_centered(draw, where, WIDTH / 2, y + where.height / 2, MUTED)
        y += where.height
    y += 24

    qr = qr_image(content.checkin_url, QR_SIZE)
    image.paste(qr, ((WIDTH - qr.width) // 2, y))
    y += qr.height + 10
    scan = fit_text("Scan with your phone's camera and sign in with Slack", inner, 40, path=BOLD, max_size=32,
                    min_size=16, max_lines=1)
    draw_centered(draw, scan, WIDTH / 2, y + scan.height / 2, INK)
    y += scan.height + 24

    code_box = fit_text(content.code, inner, 110, path=BOLD, max_size=96, min_size=40, max_lines=1)
    box_width = code_box.width + 80
    draw.rounded_rectangle([(WIDTH - box_width) / 2, y, (WIDTH + box_width) / 2, y + code_box.height + 40],
                           radius=18, outline=ACCENT, width=4)
    draw_centered(draw, code_box, WIDTH / 2, y + 20 + code_box.height / 2, ACCENT)
    y += code_box.height + 56
    typed = fit_text(f"Can't scan? In Slack, type  /badges claim {content.code}", inner, 40, path=REGULAR,
                     max_size=30, min_size=16, max_lines=1)
    draw_centered(draw, typed, WIDTH / 2, y + typed.height / 2, MUTED)

    footer_top = HEIGHT - 250
    if content.souvenir_png:
        with Image.open(io.BytesIO(content.souvenir_png)) as badge:
            badge = badge.convert("RGBA").resize((200, 200), Image.Resampling.LANCZOS)
        image.paste(badge, (MARGIN, footer_top), badge)
        text_left = MARGIN + 230
    else:
        text_left = MARGIN
    if content.souvenir_name:
        label = fit_text("You receive the souvenir", WIDTH - text_left - MARGIN, 40, path=REGULAR, max_size=28,
                         min_size=16, max_lines=1)
        name = fit_text(content.souvenir_name, WIDTH - text_left - MARGIN, 120, path=BOLD, max_size=48,
                        min_size=20, max_lines=2)
        draw.text((text_left, footer_top + 40), label.lines[0], font=label.font, fill=MUTED)
        for index, line in enumerate(name.lines):
            draw.text((text_left, footer_top + 90 + index * name.line_height), line, font=name.font, fill=INK)
    return encode_png(image)


def qr_svg(data: str, title: str = "QR code") -> str:
    """The QR code as inline SVG that scales to its box (no width or height; a viewBox), on white."""
    out = io.BytesIO()
    segno.make(data, error="m", micro=False).save(
        out, kind="svg", xmldecl=False, svgns=True, omitsize=True, border=4, light="#ffffff", dark="#000000",
        svgclass="qr", lineclass=None, title=title)
    return out.getvalue().decode("utf-8")
