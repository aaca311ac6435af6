"""Refreshing sources: fetch, parse, decide what changed, store, report per source.

Network work runs on a thread pool; parsing of large batches runs in worker processes
(`worker_pool`, which image downloads use after them);
storing happens one source per transaction under the archive's single writer lock, so a
refresh that dies half way leaves each source either fully updated or as it was. One
source's failure is reported in its result and never stops the others.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from reader.errors import FetchError, Gone, NewsdeskError, RateLimited
from reader.fetch import Fetcher, FetchResult
from reader.liveblog.schedule import next_poll_delay
from reader.parse import parse_document, warm_up
from reader.store.convert import now_epoch
from reader.store.liveblogs import confirm_liveblog_poll, store_liveblog_page
from reader.store.schema import entries, sources
from reader.store.writer import StoreOutcome, store_feed_entries
from reader.types import EntryId, ParsedPage, RefreshResult, SourceId, SourceResult

if TYPE_CHECKING:
    from reader.core import Archive

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, SourceResult], None]
NewUpdatesCallback = Callable[[SourceId, list[EntryId]], None]

# Batches at least this large are parsed in worker processes; smaller ones in-thread,
# where starting the processes would cost more than it saves.
PROCESS_POOL_THRESHOLD = 8
MAX_OLDER_PAGES = 5
FETCH_THREADS = 16
DEFAULT_FEED_INTERVAL = 30 * 60


@dataclass(frozen=True)
class _Fetched:
    """A source's fetch outcome, before parsing and storing."""

    row: Any
    result: FetchResult | None = None
    failure: SourceResult | None = None
    unchanged: bool = False


