"""What the grouped ("by story") entry list shows for a selection, read on a worker thread.

The selection's newest entries decide which stories appear: their threads become thread rows
(label, size, unread, sources, last activity, counted within the selection), and entries the
threader has not placed (yet) appear as single rows between them, so nothing is hidden.
Reading only the newest `window` entries keeps this cheap on a million-entry archive.

The core's `Archive.threads()` has no selection filter, so the counts are read here with
read-only SQL over the archive's tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import and_, case, func, select

from reader.core import Archive
from reader.store.schema import entries, sources, threads
from reader.types import Entry
from ui.models.entries import load_rows
from ui.models.rows import EntryRow
from ui.models.thread_moves import ANCHORS

STORY_WINDOW = 3000  # newest entries of the selection that decide which stories show
MAX_LOOSE = 500  # unthreaded entries shown as single rows


@dataclass(frozen=True)
class StoryQuery:
    """The selection a grouped list shows; None source_ids means every source."""

    source_ids: tuple[int, ...] | None = None
    unread: bool = False
    starred: bool = False


@dataclass(frozen=True)
class ThreadSummary:
    """A thread row as the selection sees it."""

    id: int
    label: str
    size: int
    unread: int
    last_activity: datetime | None
    sources: tuple[str, ...] = ()
    # A few of its newest entries: how the GUI finds the story again if the core merges it
    # into another (entry ids never change; thread ids can).
    entry_ids: tuple[int, ...] = ()

    def with_unread(self, unread: int) -> ThreadSummary:
        return replace(self, unread=max(0, unread))


@dataclass(frozen=True)
class Story:
    """One top-level row: a thread, or an entry no thread holds."""

    sort_time: int
    thread: ThreadSummary | None = None
    entry: EntryRow | None = None


def _filters(query: StoryQuery) -> list[object]:
    found: list[object] = []
    if query.source_ids is not None:
        found.append(entries.c.source_id.in_(list(query.source_ids)))
    if query.unread:
        found.append(entries.c.read == False)  # noqa: E712
    if query.starred:
        found.append(entries.c.starred == True)  # noqa: E712
    return found


def load_stories(archive: Archive, query: StoryQuery, window: int = STORY_WINDOW) -> list[Story]:
    """The stories of a selection, newest activity first."""
    conditions = _filters(query)
    with archive.reading() as connection:
        # Names only: `Archive.sources()` also counts every source's entries (seconds here).
        names = {
            int(row.id): str(row.name)
            for row in connection.execute(
                select(
                    sources.c.id, func.coalesce(sources.c.user_title, sources.c.title).label("name")
                )
            )
        }
        recent = connection.execute(
            select(entries.c.id, entries.c.thread_id)
            .where(*conditions)
            .order_by(entries.c.sort_time.desc(), entries.c.id.desc())
            .limit(window)
        ).all()
        thread_ids = list(dict.fromkeys(int(r.thread_id) for r in recent if r.thread_id))
        loose = [int(r.id) for r in recent if r.thread_id is None][:MAX_LOOSE]
        anchors: dict[int, list[int]] = {}
        for r in recent:
            if r.thread_id:
                found = anchors.setdefault(int(r.thread_id), [])
                if len(found) < ANCHORS:
                    found.append(int(r.id))
        summaries: list[ThreadSummary] = []
        last_times: dict[int, int] = {}
        for start in range(0, len(thread_ids), 500):
            chunk = thread_ids[start : start + 500]
            rows = connection.execute(
                select(
                    threads.c.id,
                    threads.c.label,
                    func.count(entries.c.id).label("size"),
                    func.sum(case((entries.c.read == False, 1), else_=0)).label("unread"),  # noqa: E712
                    func.max(entries.c.sort_time).label("last"),
                    func.group_concat(entries.c.source_id.distinct()).label("sources"),
                )
                .join(entries, and_(entries.c.thread_id == threads.c.id, *conditions))
                .where(threads.c.id.in_(chunk))
                .group_by(threads.c.id)
            ).all()
            for row in rows:
                source_ids = [int(i) for i in str(row.sources or "").split(",") if i]
                last_times[int(row.id)] = int(row.last or 0)
                summaries.append(
                    ThreadSummary(
                        id=int(row.id),
                        label=str(row.label or ""),
                        size=int(row.size),
                        unread=int(row.unread or 0),
                        last_activity=datetime.fromtimestamp(int(row.last or 0), UTC),
                        sources=tuple(sorted({names.get(i, "?") for i in source_ids})),
                        entry_ids=tuple(anchors.get(int(row.id), ())),
                    )
                )
    stories = [Story(last_times[s.id], thread=s) for s in summaries]
    loose_rows = load_rows(archive, _by_ids(archive, loose))
    stories.extend(Story(row.sort_time, entry=row) for row in loose_rows)
    stories.sort(key=lambda story: (story.sort_time, _story_id(story)), reverse=True)
    return stories


def _by_ids(archive: Archive, ids: Sequence[int]) -> list[Entry]:
    return list(archive.entries_by_ids(ids)) if ids else []


def _story_id(story: Story) -> int:
    if story.thread is not None:
        return story.thread.id
    assert story.entry is not None
    return story.entry.id
