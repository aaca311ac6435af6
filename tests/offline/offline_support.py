"""Helpers for the offline-archive tests: small real images and a seeded archive."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reader.core import Archive, open_archive
from reader.store.writer import insert_entries
from reader.types import EntryId, ParsedEntry

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures"
IMAGE_FIXTURES = FIXTURES / "liveblogs" / "img"

# The smallest valid GIF: one transparent pixel, the classic tracking beacon.
PIXEL_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def png_bytes(width: int, height: int, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid truecolour PNG of the given size, filled with one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def new_archive(root: Path) -> Archive:
    return open_archive(root)


def add_source(
    archive: Archive, url: str, *, title: str = "Source", folder: str | None = None
) -> int:
    return int(archive.subscribe(url, "feed", title=title, folder=folder).id)


def entry(
    key: str,
    *,
    title: str | None = None,
    text: str = "",
    images: Sequence[str] = (),
    html: str | None = None,
    published: datetime | None = None,
) -> ParsedEntry:
    """A parsed entry whose HTML shows `images` in order."""
    body = text or f"Body of {key}"
    markup = (
        html
        if html is not None
        else (f"<p>{body}</p>" + "".join(f'<img src="{url}" alt="picture">' for url in images))
    )
    return ParsedEntry(
        key=key,
        kind="article",
        title=title if title is not None else f"Title {key}",
        authors=("Ann Writer",),
        published=published or datetime(2025, 6, 1, 12, 0, tzinfo=UTC),
        url=f"https://example.org/{key}",
        html=markup,
        text=body,
        image_urls=tuple(images),
    )


def add_entries(archive: Archive, source_id: int, items: Sequence[ParsedEntry]) -> list[EntryId]:
    now = int(datetime(2025, 6, 2, tzinfo=UTC).timestamp())
    with archive.writing() as connection:
        return insert_entries(connection, source_id, items, now)


def days_ago(days: float, now: datetime) -> datetime:
    return now - timedelta(days=days)
