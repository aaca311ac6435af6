"""The offline image cache's rules and reading side: which URLs and bytes are images worth
keeping, the limits, and reading cached images back (downloading is reader.imagecache).

The bytes live in the image store (`Archive.image_store`, see reader.store.blobs), named by
their SHA-256, so the same picture used by many entries or sources is stored once; the
`assets` table says what each one is.
"""

from __future__ import annotations

import html as html_lib
import json
import re
import struct
from collections.abc import Mapping
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select

from reader.store.schema import entries, entry_images

if TYPE_CHECKING:
    from reader.core import Archive

MAX_IMAGE_BYTES = 10 * 1024**2
MAX_ENTRY_BYTES = 30 * 1024**2
MAX_ATTEMPTS = 3  # a failed image is tried this many times in all, then left failed
IMAGE_ACCEPT = "image/avif,image/webp,image/png,image/jpeg,image/gif;q=0.9,image/*;q=0.8"

# URLs that are tracking beacons rather than pictures; never worth a request.
_TRACKER_URL = re.compile(
    r"(?:/pixel(?:[./?_-]|$)|beacon|doubleclick\.net|/track(?:ing)?(?:[./?_-]|$)|[/_.-]1x1[/_.-]"
    r"|spacer\.gif|/b/ss/|google-analytics\.com|/collect\?|/ping\?|feedburner\.com/~r/"
    r"|/open\.gif|/wf/open\?|pixel\.wp\.com|stats\.wordpress\.com)",
    re.IGNORECASE,
)
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""\b(src|width|height)\s*=\s*"([^"]*)\"""", re.IGNORECASE)


# -- recognising image bytes ------------------------------------------------------------


def sniff_image_type(data: bytes) -> str | None:
    """The image type the bytes really are (by magic number), or None.

    SVG is deliberately not recognised: it can carry scripts and is not sanitized here.
    """
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"avif", b"avis"):
        return "image/avif"
    return None


def image_dimensions(data: bytes) -> tuple[int, int] | None:
    """(width, height) read from a PNG, GIF, JPEG or WebP header; None when unknown."""
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
            return int(width), int(height)
        if data[:6] in (b"GIF87a", b"GIF89a"):
            width, height = struct.unpack("<HH", data[6:10])
            return int(width), int(height)
        if data.startswith(b"\xff\xd8"):
            return _jpeg_dimensions(data)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp_dimensions(data)
    except struct.error:
        return None
    return None


def _jpeg_dimensions(data: bytes) -> tuple[int, int] | None:
    # Walk the marker segments up to the first start-of-frame (SOF0..SOF15 but DHT/JPG/DAC).
    position = 2
    while position + 9 < len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return int(width), int(height)
        position += 2 + length
    return None


def _webp_dimensions(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return int(width) & 0x3FFF, int(height) & 0x3FFF
    if chunk == b"VP8L" and data[20:21] == b"\x2f":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    return None


def is_tracker_url(url: str) -> bool:
    """True for URLs that look like tracking beacons (counted, never shown)."""
    return bool(_TRACKER_URL.search(url))


def tiny_image_urls(html: str) -> set[str]:
    """`<img>` sources the HTML itself declares as 1x1 (or 0x0): tracking pixels."""
    found: set[str] = set()
    if "<img" not in html:
        return found
    for tag in _IMG_TAG.findall(html):
        attributes = {name.lower(): value for name, value in _ATTR.findall(tag)}
        if attributes.get("width", "").strip() in ("0", "1") and attributes.get(
            "height", ""
        ).strip() in ("0", "1"):
            found.add(html_lib.unescape(attributes.get("src", "")).strip())
    return found


# -- reading the cache ------------------------------------------------------------------


def cached_image(archive: Archive, url: str) -> bytes | None:
    """The cached bytes of an image URL (for the reading pane), or None when not cached."""
    with archive.reading() as connection:
        shas = connection.execute(
            select(entry_images.c.sha256)
            .where(
                entry_images.c.url == url,
                entry_images.c.status == "cached",
                entry_images.c.sha256.is_not(None),
            )
            .distinct()
        ).scalars()
        keys = list(shas)
    for sha in keys:
        data = archive.image_store.get(sha)
        if data is not None:
            return data
    return None


def cached_images_of(connection: Connection, entry_id: int) -> dict[str, str]:
    """URL -> sha256 of the entry's cached images."""
    rows = connection.execute(
        select(entry_images.c.url, entry_images.c.sha256).where(
            entry_images.c.entry_id == entry_id,
            entry_images.c.status == "cached",
            entry_images.c.sha256.is_not(None),
        )
    )
    return {url: sha for url, sha in rows}


_SRC_IN_IMG = re.compile(r"""(<img\b[^>]*?\ssrc=")([^"]*)(")""", re.IGNORECASE)
_WHOLE_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ALT = re.compile(r"""\salt="([^"]*)\"""", re.IGNORECASE)


def rewrite_images_for_offline(
    html: str, mapping: Mapping[str, str], *, drop_unmapped: bool = True
) -> str:
    """Point each `<img src>` of sanitized HTML at `mapping[url]` (a local path or URL).

    Images with no local copy are replaced by their alt text when `drop_unmapped`, so the
    result loads nothing remote.
    """
    if "<img" not in html.lower():
        return html

    def replace(tag_match: re.Match[str]) -> str:
        tag = tag_match.group(0)
        src = _SRC_IN_IMG.search(tag)
        if src is None:
            return "" if drop_unmapped else tag
        local = mapping.get(html_lib.unescape(src.group(2)).strip())
        if local is not None:
            return tag[: src.start(2)] + html_lib.escape(local) + tag[src.end(2) :]
        if not drop_unmapped:
            return tag
        alt = _ALT.search(tag)
        return f"<span class=\"missing-image\">[{alt.group(1)}]</span>" if alt and alt.group(
            1
        ).strip() else ""

    return _WHOLE_IMG.sub(replace, html)


def entry_image_urls(connection: Connection, entry_id: int) -> list[str]:
    """The entry's image URLs in document order (entries.images)."""
    value = connection.execute(select(entries.c.images).where(entries.c.id == entry_id)).scalar()
    loaded = json.loads(value or "[]")
    return [str(url) for url in loaded]
