"""Charts for the program's reports, drawn here with no network and no JavaScript: SVG for the web console
(each with a <title> and <desc>, role="img"; the page beside it has the same figures as a table) and PNG,
with Pillow and the bundled fonts, for the image `/badges stats` uploads to Slack.

Three shapes: bars (counts by something), a histogram (time to decision, with the target as a line) and a
funnel (the submission steps). Pure functions of the figures: the report use cases compute, this draws.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw

from bot.adapters.images.text import BOLD, REGULAR, font

INK, MUTED, LINE, BAR, ACCENT, TARGET = "#1f2933", "#52606d", "#e4e7eb", "#2f6fbd", "#7fb0e6", "#c62828"
FONT = 'font-family="DejaVu Sans, system-ui, sans-serif"'
MAX_BARS = 25  # a longer list is cut, saying how many more there are (the table lists them all)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    note: str = ""  # shown after the value (e.g. "40%")


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _svg(width: int, height: int, title: str, desc: str, body: list[str], ident: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-labelledby="{ident}-t {ident}-d" {FONT}>'
            f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
            f'<rect width="{width}" height="{height}" fill="#fff"/>' + "".join(body) + "</svg>")


def _describe(bars: Sequence[Bar]) -> str:
    return "; ".join(f"{b.label}: {_number(b.value)}" for b in bars) or "No data."


def _cut(bars: Sequence[Bar]) -> tuple[list[Bar], int]:
    return list(bars[:MAX_BARS]), max(0, len(bars) - MAX_BARS)


def bar_chart_svg(title: str, bars: Sequence[Bar], *, ident: str = "chart", width: int = 720) -> str:
    """Horizontal bars, one per label, longest = the largest value."""
    shown, more = _cut(bars)
    label_w, row, top = 230, 28, 40
    height = top + row * max(len(shown), 1) + (24 if more else 0) + 16
    peak = max((b.value for b in shown), default=0) or 1
    span = width - label_w - 190  # room after the longest bar for its value and note
    body = [f'<text x="12" y="24" font-size="16" font-weight="bold" fill="{INK}">{escape(title)}</text>']
    if not shown:
        body.append(f'<text x="12" y="{top + 18}" font-size="14" fill="{MUTED}">Nothing in this range.</text>')
    for i, b in enumerate(shown):
        y = top + i * row
        length = max(1.0, span * b.value / peak) if b.value else 0
        label = b.label if len(b.label) <= 32 else b.label[:31] + "…"
        body.append(f'<text x="{label_w - 8}" y="{y + 17}" font-size="13" text-anchor="end" fill="{INK}">'
                    f'{escape(label)}</text>')
        body.append(f'<rect x="{label_w}" y="{y + 4}" width="{length:.1f}" height="{row - 10}" rx="3" fill="{BAR}"/>')
        body.append(f'<text x="{label_w + length + 6:.1f}" y="{y + 17}" font-size="13" fill="{INK}">'
                    f'{_number(b.value)}{escape(" · " + b.note) if b.note else ""}</text>')
    if more:
        body.append(f'<text x="12" y="{height - 16}" font-size="12" fill="{MUTED}">…and {more} more (see the table)</text>')
    return _svg(width, height, title, _describe(bars), body, ident)


def histogram_svg(title: str, edges: Sequence[float], counts: Sequence[int], target: float, *,
                  ident: str = "histogram", width: int = 720, unit: str = "days") -> str:
    """Vertical bars over bins [edges[i], edges[i+1]) and a last open bin, with a dashed line at `target`."""
    left, right, top, bottom, height = 48, 16, 40, 48, 300
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(counts)
    peak = max(counts, default=0) or 1
    step = plot_w / max(n, 1)
    body = [f'<text x="12" y="24" font-size="16" font-weight="bold" fill="{INK}">{escape(title)}</text>',
            f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{MUTED}"/>']
    for tick in range(0, peak + 1, max(1, peak // 4)):
        y = top + plot_h - plot_h * tick / peak
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{LINE}"/>'
                    f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="{MUTED}">{tick}</text>')
    for i, count in enumerate(counts):
        h = plot_h * count / peak
        x = left + i * step
        fill = ACCENT if i < len(edges) and edges[i] >= target else BAR
        body.append(f'<rect x="{x + 1:.1f}" y="{top + plot_h - h:.1f}" width="{step - 2:.1f}" height="{h:.1f}" rx="2" fill="{fill}"/>')
        if i < len(edges) and (i % max(1, n // 8) == 0):
            body.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" font-size="11" text-anchor="middle" '
                        f'fill="{MUTED}">{_number(edges[i])}</text>')
    body.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 10}" font-size="12" text-anchor="middle" '
                f'fill="{MUTED}">{escape(unit)} waited (the last bar: {_number(edges[-1]) if edges else 0} or more)</text>')
    if edges:
        position = next((i for i, e in enumerate(edges) if e >= target), len(edges) - 1)
        x = left + position * step
        body.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{top + plot_h}" stroke="{TARGET}" '
                    f'stroke-width="2" stroke-dasharray="6 4"/>'
                    f'<text x="{x + 6:.1f}" y="{top + 6}" font-size="12" fill="{TARGET}">target: '
                    f'{_number(target)} {escape(unit)}</text>')
    desc = "; ".join(f"{_number(edges[i])}+ {unit}: {c}" for i, c in enumerate(counts) if i < len(edges))
    return _svg(width, height, title, f"{desc}. Target {_number(target)} {unit}.", body, ident)


def funnel_svg(title: str, steps: Sequence[Bar], *, ident: str = "funnel", width: int = 720) -> str:
    """Centered bars, each as wide as its share of the first step, labelled with count and conversion."""
    row, top = 46, 40
    height = top + row * max(len(steps), 1) + 8
    base = (steps[0].value if steps else 0) or 1
    span = width - 40
    body = [f'<text x="12" y="24" font-size="16" font-weight="bold" fill="{INK}">{escape(title)}</text>']
    for i, s in enumerate(steps):
        w = max(2.0, span * s.value / base) if s.value else 2.0
        x, y = (width - w) / 2, top + i * row
        body.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row - 20}" rx="4" fill="{BAR if i == 0 else ACCENT}"/>')
        body.append(f'<text x="{width / 2:.1f}" y="{y + row - 6}" font-size="13" text-anchor="middle" fill="{INK}">'
                    f'{escape(s.label)}: {_number(s.value)}{escape(" (" + s.note + ")") if s.note else ""}</text>')
    return _svg(width, height, title, _describe(steps), body, ident)


# --------------------------------------------------------------------------------------------- PNG


def bar_chart_png(title: str, bars: Sequence[Bar], *, subtitle: str = "", width: int = 1000) -> bytes:
    """The bar chart as a PNG (for Slack, which shows images, not SVG)."""
    shown, more = _cut(bars)
    row, top, label_w = 40, 96 if subtitle else 72, 360
    height = top + row * max(len(shown), 1) + (36 if more else 0) + 24
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((24, 20), title, fill=INK, font=font(BOLD, 28))
    if subtitle:
        draw.text((24, 58), subtitle, fill=MUTED, font=font(REGULAR, 18))
    label_font, value_font = font(REGULAR, 18), font(BOLD, 18)
    peak = max((b.value for b in shown), default=0) or 1
    span = width - label_w - 160
    if not shown:
        draw.text((24, top + 8), "Nothing in this range.", fill=MUTED, font=label_font)
    for i, b in enumerate(shown):
        y = top + i * row
        label = b.label
        while label_font.getlength(label) > label_w - 24 and len(label) > 2:
            label = label[:-2] + "…"
        draw.text((label_w - 12, y + 20), label, fill=INK, font=label_font, anchor="rm")
        length = max(2, round(span * b.value / peak)) if b.value else 0
        if length:
            draw.rounded_rectangle((label_w, y + 6, label_w + length, y + row - 6), radius=4, fill=BAR)
        text = _number(b.value) + (f" · {b.note}" if b.note else "")
        draw.text((label_w + length + 10, y + 20), text, fill=INK, font=value_font, anchor="lm")
    if more:
        draw.text((24, height - 44), f"…and {more} more", fill=MUTED, font=label_font)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
