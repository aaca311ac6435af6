"""Add a subscription: paste a URL, discover what it offers (in a worker), pick, subscribe."""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from reader.core import Archive
from reader.types import Source
from ui.workers import TaskRunner

_URL_ROLE = Qt.ItemDataRole.UserRole + 1
_FEED_ROLE = Qt.ItemDataRole.UserRole + 2


class AddSourceDialog(QDialog):
    """Two steps in one window: Find (discover) then Subscribe (add + first fetch)."""

    discovered = Signal()
    added = Signal(object)  # the new Source
    failed = Signal(str)

    def __init__(
        self, archive: Archive, runner: TaskRunner, url: str = "", parent: Any = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add subscription")
        self.setMinimumWidth(520)
        self._archive = archive
        self._runner = runner
        self._discovery: Any = None
        self.source: Source | None = None

        intro = QLabel("Paste the address of a feed, a website or a live blog page.", self)
        intro.setWordWrap(True)
        self.url_edit = QLineEdit(url, self)
        self.url_edit.setPlaceholderText("https://example.com/news/live")
        self.url_edit.setClearButtonEnabled(True)
        self.find_button = QPushButton("Find", self)
        self.find_button.setDefault(True)
        self.find_button.clicked.connect(self.start_discovery)
        self.url_edit.returnPressed.connect(self.start_discovery)
        url_row = QHBoxLayout()
        url_row.addWidget(self.url_edit, 1)
        url_row.addWidget(self.find_button)

        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(6)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.choices = QListWidget(self)
        self.choices.setMinimumHeight(120)
        self.choices.itemDoubleClicked.connect(lambda _item: self.start_subscribe())
        self.folder_box = QComboBox(self)
        self.folder_box.setEditable(True)
        self.folder_box.addItem("")
        for folder in archive.folders():
            self.folder_box.addItem(folder.path)
        self.folder_box.lineEdit().setPlaceholderText("No folder (top level)")  # type: ignore[union-attr]
        form = QFormLayout()
        form.addRow("Found:", self.choices)
        form.addRow("Folder:", self.folder_box)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Cancel, Qt.Orientation.Horizontal, self
        )
        self.subscribe_button = self.buttons.addButton(
            "Subscribe", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.subscribe_button.setEnabled(False)
        self.subscribe_button.clicked.connect(self.start_subscribe)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(url_row)
        layout.addWidget(self.busy)
        layout.addWidget(self.status)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    # -- steps -----------------------------------------------------------------------
    def _set_busy(self, busy: bool, message: str = "") -> None:
        self.busy.setVisible(busy)
        self.find_button.setEnabled(not busy)
        self.url_edit.setEnabled(not busy)
        self.subscribe_button.setEnabled(not busy and self.choices.currentItem() is not None)
        self._show_status(message)

    def _show_status(self, message: str, error: bool = False) -> None:
        self.status.setText(message)
        self.status.setStyleSheet("color: palette(bright-text);" if error else "")

    def start_discovery(self) -> None:
        url = self.url_edit.text().strip()
        if not url:
            self._show_status("Enter an address first.", error=True)
            return
        if "://" not in url:
            url = "https://" + url
            self.url_edit.setText(url)
        self.choices.clear()
        self._set_busy(True, "Looking at the page…")
        archive = self._archive
        self._runner.submit(lambda: archive.discover(url), self._on_discovered, self._on_failed)

    def _on_discovered(self, discovery: Any) -> None:
        if not shiboken6.isValid(self):
            return  # closed while the page was being fetched
        self._discovery = discovery
        self.choices.clear()
        if discovery.kind == "liveblog":
            item = QListWidgetItem(f"Live blog: {discovery.title or discovery.url}")
            item.setData(_URL_ROLE, discovery.url)
            item.setData(_FEED_ROLE, None)
            self.choices.addItem(item)
        elif discovery.candidates:
            for candidate in discovery.candidates:
                kind = (candidate.type or "feed").split("/")[-1].replace("+xml", "").upper()
                label = candidate.title or candidate.url
                item = QListWidgetItem(f"{label}  ({kind})")
                item.setToolTip(candidate.url)
                item.setData(_URL_ROLE, discovery.url)
                item.setData(_FEED_ROLE, candidate.url)
                self.choices.addItem(item)
        else:
            item = QListWidgetItem(f"Feed: {discovery.title or discovery.url}")
            item.setData(_URL_ROLE, discovery.url)
            item.setData(_FEED_ROLE, None)
            self.choices.addItem(item)
        self.choices.setCurrentRow(0)
        count = self.choices.count()
        self._set_busy(
            False,
            f"Found {count} subscription{'s' if count != 1 else ''}. "
            "Choose one and press Subscribe.",
        )
        self.subscribe_button.setDefault(True)
        self.subscribe_button.setFocus()
        self.discovered.emit()

    def start_subscribe(self) -> None:
        item = self.choices.currentItem()
        if item is None:
            return
        url = str(item.data(_URL_ROLE))
        feed_url = item.data(_FEED_ROLE)
        folder = self.folder_box.currentText().strip() or None
        self._set_busy(True, "Subscribing and fetching the first entries…")
        archive = self._archive
        self._runner.submit(
            lambda: archive.add(url, folder, feed_url=feed_url), self._on_added, self._on_failed
        )

    def _on_added(self, source: Source) -> None:
        if not shiboken6.isValid(self):
            return
        self.source = source
        self._set_busy(False, f"Subscribed to {source.title}.")
        self.added.emit(source)
        self.accept()

    def _on_failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        from reader.errors import NewsdeskError

        message = str(error) if isinstance(error, NewsdeskError) else f"Unexpected error: {error}"
        self._set_busy(False)
        self._show_status(message or type(error).__name__, error=True)
        self.failed.emit(message)
