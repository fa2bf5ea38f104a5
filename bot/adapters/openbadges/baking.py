"""Baking: a credential embedded in its badge image, so the image alone can be verified.

PNG (OB 3.0 and 2.0): one uncompressed iTXt chunk, keyword `openbadgecredential` (3.0) or `openbadges`
(2.0), before IEND. SVG (3.0): an `<openbadges:credential>` element first under the root, a VC-JWT in its
`verify` attribute or a JSON credential as its CDATA content. Chunks are written
and read here by hand: Pillow neither writes an iTXt uncompressed on request nor reads one after the
image data, and a verifier must also notice any corrupted chunk (each carries a CRC).
"""
from __future__ import annotations

import base64
import struct
import zlib
from xml.sax.saxutils import escape, quoteattr

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OB3_KEYWORD = "openbadgecredential"
OB2_KEYWORD = "openbadges"
OB3_SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"


class BakingError(ValueError):
    """The image cannot carry or does not carry a credential; the message says why."""


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG image")
    chunks, at = [], len(PNG_SIGNATURE)
    while at < len(png):
        if at + 12 > len(png):
            raise BakingError("the PNG is truncated")
        (length,) = struct.unpack(">I", png[at:at + 4])
        kind = png[at + 4:at + 8]
        data = png[at + 8:at + 8 + length]
        if len(data) != length or at + 12 + length > len(png):
            raise BakingError("the PNG is truncated")
        (crc,) = struct.unpack(">I", png[at + 8 + length:at + 12 + length])
        if zlib.crc32(kind + data) != crc:
            raise BakingError(f"the PNG is corrupt or was altered (bad checksum in its {kind.decode('latin-1')} chunk)")
        chunks.append((kind, data))
        at += 12 + length
        if kind == b"IEND":
            break
    if not chunks or chunks[-1][0] != b"IEND":
        raise BakingError("the PNG has no end (IEND) chunk")
    if at != len(png):
        raise BakingError("the PNG has data after its end (IEND) chunk")
    return chunks


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _itxt_keyword(data: bytes) -> str:
    return data.split(b"\x00", 1)[0].decode("latin-1")


def bake_png(png: bytes, text: str, keyword: str = OB3_KEYWORD) -> bytes:
    """`png` with exactly one uncompressed iTXt chunk `keyword` holding `text` (an earlier one is replaced)."""
    chunks = [(k, d) for k, d in _chunks(png) if not (k == b"iTXt" and _itxt_keyword(d) == keyword)]
    # keyword, NUL, compression flag 0, method 0, empty language tag, NUL, empty translated keyword, NUL, text
    itxt = keyword.encode("latin-1") + b"\x00\x00\x00" + b"\x00" + b"\x00" + text.encode("utf-8")
    out = [PNG_SIGNATURE]
    for kind, data in chunks:
        if kind == b"IEND":
            out.append(_chunk(b"iTXt", itxt))
        out.append(_chunk(kind, data))
    return b"".join(out)


def unbake_png(png: bytes, keyword: str = OB3_KEYWORD) -> str:
    """The text baked into `png` under `keyword`."""
    found = []
    for kind, data in _chunks(png):
        if kind == b"iTXt" and _itxt_keyword(data) == keyword:
            rest = data[len(keyword) + 1:]
            if len(rest) < 2:
                raise BakingError("the baked iTXt chunk is malformed")
            compressed, method, rest = rest[0], rest[1], rest[2:]
            parts = rest.split(b"\x00", 2)
            if len(parts) != 3:
                raise BakingError("the baked iTXt chunk is malformed")
            body = parts[2]
            if compressed:
                if method != 0:
                    raise BakingError("the baked iTXt chunk uses an unknown compression")
                body = zlib.decompress(body)
            try:
                found.append(body.decode("utf-8"))
            except UnicodeDecodeError:
                raise BakingError("the baked credential is not UTF-8 text") from None
        elif kind == b"tEXt" and _itxt_keyword(data) == keyword:
            raise BakingError(f"the credential is in a tEXt chunk; Open Badges requires iTXt '{keyword}'")
    if not found:
        raise BakingError(f"the PNG carries no credential (no iTXt chunk '{keyword}')")
    if len(found) > 1:
        raise BakingError(f"the PNG carries {len(found)} credentials; Open Badges allows exactly one")
    return found[0]


def bake_svg(png: bytes, text: str, *, width: int = 600, height: int = 600, title: str = "") -> str:
    """An SVG badge: the PNG artwork embedded as an image, and the credential in <openbadges:credential>.

    As OB 3.0 bakes them, the element comes first under <svg>: a VC-JWT (compact JWS) is its `verify`
    attribute, and a JSON credential (with an embedded proof) is its CDATA content.
    """
    picture = base64.b64encode(png).decode()
    text = text.strip()
    if text.startswith("{"):
        # CDATA cannot contain "]]>": JSON is split around it if it ever does.
        body = text.replace("]]>", "]]]]><![CDATA[>")
        element = f'<openbadges:credential><![CDATA[{body}]]></openbadges:credential>'
    else:
        element = f'<openbadges:credential verify={quoteattr(text)}/>'
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{OB3_SVG_NAMESPACE}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f'{element}\n'
        f'  <title>{escape(title)}</title>\n'
        f'  <image width="{width}" height="{height}" href="data:image/png;base64,{picture}"/>\n'
        '</svg>\n'
    )


def unbake_svg(svg: str) -> str:
    """The credential in an SVG's <openbadges:credential> element (its text, or its `verify` attribute)."""
    import xml.etree.ElementTree as ET  # expat refuses entity expansion bombs (billion laughs)

    try:
        root = ET.fromstring(svg.encode("utf-8"))
    except ET.ParseError as exc:
        raise BakingError(f"the SVG is not well-formed XML ({exc})") from None
    found = [el for el in root.iter() if el.tag == f"{{{OB3_SVG_NAMESPACE}}}credential"]
    if not found:
        raise BakingError(f"the SVG carries no <openbadges:credential> element in namespace {OB3_SVG_NAMESPACE}")
    if len(found) > 1:
        raise BakingError(f"the SVG carries {len(found)} credentials; Open Badges allows exactly one")
    element = found[0]
    # A VC-JWT is in the `verify` attribute; a JSON credential is the element's (CDATA) text.
    text, verify = (element.text or "").strip(), (element.get("verify") or "").strip()
    if text and verify:
        raise BakingError("the SVG's <openbadges:credential> carries both a `verify` attribute and content; "
                          "Open Badges allows exactly one credential")
    if not (text or verify):
        raise BakingError("the SVG's <openbadges:credential> element is empty")
    return text or verify
