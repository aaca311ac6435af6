"""Keeping the archive's topic threads: entries placed as they are stored, user moves, rethread.

The threader (reader.topics) keeps only recent, active threads in memory; this module
feeds it from the database, writes its decisions back, and rebuilds it on start-up from
the entries of the active time window, so memory stays bounded on a large archive.
Every merge is recorded in `thread_merges` (an old thread id still leads to its story), and
`threads.user_shaped` carries the threader's "never merge this on your own" over a restart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from reader.store.convert import from_epoch, now_epoch
from reader.store.schema import entries, sources, thread_merges, threads
from reader.topics import Threader, ThreadingSettings, TopicDoc

if TYPE_CHECKING:
    from reader.core import Archive

BATCH = 500
RethreadProgress = Callable[[int, int], None]
# (thread id, new thread id, ids of the entries moved to it): an automatic split.
Split = tuple[int, int, tuple[str, ...]]


def _doc(row: Any) -> TopicDoc:
    return TopicDoc(
        id=str(row.id),
        title=row.title,
        text=row.text,
        published=from_epoch(row.sort_time),
        source=row.source or "",
    )


def _doc_query() -> Any:
    return select(
        entries.c.id,
        entries.c.title,
        entries.c.text,
        entries.c.sort_time,
        entries.c.thread_id,
        entries.c.thread_locked,
        func.coalesce(sources.c.user_title, sources.c.title).label("source"),
    ).join(sources, sources.c.id == entries.c.source_id)


class ArchiveThreads:
    """The archive's threader, loaded lazily, guarded by one lock."""

    def __init__(self, archive: Archive, settings: ThreadingSettings | None = None) -> None:
        self.archive = archive
        self.settings = settings or ThreadingSettings()
        self._threader: Threader | None = None
        self._lock = threading.Lock()

    def forget(self) -> None:
        with self._lock:
            self._threader = None

    def _loaded(self) -> Threader:
        if self._threader is None:
            self._threader = self._restore()
        return self._threader

    def _restore(self) -> Threader:
        """A threader that knows the threads of the active window, as stored."""
        threader = Threader(self.settings)
        with self.archive.reading() as connection:
            newest = connection.execute(
                select(func.max(entries.c.sort_time)).where(entries.c.thread_id.is_not(None))
            ).scalar()
            # Merged-away ids are not handed out again: thread_merges still points them on.
            highest = max(
                connection.execute(select(func.max(threads.c.id))).scalar() or 0,
                connection.execute(select(func.max(thread_merges.c.gone_id))).scalar() or 0,
            )
            shaped = set(
                connection.execute(select(threads.c.id).where(threads.c.user_shaped)).scalars()
            )
            if newest is not None:
                since = newest - int(self.settings.window.total_seconds())
                rows = connection.execute(
                    _doc_query()
                    .where(entries.c.thread_id.is_not(None), entries.c.sort_time >= since)
                    .order_by(entries.c.sort_time, entries.c.id)
                )
                for row in rows:
                    threader.assign_to(_doc(row), row.thread_id, by_user=bool(row.thread_locked))
        for thread_id in shaped:
            if threader.has_thread(thread_id):
                threader.mark_user_shaped(thread_id)
        threader.reserve_ids_through(highest)
        return threader

    # -- placing new entries ---------------------------------------------------------
    def place(self, entry_ids: Sequence[int]) -> list[int]:
        """Assign threads to entries that have none; returns the threads touched."""
        if not entry_ids:
            return []
        with self._lock:
            threader = self._loaded()
            with self.archive.reading() as connection:
                rows = _rows_by_id(connection, entry_ids)
            rows = [r for r in rows if r.thread_id is None]
            rows.sort(key=lambda r: (r.sort_time, r.id))
            for row in rows:
                threader.assign(_doc(row))
            # Placing may merge threads that grew together or split one that drifted apart:
            # the ids that count are the final ones.
            placed = [(row, _final_thread(threader, row.id)) for row in rows]
            merges = threader.take_automatic_merges()
            splits = threader.take_automatic_splits()
            touched = sorted(
                {thread_id for _row, thread_id in placed}
                | {k for _g, k in merges}
                | _split_threads(threader, splits)
            )
            with self.archive.writing() as connection:
                _apply_merges(connection, merges, by_user=False)
                _save_threads(connection, threader, touched)
                _apply_splits(connection, threader, splits)
                for row, thread_id in placed:
                    duplicate = threader.duplicate_of(str(row.id))
                    connection.execute(
                        update(entries)
                        .where(entries.c.id == row.id)
                        .values(
                            thread_id=thread_id,
                            duplicate_of=None if duplicate is None else int(duplicate),
                        )
                    )
            return touched

    # -- the user's choices ----------------------------------------------------------
    def move(self, entry_id: int, thread_id: int) -> None:
        with self._lock:
            threader = self._loaded()
            # A cold target is loaded first: its label and members are not just this entry.
            self._ensure_known(threader, [thread_id])
            with self.archive.reading() as connection:
                (row,) = _rows_by_id(connection, [entry_id])
            old = row.thread_id
            threader.assign_to(_doc(row), thread_id)
            with self.archive.writing() as connection:
                # The old thread's label may have been this entry's headline.
                _save_threads(connection, threader, [thread_id, *([old] if old else [])])
                connection.execute(
                    update(entries)
                    .where(entries.c.id == entry_id)
                    .values(thread_id=thread_id, thread_locked=True)
                )
                if old is not None and old != thread_id:
                    # Also when the old thread is cold (not in memory): it lost an entry.
                    _mark_user_shaped(connection, [old])
                _drop_if_empty(connection, old)

    def merge(self, keep: int, gone: int) -> int:
        with self._lock:
            threader = self._loaded()
            self._ensure_known(threader, [keep, gone])
            survivor = threader.merge(keep, gone)
            threader.mark_user_shaped(survivor)
            with self.archive.writing() as connection:
                _apply_merges(connection, [(gone, survivor)], by_user=True)
                _save_threads(connection, threader, [survivor])
            return survivor

    def split(self, thread_id: int, entry_ids: Sequence[int]) -> int:
        with self._lock:
            threader = self._loaded()
            self._ensure_known(threader, [thread_id])
            new_id = threader.split(thread_id, [str(i) for i in entry_ids])
            with self.archive.writing() as connection:
                _save_threads(connection, threader, [new_id, thread_id])
                connection.execute(
                    update(entries)
                    .where(entries.c.id.in_(list(entry_ids)), entries.c.thread_id == thread_id)
                    .values(thread_id=new_id, thread_locked=True)
                )
            return new_id

    def _ensure_known(self, threader: Threader, thread_ids: Iterable[int]) -> None:
        """Cold threads are not in memory: load their entries before the user edits them."""
        for thread_id in thread_ids:
            if threader.has_thread(thread_id):
                continue
            with self.archive.reading() as connection:
                rows = connection.execute(
                    _doc_query()
                    .where(entries.c.thread_id == thread_id)
                    .order_by(entries.c.sort_time, entries.c.id)
                ).all()
                shaped = connection.execute(
                    select(threads.c.user_shaped).where(threads.c.id == thread_id)
                ).scalar()
            for row in rows:
                threader.assign_to(_doc(row), thread_id, by_user=bool(row.thread_locked))
            if shaped and threader.has_thread(thread_id):
                threader.mark_user_shaped(thread_id)

    # -- rethreading -----------------------------------------------------------------
    def rethread(self, progress: RethreadProgress | None = None) -> int:
        """Thread the whole archive again from scratch (the user's placements are kept)."""
        with self._lock:
            threader = Threader(self.settings)
            with self.archive.reading() as connection:
                total = connection.execute(select(func.count()).select_from(entries)).scalar()
                locked_highest = connection.execute(
                    select(func.max(entries.c.thread_id)).where(entries.c.thread_locked)
                ).scalar()
            threader.reserve_ids_through(int(locked_highest or 0))
            done = 0
            after: tuple[int, int] = (-(2**62), 0)
            while True:
                with self.archive.reading() as connection:
                    rows = connection.execute(
                        _doc_query()
                        .where(
                            (entries.c.sort_time > after[0])
                            | ((entries.c.sort_time == after[0]) & (entries.c.id > after[1]))
                        )
                        .order_by(entries.c.sort_time, entries.c.id)
                        .limit(BATCH)
                    ).all()
                if not rows:
                    break
                for row in rows:
                    doc = _doc(row)
                    if row.thread_locked and row.thread_id is not None:
                        threader.assign_to(doc, row.thread_id)
                    else:
                        threader.assign(doc)
                placed = [
                    (row.id, _final_thread(threader, row.id), threader.duplicate_of(str(row.id)))
                    for row in rows
                ]
                # Threads merged or split in this batch may hold entries written by earlier
                # batches.
                merges = threader.take_automatic_merges()
                splits = threader.take_automatic_splits()
                with self.archive.writing() as connection:
                    if done == 0:
                        connection.execute(
                            update(entries)
                            .where(entries.c.thread_locked == False)  # noqa: E712
                            .values(thread_id=None)
                        )
                        connection.execute(delete(threads))
                        # Every thread is numbered anew: old ids lead nowhere now.
                        connection.execute(delete(thread_merges))
                    _apply_merges(connection, merges, by_user=False)
                    touched = (
                        {t for _, t, _ in placed}
                        | {k for _g, k in merges}
                        | _split_threads(threader, splits)
                    )
                    _save_threads(connection, threader, sorted(touched))
                    _apply_splits(connection, threader, splits)
                    for entry_id, thread_id, duplicate in placed:
                        connection.execute(
                            update(entries)
                            .where(entries.c.id == entry_id)
                            .values(
                                thread_id=thread_id,
                                duplicate_of=None if duplicate is None else int(duplicate),
                            )
                        )
                done += len(rows)
                after = (rows[-1].sort_time, rows[-1].id)
                if progress is not None:
                    progress(done, int(total or 0))
            self._threader = threader
            return done


