"""What the grouped ("by story") entry list shows for a selection, read on a worker thread.

The selection's newest entries decide which stories appear: their threads become thread rows
(label, size, unread, sources, last activity, counted within the selection), and entries the
threader has not placed (yet) appear as single rows between them, so nothing is hidden.
Reading only the newest `window` entries keeps this cheap on a million-entry archive; the
counting is the core's (`Archive.threads_in_selection`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reader.core import Archive
from reader.types import Entry, SelectionThread
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


# A thread row as the selection sees it: the core's answer, shown as it is.
ThreadSummary = SelectionThread


@dataclass(frozen=True)
class Story:
    """One top-level row: a thread, or an entry no thread holds."""

    sort_time: int
    thread: ThreadSummary | None = None
    entry: EntryRow | None = None


def load_stories(archive: Archive, query: StoryQuery, window: int = STORY_WINDOW) -> list[Story]:
    """The stories of a selection, newest activity first."""
    found = archive.threads_in_selection(
        source_ids=query.source_ids,
        unread=query.unread,
        starred=query.starred,
        window=window,
        entry_ids_per_thread=ANCHORS,
        max_unthreaded=MAX_LOOSE,
    )
    stories = [
        Story(int(thread.last_activity.timestamp()), thread=thread)
        for thread in found.threads
    ]
    loose_rows = load_rows(archive, _by_ids(archive, found.unthreaded))
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
