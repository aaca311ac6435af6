"""Caching entry images: plan from the database, download, store the bytes, record the outcome.

`ImageCacher` takes entries while a refresh is still going on (each source's new entries as
soon as they are stored), so downloads overlap the rest of the refresh. Given the refresh's
worker processes it downloads there: a download is mostly Python work (HTTP parsing, hashing,
writing), and in worker processes it runs beside the topic threading that follows a refresh
instead of queueing for the same interpreter lock. Workers write bytes straight into the image
store; only small outcomes travel back, and the parent records them in the archive.
Every URL is requested at most once per cacher. A failed image never fails a refresh.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from sqlalchemy import Connection, and_, bindparam, or_, select, update
from sqlalchemy.exc import DBAPIError

from reader import assets as policy
from reader.errors import FetchError, ResponseTooLarge
from reader.fetch import Fetcher
from reader.store.blobs import BlobStore
from reader.store.convert import now_epoch
from reader.store.schema import assets, entries, entry_images, sources
from reader.types import EntryId

if TYPE_CHECKING:
    from reader.core import Archive
    from reader.fetch import FetchLimits, FetchResult

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, str], None]
# URLs of one host handed to a worker process at a time: small enough to spread a big
# source over both workers, large enough that a batch is worth sending.
_BATCH = 25
_RECORD_EVERY = 50
# Entries gathered before planning their downloads: a plan is a few queries, and one plan per
# source of a big refresh cost more interpreter time than the downloads it started.
_PLAN_EVERY = 200


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


@dataclass(frozen=True)
class Download:
    """The outcome of fetching one URL: stored bytes, a permanent refusal, or a failure."""

    url: str
    sha256: str | None = None
    content_type: str = ""
    size: int = 0
    skip_reason: str | None = None
    error: str | None = None


# -- downloading one image ---------------------------------------------------------------


def download(store: BlobStore, fetcher: ImageFetcher, url: str) -> Download:
    """Fetch `url`, check that it is a real image worth keeping, and store its bytes."""
    limit = policy.MAX_IMAGE_BYTES
    try:
        result = fetcher.fetch(url, max_bytes=limit, accept=policy.IMAGE_ACCEPT)
    except ResponseTooLarge:
        return Download(url, skip_reason=f"larger than {limit // 1024**2} MB")
    except FetchError as error:
        return Download(url, error=str(error) or type(error).__name__)
    data = result.content
    declared = result.content_type
    if not declared.startswith("image/"):
        return Download(url, skip_reason=f"not an image ({declared or 'no content type'})")
    if "svg" in declared:
        return Download(url, skip_reason="SVG images are not cached (they can carry scripts)")
    sniffed = policy.sniff_image_type(data)
    if sniffed is None:
        return Download(url, skip_reason=f"the bytes are not a known image format ({declared})")
    if policy.image_dimensions(data) in ((1, 1), (0, 0)):
        return Download(url, skip_reason="tracking pixel (1x1 image)")
    try:
        sha = store.put(data)
    except DBAPIError as error:
        return Download(url, error=f"cannot store the image: {error.orig}")
    return Download(url, sha256=sha, content_type=sniffed, size=len(data))


# -- in a worker process -----------------------------------------------------------------

_worker_lock = threading.Lock()
_worker_fetchers: dict[tuple[FetchLimits, str], Fetcher] = {}
_worker_stores: dict[str, BlobStore] = {}


def download_in_worker(
    store_path: str, urls: Sequence[str], limits: FetchLimits, user_agent: str
) -> list[Download]:
    """Download `urls` in a worker process (the refresh's parse workers run this).

    The worker keeps one HTTP client and one store connection for its lifetime; a few
    threads per batch keep slow servers from holding the rest up.
    """
    with _worker_lock:
        fetcher = _worker_fetchers.get((limits, user_agent))
        if fetcher is None:
            fetcher = Fetcher(limits, user_agent=user_agent)
            _worker_fetchers[(limits, user_agent)] = fetcher
        store = _worker_stores.get(store_path)
        if store is None:
            store = BlobStore(Path(store_path))
            _worker_stores[store_path] = store
    if len(urls) == 1:
        return [download(store, fetcher, urls[0])]
    with ThreadPoolExecutor(max_workers=min(4, len(urls))) as threads:
        return list(threads.map(lambda url: download(store, fetcher, url), urls))


# -- planning from the archive -----------------------------------------------------------


@dataclass
class _Pending:
    """The entry_images rows waiting for one URL."""

    rows: list[tuple[int, str | None]] = field(default_factory=list)  # (entry_id, error)


_ATTEMPT = re.compile(r"\(attempt (\d+) of \d+\)$")


def _attempts(error: str | None) -> int:
    match = _ATTEMPT.search(error or "")
    return int(match.group(1)) if match else 0


def _wanted_rows(connection: Connection, entry_ids: Sequence[int] | None) -> list[Any]:
    most = policy.MAX_ATTEMPTS
    retryable = and_(
        entry_images.c.status == "failed",
        or_(
            entry_images.c.error.is_(None),
            ~entry_images.c.error.like(f"%(attempt {most} of {most})"),
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
            tiny |= policy.tiny_image_urls(html or "")
    return tiny


def _known_assets(connection: Connection, urls: Sequence[str]) -> dict[str, tuple[str, int]]:
    """URLs already cached for some other entry: reuse their bytes instead of downloading."""
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


# -- the cacher --------------------------------------------------------------------------


class ImageCacher:
    """Downloads the pending images of the entries handed to `add`; `finish` records them.

    `add` may be called from several threads while a refresh goes on. With `pool` (worker
    processes) downloads run there, else on threads of this process. While entries come in
    through `add_soon` (a refresh still fetching and parsing), at most one batch at a time
    goes to the pool, so parsing, which the refresh waits for, never queues behind images;
    from `flush` on, every batch goes.
    """

    def __init__(
        self,
        archive: Archive,
        *,
        fetcher: ImageFetcher,
        pool: Executor | None = None,
        max_workers: int = 16,
    ) -> None:
        self.archive = archive
        self.fetcher = fetcher
        self.pool = pool
        self._threads = ThreadPoolExecutor(
            max_workers=max(1, max_workers), thread_name_prefix="newsdesk-images"
        )
        self._lock = threading.Lock()
        self._entries_seen: set[int] = set()
        self._waiting: dict[str, _Pending] = defaultdict(_Pending)
        self._entry_bytes: dict[int, int] = defaultdict(int)
        self._decided: list[Download] = []  # outcomes known without a request
        self._jobs: list[tuple[Future[Any], list[str]]] = []
        self._requested: set[str] = set()
        self._gathered: list[int] = []
        self._queued: deque[list[str]] = deque()  # batches for the pool, not yet sent
        self._throttled = True

    def add_soon(self, entry_ids: Iterable[int]) -> None:
        """Like `add`, gathering entries into batches first (`finish` takes the rest)."""
        with self._lock:
            self._gathered.extend(entry_ids)
            if len(self._gathered) < _PLAN_EVERY:
                batch: list[int] = []
            else:
                batch, self._gathered = self._gathered, []
        if batch:
            self.add(batch)
        else:
            with self._lock:
                self._send()

    def flush(self) -> None:
        """Start on the entries `add_soon` is still gathering, and send every batch."""
        with self._lock:
            gathered, self._gathered = self._gathered, []
            self._throttled = False
        if gathered:
            self.add(gathered)
        with self._lock:
            self._send()

    def add(self, entry_ids: Iterable[int] | None) -> None:
        """Start on the pending images of these entries (all pending images when None)."""
        with self._lock:
            if entry_ids is None:
                fresh: list[int] | None = None
            else:
                fresh = [int(i) for i in entry_ids if int(i) not in self._entries_seen]
                if not fresh:
                    return
                self._entries_seen.update(fresh)
        with self.archive.reading() as connection:
            rows = _wanted_rows(connection, fresh)
            if not rows:
                return
            row_entries = {int(row[0]) for row in rows}
            urls = list(dict.fromkeys(str(row[1]) for row in rows))
            tiny = _declared_pixels(connection, row_entries)
            known = _known_assets(connection, urls)
            used = _entry_bytes(connection, row_entries)
        to_fetch: list[str] = []
        with self._lock:
            for entry_id, url, error in rows:
                pending = self._waiting[url]
                if (int(entry_id), error) not in pending.rows:
                    pending.rows.append((int(entry_id), error))
            for entry_id, size in used.items():
                self._entry_bytes.setdefault(entry_id, size)
            for url in urls:
                if url in self._requested:
                    continue
                self._requested.add(url)
                if url in known:
                    sha, size = known[url]
                    self._decided.append(Download(url, sha256=sha, size=size))
                elif url in tiny:
                    self._decided.append(Download(url, skip_reason="tracking pixel (declared 1x1)"))
                elif policy.is_tracker_url(url):
                    self._decided.append(
                        Download(url, skip_reason="tracking pixel (tracker address)")
                    )
                else:
                    to_fetch.append(url)
            self._start(to_fetch)

    def _start(self, urls: list[str]) -> None:
        fetcher = self.fetcher
        if self.pool is None or not isinstance(fetcher, Fetcher) or not fetcher.portable:
            self._start_here(urls)
            return
        by_host: dict[str, list[str]] = defaultdict(list)
        for url in urls:
            by_host[urlsplit(url).netloc].append(url)
        for host_urls in by_host.values():
            for start in range(0, len(host_urls), _BATCH):
                self._queued.append(host_urls[start : start + _BATCH])
        self._send()

    def _send(self) -> None:
        """Hand queued batches to the pool: one at a time while throttled (call with the
        lock held)."""
        if not self._queued:
            return
        assert self.pool is not None and isinstance(self.fetcher, Fetcher)
        store_path = str(self.archive.paths.images)
        limits, agent = self.fetcher.limits, self.fetcher.user_agent
        while self._queued:
            if self._throttled and any(not job.done() for job, _ in self._jobs):
                return
            batch = self._queued.popleft()
            try:
                job: Future[Any] = self.pool.submit(
                    download_in_worker, store_path, batch, limits, agent
                )
            except RuntimeError:  # the pool is shutting down or broken: do it here
                self._start_here(batch)
                continue
            self._jobs.append((job, batch))

    def _start_here(self, urls: list[str]) -> None:
        store = self.archive.image_store
        for url in urls:
            job: Future[Any] = self._threads.submit(download, store, self.fetcher, url)
            self._jobs.append((job, [url]))

    def finish(self, progress: ProgressCallback | None = None) -> CacheReport:
        """Wait for every download, record the outcomes, and report."""
        report = _ReportBuilder()
        try:
            self.flush()
            with self._lock:
                decided, self._decided = self._decided, []
                jobs, self._jobs = self._jobs, []
            total = len(decided) + sum(len(urls) for _, urls in jobs)
            done = len(decided)
            _record(self.archive, decided, self._waiting, self._entry_bytes, report)
            if progress is not None and total:
                progress(done, total, "images")
            batch: list[Download] = []
            urls_of = {id(future): urls for future, urls in jobs}
            for future in as_completed([future for future, _ in jobs]):
                outcomes = self._outcomes(future, urls_of[id(future)])
                report.requests += len(outcomes)
                batch.extend(outcomes)
                done += len(outcomes)
                if len(batch) >= _RECORD_EVERY:
                    _record(self.archive, batch, self._waiting, self._entry_bytes, report)
                    batch = []
                if progress is not None:
                    progress(done, total, outcomes[-1].url if outcomes else "images")
            _record(self.archive, batch, self._waiting, self._entry_bytes, report)
        finally:
            self._threads.shutdown(wait=True, cancel_futures=True)
        return report.build()

    def _outcomes(self, future: Future[Any], urls: list[str]) -> list[Download]:
        try:
            result = future.result()
        except Exception as error:  # a worker died or could not start: fetch them here
            log.warning("image downloads in this process: worker failed (%r)", error)
            store = self.archive.image_store
            return [download(store, self.fetcher, url) for url in urls]
        if isinstance(result, Download):
            return [result]
        return list(result)


def cache_images(
    archive: Archive,
    entry_ids: Sequence[int] | None = None,
    *,
    fetcher: ImageFetcher,
    max_workers: int = 16,
    progress: ProgressCallback | None = None,
) -> CacheReport:
    """Download the pending images of `entry_ids` (all when None) into the image store.

    Only sources with cache_images on are served. Tracking pixels, non-images, SVG and
    oversize files are marked skipped; network failures are marked failed and retried on
    later calls up to MAX_ATTEMPTS times. Each URL is requested at most once per call.
    """
    cacher = ImageCacher(archive, fetcher=fetcher, max_workers=max_workers)
    cacher.add(entry_ids)
    return cacher.finish(progress)


# -- recording outcomes ------------------------------------------------------------------


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
    outcomes: Sequence[Download],
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
                    if entry_bytes[entry_id] + outcome.size > policy.MAX_ENTRY_BYTES:
                        reason = f"the entry's images pass {policy.MAX_ENTRY_BYTES // 1024**2} MB"
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
                    reason = f"{outcome.error} (attempt {attempt} of {policy.MAX_ATTEMPTS})"
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


def _asset_row(outcome: Download, now: int) -> dict[str, object]:
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
