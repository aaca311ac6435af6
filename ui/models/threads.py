"""The entry list grouped by topic thread: thread rows that expand to their entries.

Thread rows (label, size, unread, last activity) come from `Archive.threads()`; a thread's
entries load only when it is expanded (`canFetchMore`/`fetchMore` on the thread's index).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont

from reader.core import Archive
from reader.types import Thread
from ui.models.entries import entry_row_data, load_rows
from ui.models.rows import (
    COLUMNS,
    ENTRY_ID_ROLE,
    IS_THREAD_ROLE,
    READ_ROLE,
    SOURCE_COLUMN,
    THREAD_ID_ROLE,
    TIME_COLUMN,
    TITLE_COLUMN,
    UNREAD_COUNT_ROLE,
    EntryRow,
    full_local_time_text,
    local_time_text,
)
from ui.workers import TaskRunner

AnyIndex = QModelIndex | QPersistentModelIndex
THREAD_LIMIT = 1000
CHILD_PAGE = 100
_NO_PARENT = 0  # internalId of thread rows; entry rows store thread row + 1


@dataclass
class ThreadNode:
    thread: Thread
    children: list[EntryRow] = field(default_factory=list)
    loaded: int = 0  # how many of thread.entry_ids have been asked for
    loading: bool = False

    @property
    def unread(self) -> int:
        return self.thread.unread


def load_threads(archive: Archive, unread_only: bool, limit: int = THREAD_LIMIT) -> list[Thread]:
    found = archive.threads(limit=limit)
    return [t for t in found if t.unread > 0] if unread_only else found


class ThreadedEntriesModel(QAbstractItemModel):
    """Two levels: threads (newest activity first), then each thread's entries."""

    threads_loaded = Signal(int)

    def __init__(self, archive: Archive, runner: TaskRunner | None = None, parent: Any = None):
        super().__init__(parent)
        self._archive = archive
        self._runner = runner
        self._nodes: list[ThreadNode] = []
        self._node_of: dict[int, int] = {}
        self._unread_only = False
        self._generation = 0
        self._bold = QFont()
        self._bold.setBold(True)

    # -- loading ---------------------------------------------------------------------
    def load(self, unread_only: bool = False) -> None:
        """(Re)load the thread rows, in the background when a runner is available."""
        self._unread_only = unread_only
        self._generation += 1
        generation = self._generation
        archive = self._archive
        if self._runner is None:
            self._set_threads(generation, load_threads(archive, unread_only))
            return
        self._runner.submit(
            lambda: load_threads(archive, unread_only),
            lambda found: self._set_threads(generation, found),
        )

    def set_archive(self, archive: Archive) -> None:
        self._archive = archive
        self._set_threads(self._generation, [])

    def _set_threads(self, generation: int, found: list[Thread]) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._nodes = [ThreadNode(thread) for thread in found]
        self._node_of = {int(node.thread.id): i for i, node in enumerate(self._nodes)}
        self.endResetModel()
        self.threads_loaded.emit(len(self._nodes))

    def thread_count(self) -> int:
        return len(self._nodes)

    def thread_at(self, row: int) -> Thread | None:
        return self._nodes[row].thread if 0 <= row < len(self._nodes) else None

    # -- Qt model interface ----------------------------------------------------------
    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _NO_PARENT)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        if index.internalId() == _NO_PARENT:
            return QModelIndex()
        thread_row = index.internalId() - 1
        if thread_row >= len(self._nodes):
            return QModelIndex()
        return self.createIndex(thread_row, 0, _NO_PARENT)

    def _is_thread(self, index: AnyIndex) -> bool:
        return index.isValid() and index.internalId() == _NO_PARENT

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._nodes)
        if self._is_thread(parent) and parent.column() == 0:
            return len(self._nodes[parent.row()].children)
        return 0

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def hasChildren(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        if not parent.isValid():
            return bool(self._nodes)
        if self._is_thread(parent) and parent.column() == 0:
            return self._nodes[parent.row()].thread.size > 0
        return False

    def canFetchMore(self, parent: AnyIndex) -> bool:
        if not self._is_thread(parent) or parent.column() != 0:
            return False
        node = self._nodes[parent.row()]
        return not node.loading and node.loaded < len(node.thread.entry_ids)

    def fetchMore(self, parent: AnyIndex) -> None:
        if not self.canFetchMore(parent):
            return
        row = parent.row()
        node = self._nodes[row]
        wanted = list(node.thread.entry_ids[node.loaded : node.loaded + CHILD_PAGE])
        node.loaded += len(wanted)
        thread_id = int(node.thread.id)
        archive = self._archive
        generation = self._generation

        def load() -> list[EntryRow]:
            return load_rows(archive, archive.entries_by_ids(wanted))

        if self._runner is None:
            self._add_children(generation, thread_id, load())
            return
        node.loading = True
        self._runner.submit(load, lambda rows: self._add_children(generation, thread_id, rows))

    def _add_children(self, generation: int, thread_id: int, rows: list[EntryRow]) -> None:
        if generation != self._generation or thread_id not in self._node_of:
            return
        row = self._node_of[thread_id]
        node = self._nodes[row]
        node.loading = False
        if self._unread_only:
            rows = [r for r in rows if not r.read]
        known = {r.id for r in node.children}
        rows = [r for r in rows if r.id not in known]
        if not rows:
            return
        parent = self.index(row, 0)
        start = len(node.children)
        self.beginInsertRows(parent, start, start + len(rows) - 1)
        node.children.extend(rows)
        self.endInsertRows()

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not self._is_thread(index):
            flags |= Qt.ItemFlag.ItemNeverHasChildren
        return flags

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if self._is_thread(index):
            if not 0 <= index.row() < len(self._nodes):
                return None
            return self._thread_data(self._nodes[index.row()].thread, index.column(), role)
        parent_row = index.internalId() - 1
        if not 0 <= parent_row < len(self._nodes):
            return None
        children = self._nodes[parent_row].children
        if not 0 <= index.row() < len(children):
            return None
        return entry_row_data(children[index.row()], index.column(), role, self._bold)

    def _thread_data(self, thread: Thread, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == TITLE_COLUMN:
                return thread.label or "(unlabelled story)"
            if column == SOURCE_COLUMN:
                noun = "item" if thread.size == 1 else "items"
                unread = f", {thread.unread} unread" if thread.unread else ""
                return f"{thread.size} {noun}{unread}"
            if column == TIME_COLUMN:
                return local_time_text(thread.last_activity)
            return None
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if thread.unread else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == TIME_COLUMN:
                return "Last activity: " + full_local_time_text(thread.last_activity)
            return thread.label
        if role == IS_THREAD_ROLE:
            return True
        if role == THREAD_ID_ROLE:
            return int(thread.id)
        if role == UNREAD_COUNT_ROLE:
            return thread.unread
        if role == READ_ROLE:
            return thread.unread == 0
        if role == ENTRY_ID_ROLE:
            return None
        return None

    # -- changes -----------------------------------------------------------------------
    def set_flags(
        self, entry_ids: Iterable[int], *, read: bool | None = None, starred: bool | None = None
    ) -> None:
        wanted = set(entry_ids)
        for thread_row, node in enumerate(self._nodes):
            parent = self.index(thread_row, 0)
            changed_unread = 0
            for child_row, child in enumerate(node.children):
                if child.id not in wanted:
                    continue
                if read is not None and child.read != read:
                    changed_unread += -1 if read else 1
                node.children[child_row] = child.with_flags(read=read, starred=starred)
                self.dataChanged.emit(
                    self.index(child_row, 0, parent),
                    self.index(child_row, len(COLUMNS) - 1, parent),
                )
            if changed_unread:
                thread = node.thread
                node.thread = Thread(
                    id=thread.id,
                    label=thread.label,
                    size=thread.size,
                    unread=max(0, thread.unread + changed_unread),
                    last_activity=thread.last_activity,
                    entry_ids=thread.entry_ids,
                )
                self.dataChanged.emit(
                    self.index(thread_row, 0), self.index(thread_row, len(COLUMNS) - 1)
                )

    def entry_at(self, index: AnyIndex) -> EntryRow | None:
        if not index.isValid() or self._is_thread(index):
            return None
        parent_row = index.internalId() - 1
        children = self._nodes[parent_row].children
        return children[index.row()] if 0 <= index.row() < len(children) else None

    def index_of_entry(self, entry_id: int) -> QModelIndex:
        for thread_row, node in enumerate(self._nodes):
            for child_row, child in enumerate(node.children):
                if child.id == entry_id:
                    return self.index(child_row, 0, self.index(thread_row, 0))
        return QModelIndex()

    def thread_row_of(self, thread_id: int) -> int | None:
        return self._node_of.get(thread_id)
