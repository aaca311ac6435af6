"""The order of a whole entry list as two compact arrays (sort time, id), read on a worker.

With them the flat list knows its length at once (the scroll bar is right from the start),
any row's page can be loaded by keyset from the key just before it, and only the pages on
screen need to be kept: a million entries cost 16 MB here instead of a Python object each.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from reader.core import Archive, EntryCursor

if TYPE_CHECKING:
    from ui.models.entries import EntryQuery

FETCH_CHUNK = 100_000


@dataclass(frozen=True)
class EntryKeys:
    """Row i of the list is entry `ids[i]`, sorted by `times[i]` (then id)."""

    times: np.ndarray
    ids: np.ndarray
    newest_first: bool

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def cursor_before(self, row: int) -> EntryCursor | None:
        """The keyset cursor whose next page starts at `row`."""
        if row <= 0:
            return None
        return EntryCursor(int(self.times[row - 1]), int(self.ids[row - 1]))

    def row_of(self, entry_id: int) -> int | None:
        found = np.flatnonzero(self.ids == entry_id)
        return int(found[0]) if found.size else None

    def positions_for(self, times: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Where each (time, id) belongs: how many current rows sort before it."""
        current = (self.times << 31) | self.ids  # times and ids stay below 2**31
        wanted = (times << 31) | ids
        if self.newest_first:
            return np.searchsorted(-current, -wanted, side="left")
        return np.searchsorted(current, wanted, side="left")

    def inserted_block(self, row: int, times: np.ndarray, ids: np.ndarray) -> EntryKeys:
        return EntryKeys(
            np.insert(self.times, row, times), np.insert(self.ids, row, ids), self.newest_first
        )


def load_keys(archive: Archive, query: EntryQuery) -> EntryKeys:
    """Every (sort time, id) of the query's entries in list order (worker thread).

    Read on a connection of its own with a small page cache, through the driver's cursor:
    wrapping a million rows in result objects would cost seconds (the covering index scan
    itself takes a few hundred milliseconds), and a pooled connection would keep the scanned
    pages in its 32 MB cache for the rest of the session.
    """
    conditions: list[str] = []
    params: list[Any] = []
    if query.source_ids is not None:
        if not query.source_ids:
            return EntryKeys(np.empty(0, np.int64), np.empty(0, np.int64), True)
        conditions.append(f"source_id IN ({', '.join('?' for _ in query.source_ids)})")
        params.extend(int(i) for i in query.source_ids)
    if query.thread_id is not None:
        conditions.append("thread_id = ?")
        params.append(int(query.thread_id))
    if query.unread:
        conditions.append("read = 0")
    if query.starred:
        conditions.append("starred = 1")
    newest = query.order == "newest"
    direction = "DESC" if newest else "ASC"
    sql = "SELECT sort_time, id FROM entries"
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    sql += f" ORDER BY sort_time {direction}, id {direction}"
    parts: list[np.ndarray] = []
    connection = sqlite3.connect(archive.paths.database, timeout=10, check_same_thread=False)
    try:
        connection.execute("PRAGMA cache_size = -2000")
        cursor = connection.execute(sql, params)
        while True:
            chunk = cursor.fetchmany(FETCH_CHUNK)
            if not chunk:
                break
            parts.append(np.asarray(chunk, dtype=np.int64).reshape(-1, 2))
    finally:
        connection.close()
    table = np.concatenate(parts) if parts else np.empty((0, 2), np.int64)
    return EntryKeys(np.ascontiguousarray(table[:, 0]), np.ascontiguousarray(table[:, 1]), newest)