def _rows_by_id(connection: Connection, entry_ids: Sequence[int]) -> list[Any]:
    found: list[Any] = []
    ids = list(entry_ids)
    for start in range(0, len(ids), BATCH):
        found.extend(
            connection.execute(_doc_query().where(entries.c.id.in_(ids[start : start + BATCH])))
        )
    return found


def _final_thread(threader: Threader, entry_id: int) -> int:
    """The thread an entry the threader just placed ends up in, after any merges."""
    thread_id = threader.thread_of(str(entry_id))
    assert thread_id is not None, "the threader placed every entry it was given"
    return thread_id


def _apply_merges(
    connection: Connection, merges: Sequence[tuple[int, int]], *, by_user: bool
) -> None:
    """Stored entries of each merged-away thread move to its survivor; the empty row goes,
    and `thread_merges` records where its id went."""
    now = now_epoch()
    for gone, survivor in merges:
        if gone == survivor:
            continue
        connection.execute(
            update(entries).where(entries.c.thread_id == gone).values(thread_id=survivor)
        )
        _drop_if_empty(connection, gone)
        _record_merge(connection, gone, survivor, by_user=by_user, at=now)


def _split_threads(threader: Threader, splits: Sequence[Split]) -> set[int]:
    """The threads automatic splits left entries in, as they are now (labels to rewrite)."""
    found: set[int] = set()
    for thread_id, _new_id, moved in splits:
        for thread in (threader.thread_of(e) for e in moved):
            if thread is not None:
                found.add(thread)
        still = threader.info(thread_id)
        if still is not None:
            found.add(still.id)
    return found


