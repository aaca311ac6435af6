"""The core's one facade: `open_archive(path)` returns an `Archive` that the CLI and GUI use.

An Archive is safe to share between threads: reads use pooled connections, writes are
serialised by one lock (SQLite allows one writer), and every method returns frozen values.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Connection, and_, delete, func, or_, select, update
from sqlalchemy.engine import Engine

from reader.errors import InvalidInput, NotFound
from reader.fetch import Fetcher, check_url
from reader.paths import DataPaths, resolve_data_dir
from reader.refresh import (
    NewUpdatesCallback,
    ProgressCallback,
    RefreshRun,
    due_source_ids,
    worker_pool,
)
from reader.store import database
from reader.store.blobs import BlobStore
from reader.store.convert import (
    entry_from_row,
    from_epoch,
    now_epoch,
    source_from_row,
)
from reader.store.folders import ensure_folder, folder_paths
from reader.store.schema import (
    assets,
    entries,
    entry_images,
    folders,
    revisions,
    saved_searches,
    sources,
    threads,
)
from reader.store.threads import ArchiveThreads, resolve_thread_id
from reader.types import (
    Entry,
    EntryId,
    Image,
    RefreshResult,
    Revision,
    SearchResults,
    SelectionThread,
    SelectionThreads,
    Source,
    SourceId,
    SourceKind,
    SourceResult,
    Thread,
    ThreadId,
)

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from reader.check import CheckReport
    from reader.export import ExportReport
    from reader.highlights import AnchoredHighlight, Highlight
    from reader.imagecache import CacheReport, ImageCacher
    from reader.importer import ImportReport
    from reader.subscribe import Discovery

# (done, total, what is being done) for long jobs such as export and image caching.
StepProgress = Callable[[int, int, str], None]
EntryOrder = Literal["newest", "oldest"]
_CHUNK = 500  # ids per IN (...) list: well below SQLite's limit on bound parameters


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


@dataclass(frozen=True)
class Folder:
    id: int
    name: str
    parent_id: int | None
    path: str


@dataclass(frozen=True)
class SavedSearch:
    id: int
    name: str
    query: str


@dataclass(frozen=True)
class EntryCursor:
    """Where a page of entries ended, for keyset pagination: (sort_time, id) of the last row."""

    sort_time: int
    entry_id: int


class Archive:
    """One archive folder: the SQLite database plus the image store."""

    def __init__(self, paths: DataPaths, engine: Engine, images: BlobStore) -> None:
        self.paths = paths
        self.engine = engine
        # Cached image bytes by SHA-256; the `assets` table says what each one is.
        self.image_store = images
        self._write_lock = threading.RLock()
        self._closed = False
        self._fetcher: Fetcher | None = None
        self._fetcher_lock = threading.Lock()
        self._topic_threads = ArchiveThreads(self)

    @property
    def fetcher(self) -> Fetcher:
        """The HTTP client shared by every refresh (created on first use)."""
        with self._fetcher_lock:
            if self._fetcher is None:
                self._fetcher = Fetcher()
            return self._fetcher

    def use_fetcher(self, fetcher: Fetcher) -> None:
        """Use another HTTP client (other limits, a test transport)."""
        with self._fetcher_lock:
            if self._fetcher is not None and self._fetcher is not fetcher:
                self._fetcher.close()
            self._fetcher = fetcher

    # -- lifecycle -------------------------------------------------------------------
    def close(self) -> None:
        if not self._closed:
            self._closed = True
            if self._fetcher is not None:
                self._fetcher.close()
            self.engine.dispose()
            self.image_store.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            yield connection

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One short write transaction; only one runs at a time."""
        with self._write_lock, self.engine.begin() as connection:
            yield connection

    @contextmanager
    def exclusive(self) -> Iterator[Connection]:
        """An autocommit connection while no other write can run (VACUUM, checkpoints)."""
        with self._write_lock, self.engine.connect() as connection:
            yield connection.execution_options(isolation_level="AUTOCOMMIT")

    # -- folders ---------------------------------------------------------------------
    def folders(self) -> list[Folder]:
        with self.reading() as connection:
            paths = folder_paths(connection)
            rows = connection.execute(
                select(folders).order_by(folders.c.position, folders.c.name)
            ).all()
        return [Folder(row.id, row.name, row.parent_id, paths[row.id]) for row in rows]

    def create_folder(self, path: str) -> int | None:
        with self.writing() as connection:
            return ensure_folder(connection, path)

    def rename_folder(self, folder_id: int, name: str) -> None:
        if not name.strip() or "/" in name:
            raise InvalidInput("a folder name must not be empty or contain '/'")
        with self.writing() as connection:
            done = connection.execute(
                update(folders).where(folders.c.id == folder_id).values(name=name.strip())
            ).rowcount
        if not done:
            raise NotFound(f"no folder with id {folder_id}")

    def remove_folder(self, folder_id: int) -> None:
        """Remove a folder; its sources move to the top level (they are not unsubscribed)."""
        with self.writing() as connection:
            connection.execute(delete(folders).where(folders.c.id == folder_id))

    # -- sources ---------------------------------------------------------------------
    def _source_counts(self, connection: Connection) -> dict[int, tuple[int, int]]:
        """(unread, total) per source. Two narrow queries, each answered from an index
        (a single pass with a filter would read every row, text and all: seconds on a
        million-entry archive)."""
        totals = connection.execute(
            select(entries.c.source_id, func.count()).group_by(entries.c.source_id)
        ).all()
        unread: dict[int, int] = dict(
            connection.execute(
                select(entries.c.source_id, func.count())
                .where(entries.c.read == False)  # noqa: E712 - SQL expression
                .group_by(entries.c.source_id)
            ).all()
        )
        return {
            source_id: (int(unread.get(source_id, 0)), int(total)) for source_id, total in totals
        }

    def sources(self) -> list[Source]:
        with self.reading() as connection:
            paths = folder_paths(connection)
            counts = self._source_counts(connection)
            rows = connection.execute(
                select(sources)
                .where(sources.c.removed_at.is_(None))
                .order_by(sources.c.position, sources.c.id)
            ).all()
        return [
            source_from_row(
                row,
                paths.get(row.folder_id) if row.folder_id is not None else None,
                *counts.get(row.id, (0, 0)),
            )
            for row in rows
        ]

    def source(self, source_id: int) -> Source:
        with self.reading() as connection:
            row = connection.execute(
                select(sources).where(sources.c.id == source_id, sources.c.removed_at.is_(None))
            ).first()
            if row is None:
                raise NotFound(f"no source with id {source_id}")
            paths = folder_paths(connection)
            unread, total = connection.execute(
                select(func.count().filter(entries.c.read == False), func.count()).where(  # noqa: E712
                    entries.c.source_id == source_id
                )
            ).one()
        folder = paths.get(row.folder_id) if row.folder_id is not None else None
        return source_from_row(row, folder, int(unread or 0), int(total))

    def source_row(self, source_id: int) -> Any:
        """The full stored row of a source (fetch state included), for the refresh pipeline."""
        with self.reading() as connection:
            row = connection.execute(select(sources).where(sources.c.id == source_id)).first()
        if row is None:
            raise NotFound(f"no source with id {source_id}")
        return row

    def find_source_by_url(self, url: str) -> Source | None:
        with self.reading() as connection:
            found = connection.execute(
                select(sources.c.id).where(sources.c.url == url, sources.c.removed_at.is_(None))
            ).scalar()
        return None if found is None else self.source(found)

    def subscribe(
        self,
        url: str,
        kind: SourceKind,
        *,
        title: str = "",
        folder: str | None = None,
        site_url: str | None = None,
    ) -> Source:
        """Store a subscription without fetching it (OPML import, or after `add` fetched it)."""
        existing = self.find_source_by_url(url)
        if existing is not None:
            return existing
        with self.writing() as connection:
            folder_id = ensure_folder(connection, folder) if folder else None
            new_id = connection.execute(
                sources.insert().values(
                    kind=kind,
                    url=url,
                    title=title,
                    site_url=site_url,
                    folder_id=folder_id,
                    added_at=now_epoch(),
                    position=0,
                    gone=False,
                    is_live=False,
                    standfirst="",
                    summary_html="",
                    unchanged_polls=0,
                    notify=True,
                    cache_images=True,
                    full_text=False,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        return self.source(int(new_id))

    def remove_source(self, source_id: int, *, keep_entries: bool = False) -> None:
        """Unsubscribe. With keep_entries the entries stay readable and searchable."""
        self.source(source_id)  # raises NotFound
        with self.writing() as connection:
            if keep_entries:
                connection.execute(
                    update(sources)
                    .where(sources.c.id == source_id)
                    .values(removed_at=now_epoch(), folder_id=None)
                )
                return
            # Entries go first: the search index's delete trigger reads the source's name.
            connection.execute(delete(entries).where(entries.c.source_id == source_id))
            connection.execute(delete(sources).where(sources.c.id == source_id))

    def rename_source(self, source_id: int, title: str) -> None:
        self.source(source_id)
        with self.writing() as connection:
            connection.execute(
                update(sources)
                .where(sources.c.id == source_id)
                .values(user_title=title.strip() or None)
            )

    def move_source(self, source_id: int, folder: str | None) -> None:
        self.source(source_id)
        with self.writing() as connection:
            folder_id = ensure_folder(connection, folder) if folder else None
            connection.execute(
                update(sources).where(sources.c.id == source_id).values(folder_id=folder_id)
            )

    def set_source_options(self, source_id: int, **options: bool | str | None) -> None:
        """Per-source preferences: notify, cache_images, full_text, retention (JSON text)."""
        allowed = {"notify", "cache_images", "full_text", "retention"}
        unknown = set(options) - allowed
        if unknown:
            raise InvalidInput(f"unknown source options: {', '.join(sorted(unknown))}")
        self.source(source_id)
        with self.writing() as connection:
            connection.execute(update(sources).where(sources.c.id == source_id).values(**options))

    # -- entries ---------------------------------------------------------------------
    def _entry_query(self) -> Any:
        return select(
            entries, func.coalesce(sources.c.user_title, sources.c.title).label("source_title")
        ).join(sources, sources.c.id == entries.c.source_id)

    def entries(
        self,
        *,
        source_id: int | None = None,
        source_ids: Sequence[int] | None = None,
        thread_id: int | None = None,
        unread: bool = False,
        starred: bool = False,
        limit: int | None = None,
        after: EntryCursor | None = None,
        order: EntryOrder = "newest",
    ) -> list[Entry]:
        """Entries newest first (or oldest first), filtered in SQL, paged by keyset cursor."""
        query = self._entry_query().where(
            *self._entry_filters(source_id, source_ids, thread_id, unread, starred)
        )
        if order == "newest":
            if after is not None:
                query = query.where(
                    or_(
                        entries.c.sort_time < after.sort_time,
                        and_(entries.c.sort_time == after.sort_time, entries.c.id < after.entry_id),
                    )
                )
            query = query.order_by(entries.c.sort_time.desc(), entries.c.id.desc())
        else:
            if after is not None:
                query = query.where(
                    or_(
                        entries.c.sort_time > after.sort_time,
                        and_(entries.c.sort_time == after.sort_time, entries.c.id > after.entry_id),
                    )
                )
            query = query.order_by(entries.c.sort_time.asc(), entries.c.id.asc())
        if limit is not None:
            query = query.limit(limit)
        with self.reading() as connection:
            return [entry_from_row(row) for row in connection.execute(query)]

    @staticmethod
    def _entry_filters(
        source_id: int | None,
        source_ids: Sequence[int] | None,
        thread_id: int | None,
        unread: bool,
        starred: bool,
    ) -> list[Any]:
        filters: list[Any] = []
        if source_id is not None:
            filters.append(entries.c.source_id == source_id)
        if source_ids is not None:
            filters.append(entries.c.source_id.in_(list(source_ids)))
        if thread_id is not None:
            filters.append(entries.c.thread_id == thread_id)
        if unread:
            filters.append(entries.c.read == False)  # noqa: E712
        if starred:
            filters.append(entries.c.starred == True)  # noqa: E712
        return filters

    def count_entries(
        self,
        *,
        source_id: int | None = None,
        source_ids: Sequence[int] | None = None,
        thread_id: int | None = None,
        unread: bool = False,
        starred: bool = False,
    ) -> int:
        query = (
            select(func.count())
            .select_from(entries)
            .where(*self._entry_filters(source_id, source_ids, thread_id, unread, starred))
        )
        with self.reading() as connection:
            return int(connection.execute(query).scalar() or 0)

    def entry(self, entry_id: int) -> Entry:
        with self.reading() as connection:
            row = connection.execute(self._entry_query().where(entries.c.id == entry_id)).first()
        if row is None:
            raise NotFound(f"no entry with id {entry_id}")
        return entry_from_row(row)

    def entries_by_ids(self, entry_ids: Iterable[int]) -> list[Entry]:
        wanted = list(dict.fromkeys(entry_ids))
        found: dict[int, Entry] = {}
        with self.reading() as connection:
            for chunk in _chunks(wanted):
                for row in connection.execute(self._entry_query().where(entries.c.id.in_(chunk))):
                    entry = entry_from_row(row)
                    found[entry.id] = entry
        return [found[i] for i in wanted if i in found]

    def revision_history(self, entry_id: int) -> list[Revision]:
        """Every stored version, oldest first; the last one is the current version."""
        current = self.entry(entry_id)
        with self.reading() as connection:
            rows = connection.execute(
                select(revisions)
                .where(revisions.c.entry_id == entry_id)
                .order_by(revisions.c.seen_at, revisions.c.id)
            ).all()
            content_seen = connection.execute(
                select(entries.c.content_seen).where(entries.c.id == entry_id)
            ).scalar()
        history = [
            Revision(seen_at=from_epoch(r.seen_at), title=r.title, text=r.text, html=r.html)  # type: ignore[arg-type]
            for r in rows
        ]
        history.append(
            Revision(
                seen_at=from_epoch(content_seen),  # type: ignore[arg-type]
                title=current.title,
                text=current.text,
                html=current.html,
            )
        )
        return history

    def images(self, entry_id: int) -> list[Image]:
        with self.reading() as connection:
            rows = connection.execute(
                select(entry_images.c.url, entry_images.c.sha256, entry_images.c.status).where(
                    entry_images.c.entry_id == entry_id
                )
            ).all()
            order = connection.execute(
                select(entries.c.images).where(entries.c.id == entry_id)
            ).scalar()
        position = {url: i for i, url in enumerate(json.loads(order or "[]"))}
        rows = sorted(rows, key=lambda r: position.get(r.url, len(position)))
        return [
            Image(
                url=row.url,
                cached=row.status == "cached" and row.sha256 is not None,
                sha256=row.sha256,
            )
            for row in rows
        ]

    def image_bytes(self, sha256: str) -> bytes | None:
        """A cached image's bytes from the image store, or None when it is not there."""
        return self.image_store.get(sha256)

    def mark(
        self,
        entry_ids: Sequence[int],
        *,
        read: bool | None = None,
        starred: bool | None = None,
    ) -> None:
        values: dict[str, bool] = {}
        if read is not None:
            values["read"] = read
        if starred is not None:
            values["starred"] = starred
        if not values or not entry_ids:
            return
        with self.writing() as connection:
            known = set(
                connection.execute(
                    select(entries.c.id).where(entries.c.id.in_(list(entry_ids)))
                ).scalars()
            )
            missing = [str(i) for i in entry_ids if i not in known]
            if missing:
                raise NotFound(f"no entry with id {', '.join(missing)}")
            connection.execute(
                update(entries).where(entries.c.id.in_(list(entry_ids))).values(**values)
            )

    def mark_all_read(self, *, source_id: int | None = None, thread_id: int | None = None) -> int:
        query = update(entries).where(entries.c.read == False)  # noqa: E712
        if source_id is not None:
            query = query.where(entries.c.source_id == source_id)
        if thread_id is not None:
            query = query.where(entries.c.thread_id == thread_id)
        with self.writing() as connection:
            return int(connection.execute(query.values(read=True)).rowcount)

    # -- threads ---------------------------------------------------------------------
    def threads(self, *, limit: int | None = None) -> list[Thread]:
        """Threads by latest activity, with their entries newest first."""
        query = (
            select(
                threads.c.id,
                threads.c.label,
                threads.c.last_activity,
                func.count(entries.c.id).label("size"),
                func.count().filter(entries.c.read == False).label("unread"),  # noqa: E712
            )
            .join(entries, entries.c.thread_id == threads.c.id)
            .group_by(threads.c.id)
            .order_by(threads.c.last_activity.desc(), threads.c.id.desc())
        )
        if limit is not None:
            query = query.limit(limit)
        with self.reading() as connection:
            rows = connection.execute(query).all()
            members: dict[int, list[EntryId]] = {row.id: [] for row in rows}
            ids = list(members)
            for start in range(0, len(ids), 500):
                for entry_id, thread_id in connection.execute(
                    select(entries.c.id, entries.c.thread_id)
                    .where(entries.c.thread_id.in_(ids[start : start + 500]))
                    .order_by(entries.c.sort_time.desc(), entries.c.id.desc())
                ):
                    members[thread_id].append(EntryId(entry_id))
        return [
            Thread(
                id=ThreadId(row.id),
                label=row.label,
                size=int(row.size),
                unread=int(row.unread or 0),
                last_activity=from_epoch(row.last_activity),
                entry_ids=tuple(members[row.id]),
            )
            for row in rows
        ]

    def threads_in_selection(
        self,
        *,
        source_ids: Sequence[int] | None = None,
        unread: bool = False,
        starred: bool = False,
        window: int = 3000,
        entry_ids_per_thread: int = 5,
        max_unthreaded: int = 500,
    ) -> SelectionThreads:
        """The threads of a selection's newest `window` entries, newest activity first, each
        counted within the selection (size, unread, sources, last activity) over all of its
        entries there, plus the newest `max_unthreaded` of those entries no thread holds (yet).

        Only the window decides which threads appear: that keeps a grouped list of a
        million-entry archive cheap, and older stories stay a flat list away. Each thread
        carries its `entry_ids_per_thread` newest entries of the window (entry ids never
        change, thread ids can: a caller can find the story again after a merge).
        """
        conditions = self._entry_filters(None, source_ids, None, unread, starred)
        with self.reading() as connection:
            recent = connection.execute(
                select(entries.c.id, entries.c.thread_id)
                .where(*conditions)
                .order_by(entries.c.sort_time.desc(), entries.c.id.desc())
                .limit(window)
            ).all()
            unthreaded = [EntryId(r.id) for r in recent if r.thread_id is None][:max_unthreaded]
            newest: dict[int, list[EntryId]] = {}  # thread id -> newest entries, in window order
            for r in recent:
                if r.thread_id is not None:
                    found = newest.setdefault(int(r.thread_id), [])
                    if len(found) < entry_ids_per_thread:
                        found.append(EntryId(r.id))
            rows: list[Any] = []
            for chunk in _chunks(list(newest)):
                rows.extend(
                    connection.execute(
                        select(
                            threads.c.id,
                            threads.c.label,
                            func.count(entries.c.id).label("size"),
                            func.count().filter(entries.c.read == False).label("unread"),  # noqa: E712
                            func.max(entries.c.sort_time).label("last"),
                            func.group_concat(entries.c.source_id.distinct()).label("sources"),
                        )
                        .join(entries, and_(entries.c.thread_id == threads.c.id, *conditions))
                        .where(threads.c.id.in_(chunk))
                        .group_by(threads.c.id)
                    ).all()
                )
            # Names only (removed sources too): `sources()` also counts every source's entries.
            names = self._source_names(connection) if rows else {}
        found_threads = [
            SelectionThread(
                id=ThreadId(row.id),
                label=str(row.label or ""),
                size=int(row.size),
                unread=int(row.unread or 0),
                last_activity=datetime.fromtimestamp(int(row.last or 0), UTC),
                sources=tuple(
                    sorted({names.get(int(i), "?") for i in str(row.sources or "").split(",") if i})
                ),
                entry_ids=tuple(newest.get(int(row.id), ())),
            )
            for row in rows
        ]
        found_threads.sort(key=lambda t: (t.last_activity, t.id), reverse=True)
        return SelectionThreads(threads=tuple(found_threads), unthreaded=tuple(unthreaded))

    @staticmethod
    def _source_names(connection: Connection) -> dict[int, str]:
        """Every source's shown name (the user's title, else the feed's), removed ones too."""
        return {
            int(source_id): str(name)
            for source_id, name in connection.execute(
                select(sources.c.id, func.coalesce(sources.c.user_title, sources.c.title))
            )
        }

    def thread_ids_of(self, entry_ids: Iterable[int]) -> dict[EntryId, ThreadId | None]:
        """The thread each entry is in now (None: in none); unknown entries are left out."""
        wanted = list(dict.fromkeys(entry_ids))
        found: dict[EntryId, ThreadId | None] = {}
        with self.reading() as connection:
            for chunk in _chunks(wanted):
                for entry_id, thread_id in connection.execute(
                    select(entries.c.id, entries.c.thread_id).where(entries.c.id.in_(chunk))
                ):
                    found[EntryId(entry_id)] = None if thread_id is None else ThreadId(thread_id)
        return found

    def threads_with_entries(self, thread_ids: Iterable[int]) -> set[ThreadId]:
        """Those of `thread_ids` that still hold entries (a thread row alone is an empty story:
        merged away, or emptied by moves)."""
        wanted = list(dict.fromkeys(thread_ids))
        found: set[ThreadId] = set()
        with self.reading() as connection:
            for chunk in _chunks(wanted):
                found.update(
                    ThreadId(i)
                    for i in connection.execute(
                        select(entries.c.thread_id).where(entries.c.thread_id.in_(chunk)).distinct()
                    ).scalars()
                )
        return found

    def thread_labels(self, thread_ids: Iterable[int]) -> dict[ThreadId, str]:
        """The label of each existing thread of `thread_ids`; unknown ids are left out."""
        wanted = list(dict.fromkeys(thread_ids))
        found: dict[ThreadId, str] = {}
        with self.reading() as connection:
            for chunk in _chunks(wanted):
                for thread_id, label in connection.execute(
                    select(threads.c.id, threads.c.label).where(threads.c.id.in_(chunk))
                ):
                    found[ThreadId(thread_id)] = str(label or "")
        return found

    # -- subscribing and refreshing --------------------------------------------------
    def discover(self, url: str) -> Discovery:
        """Fetch `url` and say what it offers: a feed, a live blog, or feeds it links to."""
        from reader.subscribe import discover

        return discover(url, self.fetcher)

    def add(self, url: str, folder: str | None = None, *, feed_url: str | None = None) -> Source:
        """Subscribe to `url` (or to `feed_url`, a feed chosen from its discovery) and store
        what it has now. Raises InvalidInput/UnsupportedURL, FetchError or NotAFeed."""
        if feed_url is not None:
            source = self.subscribe(check_url(feed_url), "feed", folder=folder)
            self.refresh([source.id])
            return self.source(source.id)
        found = self.discover(url)
        existing = self.find_source_by_url(found.url)
        if existing is not None:
            return existing
        source = self.subscribe(found.url, found.kind, title=found.title, folder=folder)
        if found.page is not None:
            stored = RefreshRun(self, self.fetcher).store_first_page(
                source.id, found.fetched, found.page
            )
            self.process_new_entries(stored.new_entry_ids)
        else:
            self.refresh([source.id])
        return self.source(source.id)

    def refresh(
        self,
        source_ids: Sequence[int] | None = None,
        *,
        progress: ProgressCallback | None = None,
        on_new_updates: NewUpdatesCallback | None = None,
        post_process: bool = True,
    ) -> RefreshResult:
        """Fetch the given sources (all when None) now, whatever the schedule says.

        Blocking: the GUI runs it in a worker. Callbacks are called from worker threads.
        With `post_process` (the default) new entries are then threaded and their images
        cached; without it the caller runs `process_new_entries` itself.
        """
        if source_ids is None:
            ids: list[int] = [source.id for source in self.sources()]
        else:
            ids = list(dict.fromkeys(source_ids))
            for source_id in ids:
                self.source(source_id)  # NotFound for unknown ids, before any fetching
        from reader.imagecache import ImageCacher

        run = RefreshRun(self, self.fetcher, progress=progress, on_new_updates=on_new_updates)
        with worker_pool(len(ids)) as pool:
            if not post_process:
                return run.run(ids, pool)
            images = ImageCacher(self, fetcher=self.fetcher, pool=pool)
            full_text = self._full_text_source_ids()

            def stored(source: SourceResult) -> None:
                # Images start downloading while other sources still load; a source whose
                # full articles are fetched first waits for them (they bring more images).
                entry_ids = [*source.new_entry_ids, *source.changed_entry_ids]
                if entry_ids and source.source_id not in full_text:
                    try:
                        images.add_soon(entry_ids)
                    except Exception:  # the refresh itself must not fail for an image
                        log.exception("could not start caching images of %s", source.source_id)

            result = run.run(ids, pool, stored)
            self.process_new_entries(
                [i for r in result.sources for i in r.new_entry_ids],
                [i for r in result.sources for i in r.changed_entry_ids],
                images=images,
            )
        return result

    def _full_text_source_ids(self) -> set[int]:
        with self.reading() as connection:
            return set(
                connection.execute(
                    select(sources.c.id).where(sources.c.full_text == True)  # noqa: E712
                ).scalars()
            )

    def process_new_entries(
        self,
        new_ids: Sequence[int],
        changed_ids: Sequence[int] = (),
        *,
        images: ImageCacher | None = None,
    ) -> None:
        """What follows storing: full text where a source asks for it, topic threads, and
        the image cache (`images`: a cacher already at work on some of them). Failures
        here never undo or fail the refresh itself."""
        from reader.fulltext import fetch_full_text
        from reader.imagecache import ImageCacher

        if images is None and not new_ids and not changed_ids:
            return  # the usual poll: nothing new, no cacher to start
        cacher = images or ImageCacher(self, fetcher=self.fetcher)
        cacher.flush()  # downloads run beside full text and threading
        if new_ids:
            fetch_full_text(self, list(new_ids), fetcher=self.fetcher)
            self.thread_entries(new_ids)
        if new_ids or changed_ids:
            cacher.add(list(dict.fromkeys([*new_ids, *changed_ids])))
        cacher.finish()

    def thread_entries(self, entry_ids: Sequence[int]) -> list[ThreadId]:
        """Place entries without a thread in topic threads; returns the threads touched."""
        return [ThreadId(t) for t in self._topic_threads.place(entry_ids)]

    def forget_thread_state(self) -> None:
        """Another process placed entries in threads: rebuild the threader when next needed."""
        self._topic_threads.forget()

    def move_to_thread(self, entry_id: int, thread_id: int) -> None:
        """The user's choice: `entry_id` belongs to `thread_id`, and later entries respect it."""
        self.entry(entry_id)
        self._require_thread(thread_id)
        self._topic_threads.move(entry_id, thread_id)

    def merge_threads(self, keep: int, gone: int) -> ThreadId:
        """Fold thread `gone` into `keep`; returns the surviving thread's id."""
        self._require_thread(keep)
        self._require_thread(gone)
        return ThreadId(self._topic_threads.merge(keep, gone))

    def split_thread(self, thread_id: int, entry_ids: Sequence[int]) -> ThreadId:
        """Move `entry_ids` out of `thread_id` into a new thread; returns its id."""
        self._require_thread(thread_id)
        return ThreadId(self._topic_threads.split(thread_id, entry_ids))

    def rethread(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Thread the whole archive again (a background job); the user's placements stay."""
        return self._topic_threads.rethread(progress)

    def resolve_thread(self, thread_id: int) -> ThreadId | None:
        """Where thread `thread_id` is now: itself if it exists, else the thread it was merged
        into (by the threader or the user, following later merges), else None."""
        with self.reading() as connection:
            found = resolve_thread_id(connection, thread_id)
        return None if found is None else ThreadId(found)

    def _require_thread(self, thread_id: int) -> None:
        found = self.resolve_thread(thread_id)
        if found is None:
            raise NotFound(f"no thread with id {thread_id}")
        if found != thread_id:
            # Not followed silently: the caller meant a story that is now part of another.
            raise NotFound(f"thread {thread_id} was merged into {found}")

    def due_sources(self, now: int | None = None) -> list[SourceId]:
        """Sources the polling schedule says to refresh now."""
        return due_source_ids(self, now if now is not None else now_epoch())

    # -- search and highlights -------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        limit: int = 50,
        offset: int = 0,
        order: Literal["relevance", "date"] = "relevance",
    ) -> SearchResults:
        """Entries matching `query` (see docs/search.md); InvalidQuery says what is wrong."""
        from reader.search import search_entries

        with self.reading() as connection:
            return search_entries(connection, query, limit=limit, offset=offset, order=order)

    def count_matches(self, query: str, *, unread_only: bool = False) -> int:
        from reader.search import count_matches

        with self.reading() as connection:
            return count_matches(connection, query, unread_only=unread_only)

    def matching_entry_ids(
        self, query: str, *, limit: int, after: int | None = None
    ) -> list[EntryId]:
        """Entries matching `query`, newest first, a keyset page at a time."""
        from reader.search import matching_entry_ids

        with self.reading() as connection:
            return matching_entry_ids(connection, query, limit=limit, after=after)

    @staticmethod
    def highlight_html(html: str, terms: Sequence[str]) -> tuple[str, int]:
        """Mark every match of `terms` in sanitized HTML; returns the HTML and the count."""
        from reader.search import highlight_html

        return highlight_html(html, terms)

    def add_highlight(
        self, entry_id: int, quote: str, start: int, color: str = "yellow", note: str = ""
    ) -> Highlight:
        from reader.highlights import add_highlight

        self.entry(entry_id)
        with self.writing() as connection:
            return add_highlight(connection, entry_id, quote, start, color=color, note=note)

    def highlights(self, entry_id: int | None = None) -> list[Highlight]:
        """One entry's highlights in reading order, or all of them newest first."""
        from reader.highlights import all_highlights, highlights_for_entry

        with self.reading() as connection:
            if entry_id is None:
                return all_highlights(connection)
            return highlights_for_entry(connection, entry_id)

    def anchored_highlights(self, entry_id: int) -> list[AnchoredHighlight]:
        """One entry's highlights in reading order, each with where it is in the entry's
        current text as (start, end), or None when an edit removed the passage.
        Raises NotFound for an unknown entry."""
        from reader.highlights import anchored_highlights

        with self.reading() as connection:
            return anchored_highlights(connection, entry_id)

    def update_highlight(
        self, highlight_id: int, *, note: str | None = None, color: str | None = None
    ) -> None:
        from reader.highlights import update_highlight

        with self.writing() as connection:
            update_highlight(connection, highlight_id, note=note, color=color)

    def remove_highlight(self, highlight_id: int) -> None:
        from reader.highlights import remove_highlight

        with self.writing() as connection:
            remove_highlight(connection, highlight_id)

    def highlights_markdown(self, entry_ids: Sequence[int] | None = None) -> str:
        from reader.highlights import highlights_to_markdown

        with self.reading() as connection:
            return highlights_to_markdown(connection, entry_ids=entry_ids)

    # -- the offline archive ---------------------------------------------------------
    def cache_images(
        self,
        entry_ids: Sequence[int] | None = None,
        progress: StepProgress | None = None,
    ) -> CacheReport:
        """Download pending images (of `entry_ids`, or all) into the asset store."""
        from reader.imagecache import cache_images

        return cache_images(self, entry_ids, fetcher=self.fetcher, progress=progress)

    def export(
        self,
        out: Path,
        fmt: Literal["html", "md", "json"],
        *,
        source_id: int | None = None,
        thread_id: int | None = None,
        query: str | None = None,
        progress: StepProgress | None = None,
    ) -> ExportReport:
        """Export everything, a source, a thread, or a search's results."""
        from reader.export import export_archive

        if source_id is not None:
            self.source(source_id)
        if thread_id is not None:
            self._require_thread(thread_id)
        entry_ids = None
        if query is not None:
            entry_ids = self.matching_entry_ids(query, limit=10_000_000)
        return export_archive(
            self,
            out,
            fmt,
            source_id=source_id,
            thread_id=thread_id,
            entry_ids=entry_ids,
            progress=progress,
        )

    def import_json(self, path: Path, progress: StepProgress | None = None) -> ImportReport:
        """Read a JSON export into this archive, merging with what is there."""
        from reader.importer import import_json

        return import_json(self, path, progress=progress)

    def check(self, *, repair: bool = False) -> CheckReport:
        """Verify the database, the search index and the asset store (and repair them)."""
        from reader.check import check_archive

        return check_archive(self, repair=repair)

    # -- saved searches --------------------------------------------------------------
    def saved_searches(self) -> list[SavedSearch]:
        with self.reading() as connection:
            rows = connection.execute(
                select(saved_searches).order_by(saved_searches.c.position, saved_searches.c.id)
            ).all()
        return [SavedSearch(row.id, row.name, row.query) for row in rows]

    def save_search(self, name: str, query: str) -> SavedSearch:
        with self.writing() as connection:
            new_id = connection.execute(
                saved_searches.insert().values(name=name, query=query, position=0)
            ).inserted_primary_key[0]  # type: ignore[index]
        return SavedSearch(int(new_id), name, query)

    def remove_saved_search(self, search_id: int) -> None:
        with self.writing() as connection:
            connection.execute(delete(saved_searches).where(saved_searches.c.id == search_id))


def open_archive(data_dir: str | Path | DataPaths | None = None) -> Archive:
    """Open (creating and migrating as needed) the archive in `data_dir`.

    Raises ArchiveTooNew for an archive from a newer Newsdesk and ArchiveError when the
    folder cannot be used.
    """
    from reader.errors import ArchiveError

    paths = data_dir if isinstance(data_dir, DataPaths) else resolve_data_dir(data_dir)
    try:
        paths.root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ArchiveError(f"cannot use the data folder {paths.root}: {error.strerror}") from error
    engine = database.create_archive_engine(paths.database)
    try:
        database.migrate(engine, paths.backups)
        images, damaged = BlobStore.open_or_replace(paths.images)
    except BaseException:
        engine.dispose()
        raise
    archive = Archive(paths, engine, images)
    try:
        if damaged is not None:
            _forget_cached_images(archive)
        images.adopt_folder(paths.legacy_assets)
    except BaseException:
        archive.close()
        raise
    return archive


def _forget_cached_images(archive: Archive) -> None:
    """The image store was lost: every cached image is to be downloaded again."""
    with archive.writing() as connection:
        connection.execute(
            update(entry_images)
            .where(entry_images.c.status == "cached")
            .values(status="pending", sha256=None, error=None)
        )
        connection.execute(delete(assets))
