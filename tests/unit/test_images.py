"""Badge images: every design renders at 600x600, text always fits, any script renders, and the cache works."""
from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from bot.domain.vocabulary import CredentialType
from bot.adapters.images import BadgeDesign, BadgeRenderer, design_key, draw_badge, render as render_module
from bot.adapters.images.text import BOLD, FONTS, REGULAR, fit_text, font

ISSUER = "Lakeside University Micro-credentials"
DESIGNS = [
    pytest.param(BadgeDesign(CredentialType.BADGE_LEVEL_1, "SQL Basics", ISSUER), id="level-1"),
    pytest.param(BadgeDesign(CredentialType.BADGE_LEVEL_1, "SQL Basics", ISSUER, True), id="level-1-distinction"),
    pytest.param(BadgeDesign(CredentialType.BADGE_LEVEL_2, "SQL for Analytics in Practice", ISSUER, False,
                             ("SQL", "analytics")), id="level-2"),
    pytest.param(BadgeDesign(CredentialType.BADGE_LEVEL_2, "SQL for Analytics in Practice", ISSUER, True,
                             ("SQL", "analytics")), id="level-2-distinction"),
    pytest.param(BadgeDesign(CredentialType.CERTIFICATE_PRACTICED, "Data Analytics (Practiced)", ISSUER),
                 id="certificate-practiced"),
    pytest.param(BadgeDesign(CredentialType.CERTIFICATE_EXPERT, "Data Analytics (Expert)", ISSUER),
                 id="certificate-expert"),
    pytest.param(BadgeDesign(CredentialType.SOUVENIR, "Welcome Week 2026", ISSUER), id="souvenir"),
]
NAMES = [
    "SQL Basics",
    "Ünïversité de Montréal — Ça va? Øresund Łódź Ğüzel",
    "Ελληνική Γλώσσα και Πολιτισμός",
    "Программирование на Python для анализа данных",
    "Pneumonoultramicroscopicsilicovolcanoconiosisandotherextraordinarilylongwords in a title",
    "A " * 120,
    "X",
]


@pytest.mark.parametrize("design", DESIGNS)
def test_every_design_renders_a_crisp_600_square(design):
    image = draw_badge(design)
    assert image.size == (600, 600) and image.mode == "RGBA"
    # Anti-aliased edges: some pixels are partly transparent, but the badge itself is opaque.
    alpha = image.getchannel("A")
    assert alpha.getpixel((300, 300)) == 255
    assert sum(alpha.histogram()[1:255]) > 500


def test_the_variants_look_different():
    images = [draw_badge(param.values[0]).tobytes() for param in DESIGNS]
    assert len(set(images)) == len(images)


@pytest.mark.parametrize("text", NAMES)
@pytest.mark.parametrize("box", [(380, 170, 4), (300, 30, 1), (120, 40, 2)])
def test_text_never_overflows_its_box(text, box):
    width, height, lines = box
    fitted = fit_text(text, width, height, max_size=50, min_size=11, max_lines=lines)
    assert 1 <= len(fitted.lines) <= lines
    assert fitted.height <= max(height, fitted.line_height)  # one line always shows
    for line in fitted.lines:
        left, _, right, _ = fitted.font.getbbox(line)
        assert right - min(left, 0) <= width + 1, line


def test_text_shrinks_before_it_wraps_too_far():
    short = fit_text("SQL Basics", 380, 170, max_size=50, min_size=11, max_lines=4)
    long = fit_text("Data Visualization Foundations for Public Health Researchers", 380, 170,
                    max_size=50, min_size=11, max_lines=4)
    assert short.font.size == 50 and long.font.size < 50


def _glyph(path, char: str) -> bytes:
    image = Image.new("L", (60, 60))
    ImageDraw.Draw(image).text((10, 5), char, font=font(path, 40), fill=255)
    return image.tobytes()


@pytest.mark.parametrize("char", ["é", "ß", "Ł", "Ω", "λ", "Ж", "я", "Ğ"])
def test_the_bundled_font_covers_latin_greek_and_cyrillic(char):
    for path in (REGULAR, BOLD):
        missing = _glyph(path, "\U000f0000")  # a private-use code point: the font's "no glyph" box
        assert _glyph(path, char) != missing
        assert any(_glyph(path, char))


def test_the_fonts_are_bundled_with_their_licence():
    assert (FONTS / "DejaVuSans.ttf").is_file() and (FONTS / "LICENSE-DejaVu.txt").is_file()
    assert "Bitstream" in (FONTS / "LICENSE-DejaVu.txt").read_text()


def test_images_are_cached_by_content_hash(tmp_path, monkeypatch):
    renderer = BadgeRenderer(tmp_path)
    design = DESIGNS[0].values[0]
    first = renderer.render(design)
    assert Image.open(io.BytesIO(first)).size == (600, 600)
    path = renderer.path_for(design)
    assert path is not None and path.read_bytes() == first and design_key(design) in path.name

    def refuse(_design):  # the second call must not draw again
        raise AssertionError("rendered twice")

    monkeypatch.setattr(render_module, "draw_badge", refuse)
    assert renderer.render(design) == first
    renamed = BadgeDesign(design.type, design.title + " II", design.issuer)
    assert design_key(renamed) != design_key(design)


def test_a_souvenir_uses_its_own_image(tmp_path):
    source = tmp_path / "event.png"
    Image.new("RGB", (300, 200), "#00ff00").save(source)
    own = BadgeDesign(CredentialType.SOUVENIR, "Hackathon", ISSUER, source_image=source)
    template = BadgeDesign(CredentialType.SOUVENIR, "Hackathon", ISSUER)
    image = draw_badge(own).convert("RGB")
    assert image.getpixel((300, 120)) == (0, 255, 0)
    assert draw_badge(template).convert("RGB").getpixel((300, 120)) != (0, 255, 0)
    assert design_key(own) != design_key(template)
    source.write_bytes(b"not an image")
    assert draw_badge(own).size == (600, 600)  # falls back to the template
