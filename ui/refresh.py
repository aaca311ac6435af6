"""Background refresh: one refresh at a time on a worker, progress and results by signal,
a schedule (QTimer) for feeds and live-blog polling, and a clear offline state."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from reader.core import Archive
from reader.isolated import prepare as prepare_isolated_refresh
from reader.isolated import refresh_isolated
from reader.types import RefreshResult, SourceResult
from ui.workers import TaskRunner

TICK_MS = 30_000
_NETWORK_WORDS = (
    "connect",
    "resolve",
    "name or service",
    "network",
    "unreachable",
    "timed out",
    "timeout",
    "offline",
)


def looks_offline(result: RefreshResult) -> bool:
    """Every fetched source failed with a network-level error: the network is gone."""
    fetched = [r for r in result.sources if r.status != "skipped"]
    if not fetched or any(r.status != "error" for r in fetched):
        return False
    return all(any(word in (r.error or "").lower() for word in _NETWORK_WORDS) for r in fetched)


class _Bridge(QObject):
    """Emitted from the worker thread; lives on the GUI thread, so delivery is queued."""

    progress = Signal(int, int, object)
    new_updates = Signal(int, list)


class RefreshController(QObject):
    started = Signal(int)  # how many sources (0 when unknown)
    progress = Signal(int, int, object)  # done, total, SourceResult
    finished = Signal(object)  # RefreshResult
    failed = Signal(str)
    new_updates = Signal(int, list)  # source id, new entry ids (live blogs)
    offline_changed = Signal(bool)

    def __init__(self, archive: Archive, runner: TaskRunner, parent: Any = None) -> None:
        prepare_isolated_refresh()  # the helper process starts now, not mid-refresh
        super().__init__(parent)
        self._archive = archive
        self._runner = runner
        self._bridge = _Bridge(self)
        self._bridge.progress.connect(self._on_worker_progress)
        self._bridge.new_updates.connect(self._on_worker_new_updates)
        self._running = False
        self._queued: set[int] | None = None  # None: nothing queued
        self._queued_all = False
        self.offline = False
        self.feed_interval_s = 30 * 60
        self.poll_liveblogs = True
        self._last_scheduled = time.monotonic()
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.last_result: RefreshResult | None = None

    @property
    def available(self) -> bool:
        return hasattr(self._archive, "refresh")

    @property
    def running(self) -> bool:
        return self._running

    def set_archive(self, archive: Archive) -> None:
        self._archive = archive

    def configure(self, feed_minutes: int, poll_liveblogs: bool) -> None:
        self.feed_interval_s = feed_minutes * 60
        self.poll_liveblogs = poll_liveblogs
        if feed_minutes > 0 or poll_liveblogs:
            self.timer.start()
        else:
            self.timer.stop()

    def refresh(self, source_ids: Sequence[int] | None = None) -> bool:
        """Refresh now (all sources when None). A refresh already running queues this one."""
        if not self.available:
            self.failed.emit("This version of the archive cannot refresh sources.")
            return False
        if self._running:
            if source_ids is None:
                self._queued_all = True
            else:
                self._queued = (self._queued or set()) | set(source_ids)
            return True
        self._running = True
        ids = None if source_ids is None else list(source_ids)
        archive, bridge = self._archive, self._bridge
        self.started.emit(0 if ids is None else len(ids))

        def run() -> RefreshResult:
            # Large refreshes run in a child process, so this one keeps painting smoothly.
            return refresh_isolated(
                archive,
                ids,
                progress=lambda done, total, result: bridge.progress.emit(done, total, result),
                on_new_updates=lambda source_id, entry_ids: bridge.new_updates.emit(
                    int(source_id), [int(i) for i in entry_ids]
                ),
            )

        self._runner.submit(run, self._on_refresh_done, self._on_refresh_failed)
        return True

    def refresh_due(self) -> None:
        """What the schedule says is due (feeds by interval, live blogs by their clock)."""
        if self._running or not self.available:
            return
        archive = self._archive
        due_sources = getattr(archive, "due_sources", None)
        if due_sources is None:
            return
        feeds_due = (
            self.feed_interval_s > 0
            and time.monotonic() - self._last_scheduled >= self.feed_interval_s
        )

        def pick() -> list[int]:
            due = [int(i) for i in due_sources()]
            if feeds_due and self.poll_liveblogs:
                return due
            kinds = {s.id: s.kind for s in archive.sources()}
            return [
                i
                for i in due
                if (kinds.get(i) == "liveblog" and self.poll_liveblogs)
                or (kinds.get(i) == "feed" and feeds_due)
            ]

        def start(ids: list[int]) -> None:
            if feeds_due:
                self._last_scheduled = time.monotonic()
            if ids and not self._running:
                self.refresh(ids)

        self._runner.submit(pick, start)

    @Slot()
    def _on_timer_timeout(self) -> None:
        self.refresh_due()

    @Slot(int, int, object)
    def _on_worker_progress(self, done: int, total: int, result: SourceResult) -> None:
        self.progress.emit(done, total, result)

    @Slot(int, list)
    def _on_worker_new_updates(self, source_id: int, entry_ids: list[int]) -> None:
        self.new_updates.emit(source_id, entry_ids)

    def _on_refresh_done(self, result: RefreshResult) -> None:
        self._running = False
        self.last_result = result
        offline = looks_offline(result)
        if offline != self.offline:
            self.offline = offline
            self.offline_changed.emit(offline)
        self.finished.emit(result)
        self._start_queued()

    def _on_refresh_failed(self, error: BaseException) -> None:
        self._running = False
        self.failed.emit(str(error) or type(error).__name__)
        self._start_queued()

    def _start_queued(self) -> None:
        if self._queued_all:
            self._queued_all, self._queued = False, None
            self.refresh(None)
        elif self._queued:
            ids, self._queued = sorted(self._queued), None
            self.refresh(ids)