@contextmanager
def worker_pool(sources: int) -> Iterator[Executor | None]:
    """Worker processes for a refresh of this many sources (None when too few to pay).

    They parse feeds and pages (feedparser is pure Python: two cores parse twice as fast)
    and then download images (see reader.imagecache). Spawned, not forked: a fork of a
    process with threads may inherit held locks.
    """
    if sources < PROCESS_POOL_THRESHOLD or (os.cpu_count() or 1) < 2:
        yield None
        return
    pool = ProcessPoolExecutor(
        max_workers=min(os.cpu_count() or 2, 4),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=warm_up,
    )
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class RefreshRun:
    """One refresh of some sources; create, call `run()`, discard."""

    def __init__(
        self,
        archive: Archive,
        fetcher: Fetcher,
        *,
        progress: ProgressCallback | None = None,
        on_new_updates: NewUpdatesCallback | None = None,
    ) -> None:
        self.archive = archive
        self.fetcher = fetcher
        self.progress = progress
        self.on_new_updates = on_new_updates

    def run(
        self,
        source_ids: Sequence[int],
        pool: Executor | None = None,
        on_stored: Callable[[SourceResult], None] | None = None,
    ) -> RefreshResult:
        """Refresh these sources, parsing in `pool` (worker processes) when given.

        `on_stored` hears about each source as soon as its result is stored (from the
        thread that runs `run`), so follow-up work can start while others still load.
        """
        rows = [self.archive.source_row(source_id) for source_id in source_ids]
        total = len(rows)
        results: list[SourceResult] = []
        if not rows:
            return RefreshResult(())
        with ThreadPoolExecutor(
            max_workers=min(FETCH_THREADS, total), thread_name_prefix="newsdesk-refresh"
        ) as threads:
            futures = [threads.submit(self._refresh_one, row, pool) for row in rows]
            for future in as_completed(futures):
                result = future.result()
                results.append(result)
                if on_stored is not None:
                    on_stored(result)
                if self.progress is not None:
                    self.progress(len(results), total, result)
        order = {row.id: index for index, row in enumerate(rows)}
        results.sort(key=lambda r: order[r.source_id])
        return RefreshResult(tuple(results))

    # -- one source ------------------------------------------------------------------
    def _refresh_one(self, row: Any, parse_pool: Executor | None) -> SourceResult:
        source_id = SourceId(row.id)
        try:
            fetched = self._fetch(row)
            if fetched.failure is not None:
                return fetched.failure
            if fetched.unchanged:
                return self._store_unchanged(row, fetched)
            assert fetched.result is not None
            page = self._parse(row, fetched.result, parse_pool)
            return self._store(row, fetched.result, page)
        except NewsdeskError as error:
            return self._record_error(row, str(error))
        except Exception as error:  # a bug must not stop the other sources
            log.exception("refreshing source %s (%s) failed", source_id, row.url)
            return self._record_error(row, f"internal error: {type(error).__name__}: {error}")

    def _fetch(self, row: Any) -> _Fetched:
        now = now_epoch()
        if row.gone:
            reason = "gone: the publisher removed it (HTTP 410)"
            return _Fetched(row, failure=self._skip(row, reason))
        if row.retry_after is not None and row.retry_after > now:
            when = datetime.fromtimestamp(row.retry_after, UTC).strftime("%H:%M UTC")
            return _Fetched(row, failure=self._skip(row, f"rate limited, retrying after {when}"))
        try:
            result = self.fetcher.fetch(row.url, etag=row.etag, last_modified=row.last_modified)
        except Gone:
            self._update_source(row.id, gone=True, last_refreshed=now, next_poll=None)
            return _Fetched(
                row,
                failure=self._record_error(
                    row, "gone: the publisher removed it (HTTP 410); polling stopped"
                ),
            )
        except RateLimited as error:
            when = error.retry_after.strftime("%Y-%m-%d %H:%M UTC")
            self._update_source(row.id, retry_after=int(error.retry_after.timestamp()))
            return _Fetched(
                row, failure=self._record_error(row, f"rate limited, retrying after {when}")
            )
        except FetchError as error:
            return _Fetched(row, failure=self._record_error(row, str(error)))
        if result.not_modified:
            return _Fetched(row, result=result, unchanged=True)
        if _body_hash(result.content) == row.body_hash:
            return _Fetched(row, result=result, unchanged=True)
        return _Fetched(row, result=result)

    def _parse(self, row: Any, result: FetchResult, parse_pool: Executor | None) -> ParsedPage:
        kind = row.kind
        page: ParsedPage | None = None
        if parse_pool is not None:
            try:
                page = parse_pool.submit(
                    parse_document,
                    result.content,
                    url=result.url,
                    content_type=result.content_type,
                    kind=kind,
                ).result()
            except (RuntimeError, BrokenProcessPool) as error:
                # Worker processes could not start (e.g. a script without a __main__
                # guard) or died: parse here instead; slower, but the refresh goes on.
                log.warning("parsing in this process: worker processes failed (%s)", error)
        if page is None:
            page = parse_document(
                result.content, url=result.url, content_type=result.content_type, kind=kind
            )
        if kind == "liveblog" and page.older_pages and self._is_first_fetch(row.id):
            page = self._with_older_pages(page)
        return page

    def _with_older_pages(self, page: ParsedPage) -> ParsedPage:
        """On first subscribe, follow the blog's own links to older pages (a few at most)."""
        merged = {item.key: item for item in page.entries}
        queue = list(page.older_pages)
        seen = {page.url}
        fetched = 0
        while queue and fetched < MAX_OLDER_PAGES:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            fetched += 1
            try:
                result = self.fetcher.fetch(url)
                older = parse_document(
                    result.content,
                    url=result.url,
                    content_type=result.content_type,
                    kind="liveblog",
                )
            except NewsdeskError as error:
                log.info("older live-blog page %s skipped: %s", url, error)
                continue
            for item in older.entries:
                merged.setdefault(item.key, item)
            queue.extend(u for u in older.older_pages if u not in seen)
        return replace(page, entries=tuple(merged.values()))

    def _is_first_fetch(self, source_id: int) -> bool:
        with self.archive.reading() as connection:
            return (
                connection.execute(
                    select(entries.c.id).where(entries.c.source_id == source_id).limit(1)
                ).first()
                is None
            )

    # -- storing ---------------------------------------------------------------------
    def store_first_page(
        self, source_id: int, result: FetchResult, page: ParsedPage
    ) -> SourceResult:
        """Store a page fetched while subscribing, so `add` does not fetch it twice."""
        row = self.archive.source_row(source_id)
        if row.kind == "liveblog" and page.older_pages:
            page = self._with_older_pages(page)
        return self._store(row, result, page)

    def _store(self, row: Any, result: FetchResult, page: ParsedPage) -> SourceResult:
        now = now_epoch()
        with self.archive.writing() as connection:
            if row.kind == "liveblog":
                outcome = store_liveblog_page(connection, row.id, page, now)
            else:
                outcome = store_feed_entries(connection, row.id, page.entries, now)
            changed = bool(outcome.new_ids or outcome.edited_ids or outcome.withdrawn_ids)
            values: dict[str, Any] = {
                "title": page.title or row.title,
                "etag": result.etag,
                "last_modified": result.last_modified,
                "body_hash": _body_hash(result.content),
                "last_refreshed": now,
                "last_error": page.error,
                "retry_after": None,
                "unchanged_polls": 0 if changed else row.unchanged_polls + 1,
                "last_change": now if changed or row.last_change is None else row.last_change,
            }
            values.update(self._redirect_values(row, result))
            values["next_poll"] = self._next_poll(row, values, page.is_live, now)
            connection.execute(update(sources).where(sources.c.id == row.id).values(**values))
        status = "error" if page.error else ("updated" if changed else "unchanged")
        return self._finish(row, status, outcome, page.error)

    def _store_unchanged(self, row: Any, fetched: _Fetched) -> SourceResult:
        assert fetched.result is not None
        now = now_epoch()
        outcome = StoreOutcome()
        with self.archive.writing() as connection:
            if row.kind == "liveblog":
                outcome = confirm_liveblog_poll(connection, row.id)
            values: dict[str, Any] = {
                "last_refreshed": now,
                "last_error": None,
                "retry_after": None,
                "unchanged_polls": row.unchanged_polls + 1,
            }
            if not fetched.result.not_modified:
                values["etag"] = fetched.result.etag or row.etag
                values["last_modified"] = fetched.result.last_modified or row.last_modified
            values.update(self._redirect_values(row, fetched.result))
            values["next_poll"] = self._next_poll(row, values, bool(row.is_live), now)
            connection.execute(update(sources).where(sources.c.id == row.id).values(**values))
        if outcome.withdrawn_ids:
            status = "updated"
        else:
            status = "not-modified" if fetched.result.not_modified else "unchanged"
        return self._finish(row, status, outcome, None)

    @staticmethod
    def _redirect_values(row: Any, result: FetchResult) -> dict[str, Any]:
        """A permanent redirect moves the stored URL once it has been seen twice."""
        target = result.permanent_redirect
        if target is None:
            return {"redirect_url": None} if row.redirect_url else {}
        if row.redirect_url == target:
            return {"url": target, "redirect_url": None}
        return {"redirect_url": target}

    @staticmethod
    def _next_poll(row: Any, values: dict[str, Any], is_live: bool, now: int) -> int | None:
        if row.kind != "liveblog":
            return None
        last_change = values.get("last_change") or row.last_change or now
        delay = next_poll_delay(
            is_live=is_live,
            seconds_since_last_change=float(now - last_change),
            consecutive_unchanged=int(values.get("unchanged_polls", 0)),
        )
        return None if delay is None else now + int(delay)

    def _finish(
        self, row: Any, status: str, outcome: StoreOutcome, error: str | None
    ) -> SourceResult:
        if outcome.new_ids and row.kind == "liveblog" and self.on_new_updates is not None:
            self.on_new_updates(SourceId(row.id), list(outcome.new_ids))
        return SourceResult(
            source_id=SourceId(row.id),
            status=status,  # type: ignore[arg-type]
            new=len(outcome.new_ids),
            edited=len(outcome.edited_ids),
            withdrawn=len(outcome.withdrawn_ids),
            error=error,
            new_entry_ids=tuple(outcome.new_ids),
            changed_entry_ids=tuple(dict.fromkeys(outcome.changed_ids)),
        )

    def _skip(self, row: Any, reason: str) -> SourceResult:
        return SourceResult(source_id=SourceId(row.id), status="skipped", error=reason)

    def _record_error(self, row: Any, message: str) -> SourceResult:
        self._update_source(row.id, last_error=message, last_refreshed=now_epoch())
        return SourceResult(source_id=SourceId(row.id), status="error", error=message)

    def _update_source(self, source_id: int, **values: Any) -> None:
        with self.archive.writing() as connection:
            connection.execute(update(sources).where(sources.c.id == source_id).values(**values))


def _body_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def due_source_ids(
    archive: Archive, now: int, feed_interval: int = DEFAULT_FEED_INTERVAL
) -> list[SourceId]:
    """Sources the schedule says to poll now: feeds by interval, live blogs by their own clock."""
    with archive.reading() as connection:
        rows = connection.execute(
            select(
                sources.c.id,
                sources.c.kind,
                sources.c.last_refreshed,
                sources.c.next_poll,
                sources.c.gone,
                sources.c.retry_after,
            ).where(sources.c.removed_at.is_(None))
        ).all()
    due: list[SourceId] = []
    for row in rows:
        if row.gone or (row.retry_after is not None and row.retry_after > now):
            continue
        if row.last_refreshed is None:
            due.append(SourceId(row.id))
        elif row.kind == "liveblog":
            if row.next_poll is not None and row.next_poll <= now:
                due.append(SourceId(row.id))
        elif row.last_refreshed + feed_interval <= now:
            due.append(SourceId(row.id))
    return due
