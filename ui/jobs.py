"""Long archive jobs (rethread, export, import, check, compact) off the GUI thread, with their
progress in the status bar.

The core reports progress by calling a function from the worker thread; `JobProgress` turns
those calls into a queued signal so only the GUI thread touches the progress bar. One job
runs at a time: a second request while one runs is refused with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from ui.workers import TaskRunner

ProgressFunction = Callable[[int, int, str], None]


class JobProgress(QObject):
    """Carries (done, total, message) from a worker thread to the GUI thread."""

    changed = Signal(int, int, str)

    def report(self, done: int, total: int, message: str = "") -> None:
        self.changed.emit(int(done), int(total), str(message))


class JobStatus(QWidget):
    """The status-bar widget: what runs, and how far it got."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.label = QLabel("", self)
        self.bar = QProgressBar(self)
        self.bar.setMaximumWidth(200)
        self.bar.setMaximumHeight(16)
        self.bar.setTextVisible(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        self.hide()

    def start(self, title: str) -> None:
        self.label.setText(title)
        self.bar.setRange(0, 0)  # busy until the first report
        self.show()

    def update_progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
            self.bar.setFormat(f"{done:,} of {total:,}")
        if message:
            self.label.setText(message)

    def finish(self) -> None:
        self.hide()


class JobRunner(QObject):
    """Runs one job at a time: `call(progress)` on a worker, then `done(result)` here."""

    started = Signal(str)
    finished = Signal(str, object)  # title, result (or the exception)

    def __init__(self, runner: TaskRunner, status: JobStatus, parent: Any = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._status = status
        self._progress = JobProgress(self)
        self._progress.changed.connect(
            self._status.update_progress, Qt.ConnectionType.QueuedConnection
        )
        self.current: str | None = None

    def busy(self) -> bool:
        return self.current is not None

    def run(
        self,
        title: str,
        call: Callable[[ProgressFunction], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None],
    ) -> bool:
        """Start a job; False (and nothing started) when another job is running."""
        if self.current is not None:
            return False
        self.current = title
        self._status.start(title)
        self.started.emit(title)
        report = self._progress.report

        def finished(result: Any) -> None:
            self._end(title, result)
            done(result)

        def errored(error: BaseException) -> None:
            self._end(title, error)
            failed(error)

        self._runner.submit(lambda: call(report), finished, errored)
        return True

    def _end(self, title: str, result: Any) -> None:
        self.current = None
        self._status.finish()
        self.finished.emit(title, result)
