"""The offline image cache: entry images downloaded once into a content-addressed store.

The bytes live in the image store (`Archive.image_store`, see reader.store.blobs), named by
their SHA-256, so the same picture used by many entries or sources is stored once; the
`assets` table says what each one is. A failed download marks only that image failed; it
never fails a refresh.
"""

from __future__ import annotations

import html as html_lib
import json
import re
import struct
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Connection, and_, bindparam, or_, select, update
from sqlalchemy.exc import DBAPIError

from reader.errors import FetchError, ResponseTooLarge
from reader.store.convert import now_epoch
from reader.store.schema import assets, entries, entry_images, sources
from reader.types import EntryId

if TYPE_CHECKING:
    from reader.core import Archive
    from reader.fetch import FetchResult

MAX_IMAGE_BYTES = 10 * 1024**2
MAX_ENTRY_BYTES = 30 * 1024**2
MAX_ATTEMPTS = 3  # a failed image is tried this many times in all, then left failed
IMAGE_ACCEPT = "image/avif,image/webp,image/png,image/jpeg,image/gif;q=0.9,image/*;q=0.8"

ProgressCallback = Callable[[int, int, str], None]

# URLs that are tracking beacons rather than pictures; never worth a request.
_TRACKER_URL = re.compile(
    r"(?:/pixel(?:[./?_-]|$)|beacon|doubleclick\.net|/track(?:ing)?(?:[./?_-]|$)|[/_.-]1x1[/_.-]"
    r"|spacer\.gif|/b/ss/|google-analytics\.com|/collect\?|/ping\?|feedburner\.com/~r/"
    r"|/open\.gif|/wf/open\?|pixel\.wp\.com|stats\.wordpress\.com)",
    re.IGNORECASE,
)
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""\b(src|width|height)\s*=\s*"([^"]*)\"""", re.IGNORECASE)
_ATTEMPT = re.compile(r"\(attempt (\d+) of \d+\)$")


class ImageFetcher(Protocol):
    """The part of `reader.fetch.Fetcher` the cache uses."""

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
        accept: str | None = None,
    ) -> FetchResult: ...


@dataclass(frozen=True)
class CacheReport:
    """What one caching pass did; `entry_ids` are the entries whose images changed state."""

    cached: int = 0
    skipped: int = 0
    failed: int = 0
    downloaded_bytes: int = 0
    requests: int = 0
    entry_ids: tuple[EntryId, ...] = ()
    errors: tuple[str, ...] = ()  # one readable line per failed URL


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


# -- the caching pass -------------------------------------------------------------------


@dataclass(frozen=True)
class _Download:
    """The outcome of fetching one URL: a stored file, a permanent refusal, or a failure."""

    url: str
    sha256: str | None = None
    content_type: str = ""
    size: int = 0
    skip_reason: str | None = None
    error: str | None = None


@dataclass
class _Pending:
    """The entry_images rows waiting for one URL."""

    rows: list[tuple[int, str | None]] = field(default_factory=list)  # (entry_id, error)


def _attempts(error: str | None) -> int:
    match = _ATTEMPT.search(error or "")
    return int(match.group(1)) if match else 0


def _wanted_rows(connection: Connection, entry_ids: Sequence[int] | None) -> list[Any]:
    retryable = and_(
        entry_images.c.status == "failed",
        or_(
            entry_images.c.error.is_(None),
            ~entry_images.c.error.like(f"%(attempt {MAX_ATTEMPTS} of {MAX_ATTEMPTS})"),
        ),
    )
    query = (
        select(entry_images.c.entry_id, entry_images.c.url, entry_images.c.error)
        .join(entries, entries.c.id == entry_images.c.entry_id)
        .join(sources, sources.c.id == entries.c.source_id)
        .where(
            sources.c.cache_images == True,  # noqa: E712 - SQL expression
            or_(entry_images.c.status == "pending", retryable),
        )
    )
    if entry_ids is None:
        return list(connection.execute(query))
    found: list[Any] = []
    wanted = list(dict.fromkeys(entry_ids))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.extend(connection.execute(query.where(entry_images.c.entry_id.in_(chunk))))
    return found


def _declared_pixels(connection: Connection, entry_ids: set[int]) -> set[str]:
    tiny: set[str] = set()
    ids = sorted(entry_ids)
    for start in range(0, len(ids), 500):
        for (html,) in connection.execute(
            select(entries.c.html).where(entries.c.id.in_(ids[start : start + 500]))
        ):
            tiny |= tiny_image_urls(html or "")
    return tiny


def _known_assets(connection: Connection, urls: Sequence[str]) -> dict[str, tuple[str, int]]:
    """URLs already cached for some other entry: reuse their file instead of downloading."""
    known: dict[str, tuple[str, int]] = {}
    for start in range(0, len(urls), 500):
        query = (
            select(entry_images.c.url, assets.c.sha256, assets.c.size)
            .join(assets, assets.c.sha256 == entry_images.c.sha256)
            .where(
                entry_images.c.status == "cached",
                entry_images.c.url.in_(urls[start : start + 500]),
            )
        )
        for url, sha, size in connection.execute(query):
            known[url] = (sha, int(size))
    return known


def _download(archive: Archive, fetcher: ImageFetcher, url: str) -> _Download:
    try:
        result = fetcher.fetch(url, max_bytes=MAX_IMAGE_BYTES, accept=IMAGE_ACCEPT)
    except ResponseTooLarge:
        return _Download(url, skip_reason=f"larger than {MAX_IMAGE_BYTES // 1024**2} MB")
    except FetchError as error:
        return _Download(url, error=str(error) or type(error).__name__)
    data = result.content
    declared = result.content_type
    if not declared.startswith("image/"):
        return _Download(url, skip_reason=f"not an image ({declared or 'no content type'})")
    if "svg" in declared:
        return _Download(url, skip_reason="SVG images are not cached (they can carry scripts)")
    sniffed = sniff_image_type(data)
    if sniffed is None:
        return _Download(url, skip_reason=f"the bytes are not a known image format ({declared})")
    if image_dimensions(data) in ((1, 1), (0, 0)):
        return _Download(url, skip_reason="tracking pixel (1x1 image)")
    try:
        sha = archive.image_store.put(data)
    except DBAPIError as error:
        return _Download(url, error=f"cannot store the image: {error.orig}")
    return _Download(url, sha256=sha, content_type=sniffed, size=len(data))


def cache_images(
    archive: Archive,
    entry_ids: Sequence[int] | None = None,
    *,
    fetcher: ImageFetcher,
    max_workers: int = 16,
    progress: ProgressCallback | None = None,
) -> CacheReport:
    """Download the pending images of `entry_ids` (all when None) into the asset store.

    Only sources with cache_images on are served. Tracking pixels, non-images, SVG and
    oversize files are marked skipped; network failures are marked failed and retried on
    later calls up to MAX_ATTEMPTS times. Each URL is requested at most once per call.
    """
    with archive.reading() as connection:
        rows = _wanted_rows(connection, entry_ids)
        waiting: dict[str, _Pending] = defaultdict(_Pending)
        for row in rows:
            entry_id, url, error = row
            waiting[url].rows.append((int(entry_id), error))
        if not waiting:
            return CacheReport()
        tiny = _declared_pixels(connection, {e for p in waiting.values() for e, _ in p.rows})
        known = _known_assets(connection, list(waiting))
        entry_bytes = _entry_bytes(connection, {e for p in waiting.values() for e, _ in p.rows})

    outcomes: list[_Download] = []
    to_fetch: list[str] = []
    for url in waiting:
        if url in known:
            sha, size = known[url]
            outcomes.append(_Download(url, sha256=sha, size=size, content_type=""))
        elif url in tiny:
            outcomes.append(_Download(url, skip_reason="tracking pixel (declared 1x1)"))
        elif is_tracker_url(url):
            outcomes.append(_Download(url, skip_reason="tracking pixel (tracker address)"))
        else:
            to_fetch.append(url)

    total = len(waiting)
    report = _ReportBuilder()
    _record(archive, outcomes, waiting, entry_bytes, report)
    done = len(outcomes)
    if progress is not None:
        progress(done, total, "images")
    if to_fetch:
        with ThreadPoolExecutor(max_workers=max(1, max_workers)) as pool:
            futures = [pool.submit(_download, archive, fetcher, url) for url in to_fetch]
            batch: list[_Download] = []
            for future in as_completed(futures):
                batch.append(future.result())
                report.requests += 1
                done += 1
                if len(batch) >= 50:
                    _record(archive, batch, waiting, entry_bytes, report)
                    batch = []
                if progress is not None:
                    progress(done, total, batch[-1].url if batch else "images")
            _record(archive, batch, waiting, entry_bytes, report)
    return report.build()


def _entry_bytes(connection: Connection, entry_ids: set[int]) -> dict[int, int]:
    """Bytes already cached per entry, so the per-entry cap counts earlier passes too."""
    used: dict[int, int] = defaultdict(int)
    ids = sorted(entry_ids)
    for start in range(0, len(ids), 500):
        query = (
            select(entry_images.c.entry_id, assets.c.size)
            .join(assets, assets.c.sha256 == entry_images.c.sha256)
            .where(
                entry_images.c.status == "cached",
                entry_images.c.entry_id.in_(ids[start : start + 500]),
            )
        )
        for entry_id, size in connection.execute(query):
            used[int(entry_id)] += int(size)
    return used


@dataclass
class _ReportBuilder:
    cached: int = 0
    skipped: int = 0
    failed: int = 0
    downloaded: int = 0
    requests: int = 0
    entry_ids: dict[int, None] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def build(self) -> CacheReport:
        return CacheReport(
            cached=self.cached,
            skipped=self.skipped,
            failed=self.failed,
            downloaded_bytes=self.downloaded,
            requests=self.requests,
            entry_ids=tuple(EntryId(i) for i in self.entry_ids),
            errors=tuple(self.errors),
        )


def _record(
    archive: Archive,
    outcomes: Sequence[_Download],
    waiting: Mapping[str, _Pending],
    entry_bytes: dict[int, int],
    report: _ReportBuilder,
) -> None:
    """Write a batch of outcomes in one short transaction."""
    if not outcomes:
        return
    now = now_epoch()
    unused_files: list[str] = []
    changes: list[dict[str, object]] = []
    new_assets: list[dict[str, object]] = []
    with archive.writing() as connection:
        for outcome in outcomes:
            rows = waiting[outcome.url].rows
            if outcome.sha256 is not None:
                used = False
                for entry_id, _ in rows:
                    if entry_bytes[entry_id] + outcome.size > MAX_ENTRY_BYTES:
                        reason = f"the entry's images pass {MAX_ENTRY_BYTES // 1024**2} MB"
                        changes.append(_change(entry_id, outcome.url, "skipped", error=reason))
                        report.skipped += 1
                    else:
                        if not used:
                            new_assets.append(_asset_row(outcome, now))
                            used = True
                        entry_bytes[entry_id] += outcome.size
                        changes.append(
                            _change(entry_id, outcome.url, "cached", sha256=outcome.sha256)
                        )
                        report.cached += 1
                    report.entry_ids[entry_id] = None
                if outcome.content_type:  # freshly downloaded (not reused)
                    report.downloaded += outcome.size
                    if not used:
                        unused_files.append(outcome.sha256)
            elif outcome.skip_reason is not None:
                for entry_id, _ in rows:
                    changes.append(
                        _change(entry_id, outcome.url, "skipped", error=outcome.skip_reason)
                    )
                    report.skipped += 1
                    report.entry_ids[entry_id] = None
            else:
                report.errors.append(f"{outcome.url}: {outcome.error}")
                for entry_id, previous in rows:
                    attempt = _attempts(previous) + 1
                    reason = f"{outcome.error} (attempt {attempt} of {MAX_ATTEMPTS})"
                    changes.append(_change(entry_id, outcome.url, "failed", error=reason))
                    report.failed += 1
                    report.entry_ids[entry_id] = None
        # executemany: one compiled statement for the whole batch (a refresh caches thousands).
        if new_assets:
            connection.execute(assets.insert().prefix_with("OR IGNORE"), new_assets)
        if changes:
            connection.execute(_UPDATE_IMAGE, changes)
        still_used = _referenced(connection, unused_files)
    unused = [sha for sha in unused_files if sha not in still_used]
    if unused:
        archive.image_store.delete(unused)


def _referenced(connection: Connection, shas: Sequence[str]) -> set[str]:
    if not shas:
        return set()
    return set(
        connection.execute(select(assets.c.sha256).where(assets.c.sha256.in_(list(shas)))).scalars()
    )


def _asset_row(outcome: _Download, now: int) -> dict[str, object]:
    return {
        "sha256": outcome.sha256,
        "content_type": outcome.content_type or "application/octet-stream",
        "size": outcome.size,
        "fetched_at": now,
    }


_UPDATE_IMAGE = (
    update(entry_images)
    .where(
        entry_images.c.entry_id == bindparam("b_entry_id"),
        entry_images.c.url == bindparam("b_url"),
    )
    .values(status=bindparam("b_status"), sha256=bindparam("b_sha256"), error=bindparam("b_error"))
)


def _change(
    entry_id: int, url: str, status: str, *, sha256: str | None = None, error: str | None = None
) -> dict[str, object]:
    return {
        "b_entry_id": entry_id,
        "b_url": url,
        "b_status": status,
        "b_sha256": sha256,
        "b_error": error,
    }


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
