"""The entry list grouped by story: thread rows that expand to their entries, and single rows
for entries no thread holds (yet).

Top-level rows come from `load_stories` (any selection: everything, a folder, a source,
unread); a thread's entries load only when it is expanded (`canFetchMore`/`fetchMore` on the
thread's index), a page at a time by keyset cursor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont

from reader.core import Archive, EntryCursor
from ui.models.entries import entry_row_data, load_rows
from ui.models.rows import (
    COLUMNS,
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
from ui.models.stories import Story, StoryQuery, ThreadSummary, load_stories
from ui.models.thread_moves import HeldThread, where_now
from ui.workers import TaskRunner

AnyIndex = QModelIndex | QPersistentModelIndex
CHILD_PAGE = 100
_NO_PARENT = 0  # internalId of top-level rows; entry rows store their thread row + 1
THREAD_SOURCES_ROLE = Qt.ItemDataRole.UserRole + 9
SEEN_LIMIT = 5000


@dataclass
class StoryNode:
    thread: ThreadSummary | None  # None: a single entry (`entry`) without a thread
    entry: EntryRow | None = None
    children: list[EntryRow] = field(default_factory=list)
    exhausted: bool = False
    loading: bool = False


def _node(story: Story) -> StoryNode:
    return StoryNode(story.thread, story.entry, exhausted=story.thread is None)


class ThreadedEntriesModel(QAbstractItemModel):
    """Two levels: stories (newest activity first), then a thread's entries (newest first)."""

    threads_loaded = Signal(int)

    def __init__(self, archive: Archive, runner: TaskRunner | None = None, parent: Any = None):
        super().__init__(parent)
        self._archive = archive
        self._runner = runner
        self._nodes: list[StoryNode] = []
        self._node_of: dict[int, int] = {}  # thread id -> row
        self._query = StoryQuery()
        self._shown_query: StoryQuery | None = None  # the selection the rows show
        self._generation = 0
        self._tracked: HeldThread | None = None
        self._seen: dict[int, HeldThread] = {}  # stories shown lately, oldest first
        self._moved: dict[int, int | None] = {}
        # True while the rows are replaced by a reload of the same selection (not another).
        self.reloading = False
        self._bold = QFont()
        self._bold.setBold(True)

    # -- loading ---------------------------------------------------------------------
    @property
    def query(self) -> StoryQuery:
        return self._query

    def load(self, unread_only: bool = False, query: StoryQuery | None = None) -> None:
        """(Re)load the rows for a selection, in the background when a runner is available.

        The stories held until now are looked up again too: one the core merged into another
        (or emptied) meanwhile is reported by `moved_to` once the new rows are in.
        """
        self._query = query if query is not None else StoryQuery(unread=unread_only)
        self._generation += 1
        generation, archive, wanted = self._generation, self._archive, self._query
        held = [held_thread(node.thread) for node in self._nodes if node.thread is not None]
        if self._tracked is not None:
            held.append(self._tracked)

        def read() -> tuple[list[Story], dict[int, int | None]]:
            return load_stories(archive, wanted), where_now(archive, held)

        if self._runner is None:
            self._set_stories(generation, wanted, read())
            return
        self._runner.submit(read, lambda found: self._set_stories(generation, wanted, found))

    def reload(self) -> None:
        self.load(query=self._query)

    def set_archive(self, archive: Archive) -> None:
        self._archive = archive
        self._generation += 1
        self._tracked = None
        self._seen.clear()
        self._shown_query = None
        self._set_stories(self._generation, self._query, ([], {}))

    def _set_stories(
        self,
        generation: int,
        wanted: StoryQuery,
        found: tuple[list[Story], dict[int, int | None]],
    ) -> None:
        if generation != self._generation:
            return
        stories, moved = found
        for node in self._nodes:
            if node.thread is not None:
                self._remember(held_thread(node.thread))
        self.reloading = wanted == self._shown_query
        self._moved = moved
        self.beginResetModel()
        self._nodes = [_node(story) for story in stories]
        self._node_of = {
            node.thread.id: row for row, node in enumerate(self._nodes) if node.thread is not None
        }
        self._shown_query = wanted
        self.endResetModel()
        self.threads_loaded.emit(len(self._node_of))
        self.reloading = False

    # -- stories that moved ----------------------------------------------------------------
    def track(self, story: HeldThread | None) -> None:
        """Keep looking for this story on reloads (the one the reading pane shows)."""
        self._tracked = story
        if story is not None:
            self._remember(story)

    def moved_to(self, thread_id: int) -> int | None:
        """Where a story held before the last load is now: its own id while it exists, the
        survivor's after a merge, None once none of its entries is in a story."""
        return self._moved.get(thread_id, thread_id)

    def was_moved(self, thread_id: int) -> bool:
        return thread_id in self._moved

    def held(self, thread_id: int) -> HeldThread:
        """What is known of a story shown now or recently (its label, some entries)."""
        row = self._node_of.get(thread_id)
        if row is not None:
            thread = self._nodes[row].thread
            assert thread is not None
            return held_thread(thread)
        return self._seen.get(thread_id, HeldThread(thread_id))

    def summary(self, thread_id: int) -> ThreadSummary | None:
        row = self._node_of.get(thread_id)
        return self._nodes[row].thread if row is not None else None

    def _remember(self, story: HeldThread) -> None:
        self._seen.pop(story.id, None)
        self._seen[story.id] = story
        while len(self._seen) > SEEN_LIMIT:
            del self._seen[next(iter(self._seen))]

    def thread_count(self) -> int:
        return len(self._node_of)

    def thread_at(self, row: int) -> ThreadSummary | None:
        return self._nodes[row].thread if 0 <= row < len(self._nodes) else None

    def thread_row_of(self, thread_id: int) -> int | None:
        return self._node_of.get(thread_id)

    # -- Qt model interface ----------------------------------------------------------
    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _NO_PARENT)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == _NO_PARENT:
            return QModelIndex()
        thread_row = index.internalId() - 1
        if thread_row >= len(self._nodes):
            return QModelIndex()
        return self.createIndex(thread_row, 0, _NO_PARENT)

    def _top(self, index: AnyIndex) -> StoryNode | None:
        if index.isValid() and index.internalId() == _NO_PARENT and index.row() < len(self._nodes):
            return self._nodes[index.row()]
        return None

    def _is_thread(self, index: AnyIndex) -> bool:
        node = self._top(index)
        return node is not None and node.thread is not None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._nodes)
        node = self._top(parent)
        if node is not None and parent.column() == 0:
            return len(node.children)
        return 0

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def hasChildren(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        if not parent.isValid():
            return bool(self._nodes)
        node = self._top(parent)
        if node is None or node.thread is None or parent.column() != 0:
            return False
        return node.thread.size > 0

    def canFetchMore(self, parent: AnyIndex) -> bool:
        node = self._top(parent)
        if node is None or node.thread is None or parent.column() != 0:
            return False
        return not node.loading and not node.exhausted

    def fetchMore(self, parent: AnyIndex) -> None:
        if not self.canFetchMore(parent):
            return
        node = self._nodes[parent.row()]
        assert node.thread is not None
        thread_id = node.thread.id
        after = None
        if node.children:
            last = node.children[-1]
            after = EntryCursor(last.sort_time, last.id)
        archive, query, generation = self._archive, self._query, self._generation

        def load() -> list[EntryRow]:
            found = archive.entries(
                thread_id=thread_id,
                source_ids=query.source_ids,
                unread=query.unread,
                starred=query.starred,
                limit=CHILD_PAGE,
                after=after,
            )
            return load_rows(archive, found)

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
        if len(rows) < CHILD_PAGE:
            node.exhausted = True
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
        node = self._top(index)
        if node is not None:
            if node.thread is not None:
                return self._thread_data(node.thread, index.column(), role)
            assert node.entry is not None
            return entry_row_data(node.entry, index.column(), role, self._bold)
        row = self.entry_at(index)
        return None if row is None else entry_row_data(row, index.column(), role, self._bold)

    def _thread_data(self, thread: ThreadSummary, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == TITLE_COLUMN:
                return thread.label or "(unlabelled story)"
            if column == SOURCE_COLUMN:
                return thread_source_text(thread)
            if column == TIME_COLUMN:
                return local_time_text(thread.last_activity)
            return None
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if thread.unread else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == TIME_COLUMN:
                return "Last activity: " + full_local_time_text(thread.last_activity)
            return thread_tooltip(thread)
        if role == IS_THREAD_ROLE:
            return True
        if role == THREAD_ID_ROLE:
            return thread.id
        if role == UNREAD_COUNT_ROLE:
            return thread.unread
        if role == READ_ROLE:
            return thread.unread == 0
        if role == THREAD_SOURCES_ROLE:
            return thread.sources
        return None

    # -- changes -----------------------------------------------------------------------
    def set_flags(
        self, entry_ids: Iterable[int], *, read: bool | None = None, starred: bool | None = None
    ) -> None:
        wanted = set(entry_ids)
        for top_row, node in enumerate(self._nodes):
            if node.entry is not None and node.entry.id in wanted:
                node.entry = node.entry.with_flags(read=read, starred=starred)
                self.dataChanged.emit(self.index(top_row, 0), self.index(top_row, len(COLUMNS) - 1))
                continue
            if node.thread is None:
                continue
            parent = self.index(top_row, 0)
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
                unread = max(0, node.thread.unread + changed_unread)
                node.thread = replace(node.thread, unread=unread)
                self.dataChanged.emit(self.index(top_row, 0), self.index(top_row, len(COLUMNS) - 1))

    def entry_at(self, index: AnyIndex) -> EntryRow | None:
        if not index.isValid():
            return None
        if index.internalId() == _NO_PARENT:
            node = self._top(index)
            return node.entry if node is not None else None
        parent_row = index.internalId() - 1
        if not 0 <= parent_row < len(self._nodes):
            return None
        children = self._nodes[parent_row].children
        return children[index.row()] if 0 <= index.row() < len(children) else None

    def index_of_entry(self, entry_id: int) -> QModelIndex:
        for top_row, node in enumerate(self._nodes):
            if node.entry is not None and node.entry.id == entry_id:
                return self.index(top_row, 0)
            for child_row, child in enumerate(node.children):
                if child.id == entry_id:
                    return self.index(child_row, 0, self.index(top_row, 0))
        return QModelIndex()


def held_thread(thread: ThreadSummary) -> HeldThread:
    return HeldThread(thread.id, thread.label, thread.entry_ids)


def thread_source_text(thread: ThreadSummary) -> str:
    """ "3 items · BBC, Reuters +2" for the Source column of a thread row."""
    noun = "item" if thread.size == 1 else "items"
    names = list(thread.sources[:2])
    more = len(thread.sources) - len(names)
    where = ", ".join(names) + (f" +{more}" if more > 0 else "")
    return f"{thread.size} {noun} · {where}" if where else f"{thread.size} {noun}"


def thread_tooltip(thread: ThreadSummary) -> str:
    lines = [thread.label, f"{thread.size} items, {thread.unread} unread"]
    if thread.sources:
        lines.append("From: " + ", ".join(thread.sources))
    if thread.last_activity is not None:
        lines.append("Last activity: " + full_local_time_text(thread.last_activity))
    return "\n".join(lines)