def _apply_splits(connection: Connection, threader: Threader, splits: Sequence[Split]) -> None:
    """Stored entries moved by automatic splits go to the thread each one is in now (after
    any later merge or split in the same batch). Runs after the merges, so those cannot undo
    it, and after the threads' rows are saved, so the new ones exist."""
    for _thread_id, _new_id, moved in splits:
        for entry_id in moved:
            now = threader.thread_of(entry_id)
            if now is not None:
                connection.execute(
                    update(entries).where(entries.c.id == int(entry_id)).values(thread_id=now)
                )


def _record_merge(
    connection: Connection, gone: int, survivor: int, *, by_user: bool, at: int
) -> None:
    # Ids merged into `gone` earlier now lead to `survivor` directly: chains stay one step.
    connection.execute(
        update(thread_merges)
        .where(thread_merges.c.survivor_id == gone)
        .values(survivor_id=survivor)
    )
    record = {"survivor_id": survivor, "merged_at": at, "by_user": by_user}
    connection.execute(
        sqlite_insert(thread_merges)
        .values(gone_id=gone, **record)
        .on_conflict_do_update(index_elements=[thread_merges.c.gone_id], set_=record)
    )


def resolve_thread_id(connection: Connection, thread_id: int) -> int | None:
    """The thread `thread_id` is now: itself if it exists, else the live thread it was
    merged into (following any chain of merges), else None."""
    seen: set[int] = set()
    current: int | None = thread_id
    while current is not None and current not in seen:
        seen.add(current)
        exists = connection.execute(select(threads.c.id).where(threads.c.id == current)).scalar()
        if exists is not None:
            return current
        current = connection.execute(
            select(thread_merges.c.survivor_id).where(thread_merges.c.gone_id == current)
        ).scalar()
    return None


def _save_threads(connection: Connection, threader: Threader, thread_ids: Sequence[int]) -> None:
    """Write the label and last activity of these threads (creating rows as needed)."""
    now = now_epoch()
    for thread_id in thread_ids:
        info = threader.info(thread_id)
        if info is None:
            continue
        activity = now if info.last_activity is None else int(info.last_activity.timestamp())
        exists = connection.execute(
            select(threads.c.id).where(threads.c.id == thread_id)
        ).scalar()
        if exists is None:
            connection.execute(
                threads.insert().values(
                    id=thread_id,
                    label=info.label,
                    created=now,
                    last_activity=activity,
                    user_shaped=threader.is_user_shaped(thread_id),
                )
            )
            # The id is live again (an archive from before ids were reserved): no longer gone.
            connection.execute(delete(thread_merges).where(thread_merges.c.gone_id == thread_id))
        else:
            values: dict[str, Any] = {"label": info.label, "last_activity": activity}
            if threader.is_user_shaped(thread_id):
                values["user_shaped"] = True  # only ever set: a cold copy may not know it
            connection.execute(update(threads).where(threads.c.id == thread_id).values(**values))


def _mark_user_shaped(connection: Connection, thread_ids: Sequence[int]) -> None:
    connection.execute(
        update(threads).where(threads.c.id.in_(list(thread_ids))).values(user_shaped=True)
    )


def _drop_if_empty(connection: Connection, thread_id: int | None) -> None:
    if thread_id is None:
        return
    left = connection.execute(
        select(entries.c.id).where(entries.c.thread_id == thread_id).limit(1)
    ).first()
    if left is None:
        connection.execute(delete(threads).where(threads.c.id == thread_id))

