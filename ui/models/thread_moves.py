"""Finding a story again after the core merged it away, emptied it or renumbered it.

The core folds one thread into another on its own while a refresh places new entries (and on
the user's merge); the merged-away thread's row is deleted and the core records where it went
(`Archive.resolve_thread`). A rethread renumbers every thread and forgets those records, and an
archive from before they existed has none, so the GUI, which holds thread ids (the selected row,
expanded rows, the open timeline, a "move to story" list), also holds a few of each story's
entry ids: entries keep their ids, and the thread an entry is in now is where its story went.
Runs on worker threads (read-only questions to the core).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reader.core import Archive
from reader.errors import NewsdeskError

ANCHORS = 5  # entries remembered per story: enough that moving one or two out changes nothing


@dataclass(frozen=True)
class HeldThread:
    """A story as the GUI knows it: its id, its label, and a few of its entries."""

    id: int
    label: str = ""
    entry_ids: tuple[int, ...] = ()


class StoryGone(NewsdeskError):
    """A command named a story that was merged away or emptied since the list was shown."""


def where_now(archive: Archive, held: Iterable[HeldThread]) -> dict[int, int | None]:
    """Where each held story went: the id of the story its entries are in now, or None when
    none of them is in a story any more. Stories still where they were are left out."""
    wanted = {h.id: h for h in held}
    if not wanted:
        return {}
    anchors = list(dict.fromkeys(e for h in wanted.values() for e in h.entry_ids))
    existing: set[int] = set(archive.threads_with_entries(wanted))  # a row alone is empty
    thread_of: dict[int, int] = {
        int(entry_id): int(thread_id)
        for entry_id, thread_id in archive.thread_ids_of(anchors).items()
        if thread_id is not None
    }
    # The core's own record of merges comes first: it holds even when every remembered entry
    # was moved elsewhere by the user after the merge.
    merged_into: dict[int, int] = {}
    for thread_id in wanted:
        if thread_id not in existing:
            survivor = archive.resolve_thread(thread_id)
            if survivor is not None and survivor != thread_id:
                merged_into[thread_id] = int(survivor)
    moved: dict[int, int | None] = {}
    for thread_id, story in wanted.items():
        now = [thread_of[e] for e in story.entry_ids if e in thread_of]
        if thread_id in existing and (not now or thread_id in now):
            continue  # still there (a story whose remembered entries are gone stays too)
        if thread_id in merged_into:
            moved[thread_id] = merged_into[thread_id]
        elif now:
            # Merged (or renumbered by a rethread): where most of its entries are now.
            moved[thread_id] = Counter(now).most_common(1)[0][0]
        else:
            moved[thread_id] = None
    return moved


def thread_labels(archive: Archive, thread_ids: Iterable[int]) -> dict[int, str]:
    return {int(i): label for i, label in archive.thread_labels(thread_ids).items()}


def quoted(label: str) -> str:
    return f"“{label}”" if label else "this story"


def require_stories(archive: Archive, stories: Sequence[HeldThread]) -> None:
    """Raise `StoryGone`, saying what happened, if any of these stories is no longer there."""
    moved = where_now(archive, stories)
    for story in stories:
        if story.id not in moved:
            continue
        survivor = moved[story.id]
        name = quoted(story.label)
        if survivor is None:
            raise StoryGone(
                f"The story {name} is no longer in the archive, so nothing was changed."
            )
        into = quoted(thread_labels(archive, [survivor]).get(survivor, ""))
        raise StoryGone(
            f"The story {name} was merged into {into} after this list was shown, "
            "so nothing was changed. The list is up to date now: choose again there."
        )
