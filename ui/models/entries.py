"""The flat entry list: a lazily paged table over the archive, newest (or oldest) first.

Pages come from the core's keyset pagination (`Archive.entries(after=cursor)`), so the
millionth row costs what the first did. With a `TaskRunner` pages load off the GUI thread;
without one (tests, tiny archives) they load inline. After a refresh only the rows whose
ids changed are reloaded, and new entries are inserted where they sort.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont

from reader.core import Archive, EntryCursor, EntryOrder
from reader.types import Entry
from ui.models.entry_keys import EntryKeys, load_keys
from ui.models.rows import (
    COLUMNS,
    ENTRY_ID_ROLE,
    IS_THREAD_ROLE,
    KIND_ROLE,
    READ_ROLE,
    SOURCE_COLUMN,
    STARRED_ROLE,
    THREAD_ID_ROLE,
    TIME_COLUMN,
    TITLE_COLUMN,
    WITHDRAWN_ROLE,
    EntryRow,
    full_local_time_text,
    local_time_text,
)
from ui.workers import TaskRunner

PAGE_SIZE = 200
MAX_CACHED_PAGES = 60  # pages kept in keyed mode (12,000 rows)
AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class EntryQuery:
    """Which entries a list shows; every part of it is applied in SQL."""

    source_ids: tuple[int, ...] | None = None  # None: every source
    thread_id: int | None = None
    unread: bool = False
    starred: bool = False
    order: EntryOrder = "newest"
    search: str | None = None  # a saved search's query: its matches, newest first

    def matches(self, row: EntryRow) -> bool:
        """Whether a freshly stored entry belongs in this list (for inserting new rows)."""
        if self.search is not None:
            return False  # the list is reloaded instead: only the index knows what matches
        if self.source_ids is not None and row.source_id not in self.source_ids:
            return False
        if self.thread_id is not None and row.thread_id != self.thread_id:
            return False
        if self.unread and row.read:
            return False
        return not (self.starred and not row.starred)


def sort_time_of(entry: Entry) -> int:
    """The list's sort key for an entry: its publication time, else when it was first seen
    (the core reads that with the entry)."""
    if entry.published is not None:
        return int(entry.published.timestamp())
    return int(entry.sort_time.timestamp()) if entry.sort_time is not None else 0


def load_rows(archive: Archive, entries: Iterable[Entry]) -> list[EntryRow]:
    """List rows for entries the core handed out; nothing more is read (`archive` stays in
    the signature so that callers need not change)."""
    return [EntryRow.from_entry(entry, sort_time_of(entry)) for entry in entries]


def load_page(
    archive: Archive, query: EntryQuery, after: EntryCursor | None, size: int
) -> list[EntryRow]:
    """One keyset page; runs on a worker thread or inline."""
    if query.search is not None:
        ids = archive.matching_entry_ids(
            query.search, limit=size, after=after.entry_id if after is not None else None
        )
        return load_rows(archive, archive.entries_by_ids(ids))
    found = archive.entries(
        source_ids=query.source_ids,
        thread_id=query.thread_id,
        unread=query.unread,
        starred=query.starred,
        limit=size,
        after=after,
        order=query.order,
    )
    return load_rows(archive, found)


class EntryListModel(QAbstractTableModel):
    """Title / Source / Time, one row per entry, loaded a page at a time."""

    page_loaded = Signal(int)  # rows added
    load_failed = Signal(str)

    def __init__(
        self,
        archive: Archive,
        runner: TaskRunner | None = None,
        parent: Any = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__(parent)
        self._archive = archive
        self._runner = runner
        self._page_size = page_size
        self._query = EntryQuery()
        self._rows: list[EntryRow] = []
        self._row_of: dict[int, int] = {}
        self._exhausted = False
        self._loading = False
        self._generation = 0
        self._bold = QFont()
        self._bold.setBold(True)
        # Keyed mode (with a runner, for non-search lists): the whole order is known and
        # only recently shown pages are kept.
        self._keys: EntryKeys | None = None
        self._pages: OrderedDict[int, list[EntryRow]] = OrderedDict()
        self._pages_loading: set[int] = set()
        self._flag_overrides: dict[int, tuple[bool | None, bool | None]] = {}

    # -- what is shown ---------------------------------------------------------------
    @property
    def query(self) -> EntryQuery:
        return self._query

    def set_query(self, query: EntryQuery) -> None:
        """Show another selection; the first page loads on the view's request."""
        self.beginResetModel()
        self._query = query
        self._rows = []
        self._row_of = {}
        self._exhausted = False
        self._loading = False
        self._generation += 1
        self._keys = None
        self._pages.clear()
        self._pages_loading.clear()
        self._flag_overrides.clear()
        self.endResetModel()
        if self._keys_coming() and self._runner is not None:
            generation, archive = self._generation, self._archive
            self._runner.submit(
                lambda: load_keys(archive, query),
                lambda keys: self._on_keys_loaded(generation, keys),
                lambda error: self._on_page_failed(generation, error),
            )

    def reload(self) -> None:
        self.set_query(self._query)

    def set_archive(self, archive: Archive) -> None:
        self._archive = archive
        self.set_query(EntryQuery())

    def is_loading(self) -> bool:
        return self._loading

    def is_exhausted(self) -> bool:
        return self._exhausted

    def is_keyed(self) -> bool:
        """Whether the whole list's order is known (its length, any row's id)."""
        return self._keys is not None

    def row_for_entry(self, entry_id: int) -> int | None:
        if self._keys is not None:
            return self._keys.row_of(entry_id)
        return self._row_of.get(entry_id)

    def entry_row(self, row: int) -> EntryRow | None:
        """The row's data, or None while its page is still loading (it is then asked for)."""
        if self._keys is not None:
            return self._keyed_row(row)
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def loaded_rows(self) -> Sequence[EntryRow]:
        if self._keys is not None:
            return [row for page in self._pages.values() for row in page]
        return self._rows

    # -- keyed mode ------------------------------------------------------------------
    def _on_keys_loaded(self, generation: int, keys: EntryKeys) -> None:
        if generation != self._generation:
            return
        shown = [row.id for row in self._rows]
        if [int(i) for i in keys.ids[: len(shown)]] != shown:
            self.beginResetModel()  # the archive changed meanwhile: start from the keys
            self._rows, self._row_of = [], {}
            self._keys = keys
            self.endResetModel()
        else:
            # The pages already shown become the cache; the rest of the list appears at once.
            for start in range(0, len(self._rows), self._page_size):
                page = self._rows[start : start + self._page_size]
                if len(page) == self._page_size or start + len(page) == len(keys):
                    self._pages[start // self._page_size] = page
            old = len(self._rows)
            if len(keys) > old:
                self.beginInsertRows(QModelIndex(), old, len(keys) - 1)
                self._keys = keys
                self._rows, self._row_of = [], {}
                self.endInsertRows()
            else:
                self._keys = keys
                self._rows, self._row_of = [], {}
        self._exhausted = True
        self._loading = False
        self.page_loaded.emit(len(keys))

    def _keyed_row(self, row: int) -> EntryRow | None:
        assert self._keys is not None
        if not 0 <= row < len(self._keys):
            return None
        number, offset = divmod(row, self._page_size)
        page = self._pages.get(number)
        if page is None:
            self._request_page(number)
            return None
        self._pages.move_to_end(number)
        return page[offset] if offset < len(page) else None

    def _request_page(self, number: int) -> None:
        if number in self._pages_loading or self._keys is None or self._runner is None:
            return
        self._pages_loading.add(number)
        keys, archive, query, size = self._keys, self._archive, self._query, self._page_size
        after = keys.cursor_before(number * size)
        generation = self._generation
        self._runner.submit(
            lambda: load_page(archive, query, after, size),
            lambda rows: self._on_page_loaded(generation, number, rows),
            lambda error: self._on_page_failed(generation, error),
        )

    def _on_page_loaded(self, generation: int, number: int, rows: list[EntryRow]) -> None:
        if generation != self._generation or self._keys is None:
            return
        self._pages_loading.discard(number)
        for position, row in enumerate(rows):
            override = self._flag_overrides.get(row.id)
            if override is not None:
                rows[position] = row.with_flags(read=override[0], starred=override[1])
        self._pages[number] = rows
        while len(self._pages) > MAX_CACHED_PAGES:
            self._pages.popitem(last=False)
        first = number * self._page_size
        last = min(len(self._keys), first + self._page_size) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        self.page_loaded.emit(len(rows))

    # -- Qt model interface ----------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt default
        if parent.isValid():
            return 0
        return len(self._keys) if self._keys is not None else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

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

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if self._keys is None:
            if not 0 <= index.row() < len(self._rows):
                return None
            return entry_row_data(self._rows[index.row()], index.column(), role, self._bold)
        row = self._keyed_row(index.row())
        if row is not None:
            return entry_row_data(row, index.column(), role, self._bold)
        if not 0 <= index.row() < len(self._keys):
            return None
        if role == ENTRY_ID_ROLE:
            return int(self._keys.ids[index.row()])
        if role == Qt.ItemDataRole.DisplayRole and index.column() == TITLE_COLUMN:
            return "Loading…"
        if role == IS_THREAD_ROLE:
            return False
        return None

    def canFetchMore(self, parent: AnyIndex) -> bool:
        if parent.isValid() or self._keys is not None:
            return False
        if self._keys_coming() and self._rows:
            return False  # the first page is shown; the rest follows from the keys
        return not self._exhausted and not self._loading

    def _keys_coming(self) -> bool:
        return self._runner is not None and self._query.search is None

    def fetchMore(self, parent: AnyIndex) -> None:
        if not self.canFetchMore(parent):
            return
        after = None
        if self._rows:
            last = self._rows[-1]
            after = EntryCursor(last.sort_time, last.id)
        generation = self._generation
        archive, query, size = self._archive, self._query, self._page_size
        if self._runner is None:
            self._append_page(generation, load_page(archive, query, after, size))
            return
        self._loading = True
        self._runner.submit(
            lambda: load_page(archive, query, after, size),
            lambda rows: self._append_page(generation, rows),
            lambda error: self._on_page_failed(generation, error),
        )

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Only time order is offered: it is the index the archive keeps (sorting in SQL)."""
        wanted: EntryOrder = "oldest" if order == Qt.SortOrder.AscendingOrder else "newest"
        if column == TIME_COLUMN and wanted != self._query.order:
            self.set_query(EntryQuery(**{**self._query.__dict__, "order": wanted}))

    # -- loading ---------------------------------------------------------------------
    def _append_page(self, generation: int, rows: list[EntryRow]) -> None:
        if generation != self._generation:
            return  # the selection changed while this page loaded
        self._loading = False
        if self._keys is not None:
            # The whole order arrived first: this first page is just page 0 of it.
            self._on_page_loaded(generation, 0, rows[: self._page_size])
            return
        fresh = [row for row in rows if row.id not in self._row_of]
        if len(rows) < self._page_size:
            self._exhausted = True
        if fresh:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            self._rows.extend(fresh)
            for offset, row in enumerate(fresh):
                self._row_of[row.id] = start + offset
            self.endInsertRows()
        self.page_loaded.emit(len(fresh))

    def _on_page_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._exhausted = True
        self.load_failed.emit(str(error))

    # -- changes -----------------------------------------------------------------------
    def set_flags(
        self, entry_ids: Iterable[int], *, read: bool | None = None, starred: bool | None = None
    ) -> None:
        """Show a read/starred change at once (the archive write runs elsewhere)."""
        if self._keys is not None:
            self._set_keyed_flags(entry_ids, read, starred)
            return
        for entry_id in entry_ids:
            row = self._row_of.get(entry_id)
            if row is None:
                continue
            self._rows[row] = self._rows[row].with_flags(read=read, starred=starred)
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def _set_keyed_flags(
        self, entry_ids: Iterable[int], read: bool | None, starred: bool | None
    ) -> None:
        assert self._keys is not None
        for entry_id in entry_ids:
            old = self._flag_overrides.get(entry_id, (None, None))
            self._flag_overrides[entry_id] = (
                read if read is not None else old[0],
                starred if starred is not None else old[1],
            )
            row = self._keys.row_of(entry_id)
            if row is None:
                continue
            number, offset = divmod(row, self._page_size)
            page = self._pages.get(number)
            if page is not None and offset < len(page):
                page[offset] = page[offset].with_flags(read=read, starred=starred)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def _apply_keyed_rows(self, rows: Iterable[EntryRow]) -> None:
        """Replace rows shown and insert new ones, in a few vectorised steps: a refresh can
        bring thousands, and a million-row list must not be scanned once per row."""
        assert self._keys is not None
        rows = list(rows)
        if not rows:
            return
        ids = np.fromiter((row.id for row in rows), dtype=np.int64, count=len(rows))
        present = np.isin(ids, self._keys.ids)
        if present.any():
            where = np.flatnonzero(np.isin(self._keys.ids, ids[present]))
            row_of = {int(self._keys.ids[index]): int(index) for index in where}
            for row, known in zip(rows, present, strict=True):
                if known and row.id in row_of:
                    self._replace_cached(row_of[row.id], row)
        fresh = [r for r, known in zip(rows, present, strict=True) if not known]
        fresh = [r for r in fresh if self._query.matches(r)]
        if not fresh:
            return
        newest = self._keys.newest_first
        fresh.sort(key=lambda r: (r.sort_time, r.id), reverse=newest)
        starts = self._keys.positions_for(
            np.array([r.sort_time for r in fresh], np.int64),
            np.array([r.id for r in fresh], np.int64),
        )
        inserted = 0
        index = 0
        while index < len(fresh):
            end = index
            while end + 1 < len(fresh) and starts[end + 1] == starts[index]:
                end += 1
            block = fresh[index : end + 1]
            at = int(starts[index]) + inserted
            self.beginInsertRows(QModelIndex(), at, at + len(block) - 1)
            self._keys = self._keys.inserted_block(
                at,
                np.array([r.sort_time for r in block], np.int64),
                np.array([r.id for r in block], np.int64),
            )
            self._shift_pages(at, block)
            self.endInsertRows()
            inserted += len(block)
            index = end + 1
        self._generation_pages_stale()

    def _replace_cached(self, row_index: int, row: EntryRow) -> None:
        number, offset = divmod(row_index, self._page_size)
        page = self._pages.get(number)
        if page is not None and offset < len(page):
            page[offset] = row
            self.dataChanged.emit(self.index(row_index, 0), self.index(row_index, len(COLUMNS) - 1))

    def _shift_pages(self, position: int, block: list[EntryRow]) -> None:
        """Re-cut the cached pages around rows inserted at `position`, so rows already
        shown keep showing; a page left with a gap is dropped and reloads when seen."""
        assert self._keys is not None
        size, count = self._page_size, len(block)
        known: dict[int, EntryRow] = {position + i: row for i, row in enumerate(block)}
        for number, page in self._pages.items():
            for offset, cached in enumerate(page):
                index = number * size + offset
                known[index + count if index >= position else index] = cached
        self._pages = OrderedDict()
        for number in sorted({index // size for index in known}):
            start, end = number * size, min(number * size + size, len(self._keys))
            if all(index in known for index in range(start, end)):
                self._pages[number] = [known[index] for index in range(start, end)]

    def _generation_pages_stale(self) -> None:
        """Pages still loading were asked for with the old order; ignore their rows."""
        self._pages_loading.clear()
        self._generation += 1

    def apply_rows(self, rows: Iterable[EntryRow]) -> None:
        """Merge reloaded or new rows: replace those shown, insert new ones where they sort."""
        if self._keys is not None:
            self._apply_keyed_rows(rows)
            return
        for row in rows:
            existing = self._row_of.get(row.id)
            if existing is not None:
                self._rows[existing] = row
                self.dataChanged.emit(
                    self.index(existing, 0), self.index(existing, len(COLUMNS) - 1)
                )
            elif self._query.matches(row):
                self._insert_sorted(row)

    def _insert_sorted(self, row: EntryRow) -> None:
        newest_first = self._query.order == "newest"
        sign = -1 if newest_first else 1
        keys = [(sign * r.sort_time, sign * r.id) for r in self._rows]
        key = (sign * row.sort_time, sign * row.id)
        position = bisect.bisect_left(keys, key)
        if position == len(self._rows) and not self._exhausted:
            return  # belongs past the loaded pages; a later page will bring it
        self.beginInsertRows(QModelIndex(), position, position)
        self._rows.insert(position, row)
        self._row_of = {r.id: i for i, r in enumerate(self._rows)}
        self.endInsertRows()

    def ids_shown(self) -> set[int]:
        return set(self._row_of)


def entry_row_data(row: EntryRow, column: int, role: int, bold: QFont) -> Any:
    """The data() of one entry cell; shared with the threaded model's child rows."""
    if role == Qt.ItemDataRole.DisplayRole:
        if column == TITLE_COLUMN:
            return row.title
        if column == SOURCE_COLUMN:
            return row.source_title
        if column == TIME_COLUMN:
            return local_time_text(row.published)
        return None
    if role == Qt.ItemDataRole.FontRole:
        return bold if not row.read else None
    if role == Qt.ItemDataRole.ToolTipRole:
        if column == TIME_COLUMN:
            return full_local_time_text(row.published)
        if column == TITLE_COLUMN:
            note = " (withdrawn by the publisher)" if row.withdrawn else ""
            return row.title + note
        return row.source_title
    if role == ENTRY_ID_ROLE:
        return row.id
    if role == READ_ROLE:
        return row.read
    if role == STARRED_ROLE:
        return row.starred
    if role == WITHDRAWN_ROLE:
        return row.withdrawn
    if role == IS_THREAD_ROLE:
        return False
    if role == THREAD_ID_ROLE:
        return row.thread_id
    if role == KIND_ROLE:
        return row.kind
    if role == Qt.ItemDataRole.AccessibleTextRole and column == TITLE_COLUMN:
        state = "unread, " if not row.read else ""
        return f"{state}{row.title}, {row.source_title}"
    return None
