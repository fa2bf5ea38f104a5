"""The report charts: well-formed, accessible SVG whose shapes follow the figures, and a PNG for Slack."""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET

from PIL import Image

from bot.adapters.charts import (
    MAX_BARS,
    Bar,
    bar_chart_png,
    bar_chart_svg,
    funnel_svg,
    histogram_svg,
)

SVG = "{http://www.w3.org/2000/svg}"


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises on anything not well-formed (an unescaped label, say)


def bars_of(root: ET.Element) -> list[float]:
    return [float(r.get("width")) for r in root.iter(f"{SVG}rect") if r.get("rx")]


def test_a_bar_chart_is_titled_described_and_proportional():
    root = parsed(bar_chart_svg("Awards by type", [Bar("Souvenir", 50), Bar("Badge Level I", 25), Bar("None", 0)]))
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "Awards by type"
    assert desc.text == "Souvenir: 50; Badge Level I: 25; None: 0"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    first, second, third = bars_of(root)
    assert abs(first / second - 2) < 0.01 and third == 0


def test_labels_are_escaped_not_markup():
    root = parsed(bar_chart_svg("<b>", [Bar('<script>alert(1)</script> & "co"', 1)]))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert '<script>alert(1)</script> & "co"' in texts and root.find(f"{SVG}script") is None


def test_long_lists_are_cut_and_say_so():
    root = parsed(bar_chart_svg("Many", [Bar(f"c{i}", i + 1) for i in range(MAX_BARS + 5)]))
    assert len(bars_of(root)) == MAX_BARS
    assert any(t.text == "…and 5 more (see the table)" for t in root.iter(f"{SVG}text"))


def test_an_empty_chart_says_there_is_nothing():
    root = parsed(bar_chart_svg("Nothing", []))
    assert any(t.text == "Nothing in this range." for t in root.iter(f"{SVG}text"))


def test_the_histogram_draws_the_target_on_its_bin_edge():
    edges = [0.0, 2.0, 4.0, 6.0, 8.0]
    root = parsed(histogram_svg("Waited", edges, [4, 2, 1, 0, 3], target=4))
    bins = [r for r in root.iter(f"{SVG}rect") if r.get("fill") in ("#2f6fbd", "#7fb0e6")]
    heights = [float(r.get("height")) for r in bins]
    assert heights[0] == 2 * heights[1] == 4 * heights[2] and heights[3] == 0
    # Bins from the target on are drawn in the other colour, and the dashed line starts the third bin.
    assert [r.get("fill") for r in bins] == ["#2f6fbd", "#2f6fbd", "#7fb0e6", "#7fb0e6", "#7fb0e6"]
    [line] = [x for x in root.iter(f"{SVG}line") if x.get("stroke-dasharray")]
    assert float(line.get("x1")) == float(bins[2].get("x")) - 1
    assert "target: 4 days" in [t.text for t in root.iter(f"{SVG}text")]


def test_the_funnel_narrows_with_the_counts():
    root = parsed(funnel_svg("Funnel", [Bar("submitted", 100), Bar("changes requested", 40, "40%"), Bar("resubmitted", 10)]))
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect") if r.get("rx")]
    assert widths[0] > widths[1] > widths[2] and abs(widths[0] / widths[1] - 2.5) < 0.01
    assert "changes requested: 40 (40%)" in [t.text for t in root.iter(f"{SVG}text")]


def test_the_png_is_an_image_of_the_bars():
    png = bar_chart_png("Awards by type", [Bar("Souvenir", 50), Bar("Badge Level I", 25)], subtitle="Mar 2 – Apr 10")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width == 1000
    # The first bar is twice the second: count its blue pixels along each bar's middle row.
    rgb = image.convert("RGB")
    blue = (0x2F, 0x6F, 0xBD)

    def bar_length(y: int) -> int:
        return sum(1 for x in range(image.width) if rgb.getpixel((x, y)) == blue)

    top = 96
    first, second = bar_length(top + 20), bar_length(top + 40 + 20)
    assert abs(first / second - 2) < 0.02
