"""The core's answers for the GUI's grouped list and story following: threads as a selection
sees them, where entries are now, thread labels, entries' sort times and anchored highlights."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from reader.core import Archive, open_archive
from reader.errors import NotFound
from reader.store.schema import entries
from reader.store.writer import insert_entries
from reader.types import EntryId, ParsedEntry, ThreadId
from tests.search.search_archive import put_in_thread

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FIRST_SEEN = int((T0 + timedelta(hours=10)).timestamp())  # when undated entries were stored


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    opened = open_archive(tmp_path / "archive")
    yield opened
    opened.close()


def _store(archive: Archive, source_id: int, items: list[tuple[str, float | None]]) -> list[int]:
    """Entries (key, hours after T0, or None: undated) stored at FIRST_SEEN; their ids."""
    parsed = [
        ParsedEntry(
            key=key,
            kind="article",
            title=f"Entry {key}",
            published=None if hours is None else T0 + timedelta(hours=hours),
            text=f"Text of {key}.",
        )
        for key, hours in items
    ]
    with archive.writing() as connection:
        return [int(i) for i in insert_entries(connection, source_id, parsed, FIRST_SEEN)]


@pytest.fixture
def world(archive: Archive) -> dict[str, int]:
    """Two sources; a summit story in both, a storm story in one, two unthreaded entries."""
    wire = archive.subscribe("https://example.invalid/wire.xml", "feed", title="Wire").id
    daily = archive.subscribe("https://example.invalid/daily.xml", "feed", title="Daily").id
    archive.rename_source(daily, "The Daily")  # the user's title is the shown name
    w = _store(archive, wire, [("w1", 1), ("w2", 2), ("w3", 3), ("w4", 4), ("w5", None)])
    d = _store(archive, daily, [("d1", 1.5), ("d2", 5), ("d3", 6)])
    summit = put_in_thread(archive, [w[0], w[1], d[0], d[1]], "Summit")
    storm = put_in_thread(archive, [w[2], d[2]], "Storm")
    archive.mark([w[0], d[0]], read=True)
    archive.mark([w[1]], starred=True)
    ids = {f"w{i + 1}": v for i, v in enumerate(w)} | {f"d{i + 1}": v for i, v in enumerate(d)}
    return ids | {"wire": wire, "daily": daily, "summit": summit, "storm": storm}


def _epoch(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_every_source_counts_whole_threads_newest_activity_first(
    archive: Archive, world: dict[str, int]
) -> None:
    found = archive.threads_in_selection()
    assert [t.id for t in found.threads] == [world["storm"], world["summit"]]
    storm, summit = found.threads
    assert (summit.label, summit.size, summit.unread) == ("Summit", 4, 2)
    assert summit.last_activity == _epoch(5)
    assert summit.sources == ("The Daily", "Wire")
    assert summit.entry_ids == (world["d2"], world["w2"], world["d1"], world["w1"])
    assert (storm.size, storm.unread, storm.last_activity) == (2, 2, _epoch(6))
    # Unthreaded: w4 (hour 4) and the undated w5, which sorts by when it was first seen.
    assert found.unthreaded == (world["w5"], world["w4"])


def test_a_source_selection_counts_only_its_entries(
    archive: Archive, world: dict[str, int]
) -> None:
    found = archive.threads_in_selection(source_ids=[world["wire"]])
    by_id = {t.id: t for t in found.threads}
    summit, storm = by_id[ThreadId(world["summit"])], by_id[ThreadId(world["storm"])]
    assert (summit.size, summit.unread, summit.sources) == (2, 1, ("Wire",))
    assert summit.last_activity == _epoch(2)  # the Daily's hour-5 entry is not in it
    assert (storm.size, storm.last_activity, storm.sources) == (1, _epoch(3), ("Wire",))
    assert [t.id for t in found.threads] == [world["storm"], world["summit"]]
    assert archive.threads_in_selection(source_ids=[]).threads == ()


def test_unread_and_starred_selections(archive: Archive, world: dict[str, int]) -> None:
    unread = archive.threads_in_selection(unread=True)
    summit = {t.id: t for t in unread.threads}[ThreadId(world["summit"])]
    assert (summit.size, summit.unread) == (2, 2)
    assert summit.entry_ids == (world["d2"], world["w2"])
    starred = archive.threads_in_selection(starred=True)
    assert [(t.id, t.size, t.unread) for t in starred.threads] == [(world["summit"], 1, 1)]
    assert starred.unthreaded == ()


def test_the_window_decides_which_threads_show_but_not_their_counts(
    archive: Archive, world: dict[str, int]
) -> None:
    # The two newest entries: the undated w5 (first seen at hour 10) and d3 (storm, hour 6).
    found = archive.threads_in_selection(window=2)
    assert [(t.id, t.size) for t in found.threads] == [(world["storm"], 2)]
    assert found.threads[0].entry_ids == (world["d3"],)  # only the window's entries
    assert found.unthreaded == (world["w5"],)
    few = archive.threads_in_selection(entry_ids_per_thread=1, max_unthreaded=1)
    assert all(len(t.entry_ids) == 1 for t in few.threads)
    assert few.unthreaded == (world["w5"],)


def test_a_merged_thread_shows_once_with_everything(
    archive: Archive, world: dict[str, int]
) -> None:
    survivor = archive.merge_threads(world["summit"], world["storm"])
    assert survivor == world["summit"]
    found = archive.threads_in_selection()
    assert [(t.id, t.size, t.unread) for t in found.threads] == [(survivor, 6, 4)]
    assert found.threads[0].last_activity == _epoch(6)
    assert archive.threads_with_entries([world["summit"], world["storm"], 999]) == {survivor}
    moved = archive.thread_ids_of([world["w3"], world["d3"], world["w4"], 12345])
    assert moved == {EntryId(world["w3"]): survivor, world["d3"]: survivor, world["w4"]: None}
    # The merged-away id has no label any more; the survivor's is the one the list shows
    # (the threader labels the merged story anew).
    labels = archive.thread_labels([world["storm"], survivor])
    assert labels == {survivor: found.threads[0].label} and labels[survivor]


def test_where_entries_are_and_thread_labels(archive: Archive, world: dict[str, int]) -> None:
    ids = [world["w1"], world["w3"], world["w4"], world["w1"]]
    assert archive.thread_ids_of(ids) == {
        world["w1"]: world["summit"],
        world["w3"]: world["storm"],
        world["w4"]: None,
    }
    assert archive.thread_ids_of([]) == {}
    assert archive.thread_labels([world["summit"], world["storm"], 999]) == {
        world["summit"]: "Summit",
        world["storm"]: "Storm",
    }
    # Many ids at once (beyond one IN list) still answer correctly.
    assert archive.threads_with_entries(range(1, 2000)) == {world["summit"], world["storm"]}


def test_entries_carry_their_sort_time(archive: Archive, world: dict[str, int]) -> None:
    undated = archive.entry(world["w5"])
    assert undated.published is None
    assert undated.sort_time == datetime.fromtimestamp(FIRST_SEEN, UTC)
    dated = archive.entries_by_ids([world["d2"]])[0]
    assert dated.sort_time == dated.published == _epoch(5)
    listed = archive.entries(source_id=world["wire"])
    assert [e.sort_time for e in listed] == [
        datetime.fromtimestamp(FIRST_SEEN, UTC),
        *(_epoch(h) for h in (4, 3, 2, 1)),
    ]


def test_anchored_highlights_follow_an_edit(archive: Archive, world: dict[str, int]) -> None:
    entry_id = world["w1"]
    text = "Leaders met at the summit. They agreed on a plan for the coast."
    with archive.writing() as connection:
        connection.execute(update(entries).where(entries.c.id == entry_id).values(text=text))
    made = archive.add_highlight(entry_id, "agreed on a plan", text.index("agreed"))
    edited = "Update: leaders met at the summit today. They agreed on a plan for the coast."
    with archive.writing() as connection:
        connection.execute(update(entries).where(entries.c.id == entry_id).values(text=edited))
    [(highlight, where)] = archive.anchored_highlights(entry_id)
    assert highlight.id == made.id
    assert where is not None and edited[where[0] : where[1]] == "agreed on a plan"
    with archive.writing() as connection:
        connection.execute(
            update(entries).where(entries.c.id == entry_id).values(text="All of it rewritten.")
        )
    assert archive.anchored_highlights(entry_id) == [(highlight, None)]
    assert archive.anchored_highlights(world["w2"]) == []
    with pytest.raises(NotFound):
        archive.anchored_highlights(99999)
