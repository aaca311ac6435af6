"""Small dialogs for archive jobs: what to export and how, a report to read, a story to pick,
entries to split off, and a source's storage options."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from reader.types import Entry
from ui.models.rows import local_time_text

FORMATS = (
    ("html", "HTML folder (readable in any browser)"),
    ("md", "Markdown file"),
    ("json", "JSON (can be imported again)"),
)


@dataclass(frozen=True)
class ExportScope:
    """What the window can offer to export right now (None: not available)."""

    source: tuple[int, str] | None = None
    thread: tuple[int, str] | None = None
    query: str | None = None


@dataclass(frozen=True)
class ExportChoice:
    fmt: str
    source_id: int | None = None
    thread_id: int | None = None
    query: str | None = None


class ExportDialog(QDialog):
    """Pick the scope (everything, the current source, thread or search) and a format."""

    def __init__(self, scope: ExportScope, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.setMinimumWidth(420)
        self._scope = scope
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>What to export</b>", self))
        self.group = QButtonGroup(self)
        self.everything_choice = QRadioButton("The whole archive", self)
        self.everything_choice.setChecked(True)
        self.source_choice = QRadioButton(self._label("This source", scope.source), self)
        self.source_choice.setEnabled(scope.source is not None)
        self.thread_choice = QRadioButton(self._label("This story", scope.thread), self)
        self.thread_choice.setEnabled(scope.thread is not None)
        query = f"This search: “{scope.query}”" if scope.query else "This search (none active)"
        self.search_choice = QRadioButton(query, self)
        self.search_choice.setEnabled(scope.query is not None)
        for button in (
            self.everything_choice,
            self.source_choice,
            self.thread_choice,
            self.search_choice,
        ):
            self.group.addButton(button)
            layout.addWidget(button)
        form = QFormLayout()
        self.format = QComboBox(self)
        for key, text in FORMATS:
            self.format.addItem(text, key)
        form.addRow("Format:", self.format)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @staticmethod
    def _label(text: str, item: tuple[int, str] | None) -> str:
        if item is None:
            return f"{text} (none selected)"
        name = item[1] if len(item[1]) <= 60 else item[1][:59] + "…"
        return f"{text}: {name}"

    def choice(self) -> ExportChoice:
        fmt = str(self.format.currentData())
        if self.source_choice.isChecked() and self._scope.source is not None:
            return ExportChoice(fmt, source_id=self._scope.source[0])
        if self.thread_choice.isChecked() and self._scope.thread is not None:
            return ExportChoice(fmt, thread_id=self._scope.thread[0])
        if self.search_choice.isChecked() and self._scope.query is not None:
            return ExportChoice(fmt, query=self._scope.query)
        return ExportChoice(fmt)


class ReportDialog(QDialog):
    """Lines of a report (check, import, storage), selectable and copyable."""

    def __init__(self, title: str, heading: str, lines: Sequence[str], parent: Any = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(620, 360)
        layout = QVBoxLayout(self)
        label = QLabel(heading, self)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setPlainText("\n".join(lines))
        layout.addWidget(self.text, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)
        self.buttons.accepted.connect(self.accept)
        layout.addWidget(self.buttons)


class SplitDialog(QDialog):
    """Tick the entries of a story that belong to a story of their own."""

    def __init__(self, label: str, members: Sequence[Entry], parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Split story")
        self.resize(560, 420)
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"Tick the items that are a different story than “{label}”. "
            "They move to a new story; later items like them follow.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget(self)
        for entry in members:
            when = local_time_text(entry.published)
            item = QListWidgetItem(
                f"{entry.title or '(untitled)'}  ·  {entry.source_title}  ·  {when}"
            )
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, int(entry.id))
            self.list.addItem(item)
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Split off")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> list[int]:
        return [
            int(self.list.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.list.count())
            if self.list.item(row).checkState() == Qt.CheckState.Checked
        ]


@dataclass(frozen=True)
class SourceOptions:
    cache_images: bool
    retention: str | None  # JSON text for the core, None to keep everything


class SourceOptionsDialog(QDialog):
    """Per-source storage: cache images for offline reading, and how much to keep."""

    def __init__(
        self, title: str, cache_images: bool, retention: str | None, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Storage options: {title}")
        self.setMinimumWidth(440)
        rule = _parse(retention)
        layout = QVBoxLayout(self)
        self.cache_images = QCheckBox("Save images for offline reading", self)
        self.cache_images.setChecked(cache_images)
        layout.addWidget(self.cache_images)
        form = QFormLayout()
        self.keep = QComboBox(self)
        self.keep.addItem("Keep everything", "all")
        self.keep.addItem("Keep the newest entries", "newest")
        self.keep.addItem("Keep entries from the last days", "days")
        self.amount = QSpinBox(self)
        self.amount.setRange(1, 1_000_000)
        self.keep_unread = QCheckBox("Never delete unread entries", self)
        self.keep_unread.setChecked(bool(rule.get("keep_unread", True)))
        if isinstance(rule.get("keep_newest"), int):
            self.keep.setCurrentIndex(1)
            self.amount.setValue(int(rule["keep_newest"]))
        elif isinstance(rule.get("keep_days"), int):
            self.keep.setCurrentIndex(2)
            self.amount.setValue(int(rule["keep_days"]))
        else:
            self.amount.setValue(500)
        self.keep.currentIndexChanged.connect(self._update)
        form.addRow("Retention:", self.keep)
        form.addRow("How many:", self.amount)
        form.addRow("", self.keep_unread)
        layout.addLayout(form)
        note = QLabel("Starred entries and entries with highlights are always kept.", self)
        note.setObjectName("welcomeText")
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._update()

    def _update(self) -> None:
        mode = self.keep.currentData()
        self.amount.setEnabled(mode != "all")
        self.keep_unread.setEnabled(mode != "all")
        self.amount.setSuffix(" days" if mode == "days" else " entries")

    def options(self) -> SourceOptions:
        mode = self.keep.currentData()
        retention: str | None = None
        if mode in ("newest", "days"):
            key = "keep_newest" if mode == "newest" else "keep_days"
            retention = json.dumps(
                {key: self.amount.value(), "keep_unread": self.keep_unread.isChecked()}
            )
        return SourceOptions(self.cache_images.isChecked(), retention)


def _parse(value: str | None) -> dict[str, Any]:
    try:
        data = json.loads(value) if value else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def human_bytes(count: int) -> str:
    size = float(count)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{size:,.1f} GB"
