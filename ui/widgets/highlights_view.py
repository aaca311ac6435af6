"""The Highlights view: every passage the reader kept, newest first; choosing one opens its
entry. Shown in the middle pane when "Highlights" is selected in the sources tree."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reader.highlights import Highlight
from ui.models.rows import local_time_text
from ui.widgets.user_highlights import HIGHLIGHT_COLORS

HIGHLIGHT_ID_ROLE = Qt.ItemDataRole.UserRole + 60
HIGHLIGHT_ENTRY_ROLE = Qt.ItemDataRole.UserRole + 61
QUOTE_CHARS = 280


def _swatch(color: str) -> QIcon:
    pixmap = QPixmap(12, 36)
    pixmap.fill(QColor(HIGHLIGHT_COLORS.get(color, HIGHLIGHT_COLORS["yellow"])))
    return QIcon(pixmap)


def item_text(highlight: Highlight) -> str:
    quote = " ".join(highlight.quote.split())
    if len(quote) > QUOTE_CHARS:
        quote = quote[: QUOTE_CHARS - 1].rstrip() + "…"
    lines = [f"“{quote}”"]
    if highlight.note.strip():
        lines.append(f"Note: {highlight.note.strip()}")
    where = [highlight.entry_title or "(untitled)", highlight.source_title]
    where.append(local_time_text(highlight.created))
    lines.append(" · ".join(part for part in where if part))
    return "\n".join(lines)


class HighlightsView(QWidget):
    entry_requested = Signal(int)
    export_requested = Signal()
    remove_requested = Signal(int)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.summary = QLabel("Highlights", self)
        self.summary.setObjectName("paneTitle")
        self.export_button = QPushButton("Export as Markdown…", self)
        self.export_button.clicked.connect(self.export_requested.emit)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setToolTip("Remove the selected highlight")
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.list = QListWidget(self)
        self.list.setObjectName("highlightsList")
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        self.list.setIconSize(QSize(12, 36))
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.currentItemChanged.connect(self._on_list_current_changed)
        self.empty = QLabel(
            "No highlights yet. Select text in an article and right-click to highlight it.", self
        )
        self.empty.setObjectName("welcomeText")
        self.empty.setWordWrap(True)
        self.empty.setContentsMargins(12, 12, 12, 12)
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 6, 0)
        header.addWidget(self.summary, 1)
        header.addWidget(self.remove_button)
        header.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        self.set_highlights([])

    def set_highlights(self, found: list[Highlight]) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for highlight in found:
            item = QListWidgetItem(_swatch(highlight.color), item_text(highlight))
            item.setData(HIGHLIGHT_ID_ROLE, highlight.id)
            item.setData(HIGHLIGHT_ENTRY_ROLE, highlight.entry_id)
            item.setToolTip(highlight.quote[:2000])
            self.list.addItem(item)
        self.list.blockSignals(False)
        count = len(found)
        self.summary.setText(f"{count} highlight{'s' if count != 1 else ''}, newest first")
        self.empty.setVisible(count == 0)
        self.export_button.setEnabled(count > 0)
        self.remove_button.setEnabled(False)

    def _on_list_current_changed(self, current: QListWidgetItem | None, _previous: Any) -> None:
        self.remove_button.setEnabled(current is not None)
        if current is not None:
            self.entry_requested.emit(int(current.data(HIGHLIGHT_ENTRY_ROLE)))

    def _on_remove_clicked(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.remove_requested.emit(int(item.data(HIGHLIGHT_ID_ROLE)))
