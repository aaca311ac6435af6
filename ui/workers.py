"""Running blocking core calls off the GUI thread and getting the results back by signal.

A `TaskRunner` owns a `QThreadPool`. Each task is a `QRunnable` carrying a small `QObject`
whose signals cross back to the GUI thread (queued connections), where the runner calls the
caller's callbacks. Widgets are therefore only ever touched on the GUI thread.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

DoneCallback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]


class _TaskSignals(QObject):
    """Lives on the GUI thread; emitted from a pool thread, so delivery is queued."""

    finished = Signal(int, object)
    failed = Signal(int, object)


class _Task(QRunnable):
    def __init__(self, task_id: int, signals: _TaskSignals, call: Callable[[], Any]) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._task_id = task_id
        self._signals = signals
        self._call = call

    def run(self) -> None:
        try:
            result = self._call()
        except BaseException as error:  # reported to the caller, never lost in a thread
            self._signals.failed.emit(self._task_id, error)
        else:
            self._signals.finished.emit(self._task_id, result)


class TaskRunner(QObject):
    """Submit callables to a thread pool; callbacks run on the GUI thread."""

    def __init__(self, max_threads: int = 4, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._signals = _TaskSignals(self)
        self._signals.finished.connect(self._on_task_finished)
        self._signals.failed.connect(self._on_task_failed)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[DoneCallback | None, ErrorCallback | None]] = {}

    def submit(
        self,
        call: Callable[[], Any],
        on_done: DoneCallback | None = None,
        on_error: ErrorCallback | None = None,
    ) -> int:
        task_id = next(self._ids)
        self._callbacks[task_id] = (on_done, on_error)
        self.pool.start(_Task(task_id, self._signals, call))
        return task_id

    def pending(self) -> int:
        return len(self._callbacks)

    def wait_for_done(self, msecs: int = -1) -> bool:
        """Block until every task finished (for shutdown and tests)."""
        return bool(self.pool.waitForDone(msecs))

    def forget_all(self) -> None:
        """Drop callbacks of tasks still running (their results are no longer wanted)."""
        self._callbacks.clear()

    @Slot(int, object)
    def _on_task_finished(self, task_id: int, result: Any) -> None:
        on_done, _ = self._callbacks.pop(task_id, (None, None))
        if on_done is not None:
            on_done(result)

    @Slot(int, object)
    def _on_task_failed(self, task_id: int, error: BaseException) -> None:
        known = task_id in self._callbacks
        _, on_error = self._callbacks.pop(task_id, (None, None))
        if on_error is not None:
            on_error(error)
        elif known:
            log.error("background task failed", exc_info=error)
