"""Stories merged under the GUI's feet: the core folds two threads into one (the user's merge
elsewhere, or an automatic merge while a refresh places new entries) and drops the merged-away
thread's row. After the normal reload, the grouped list, the selection, expanded rows and the
story timeline follow the surviving story, and commands on the old id say what happened."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QMessageBox

from reader.core import open_archive
from reader.store.convert import now_epoch
from reader.store.writer import insert_entries
from reader.types import ParsedEntry, RefreshResult, SourceResult
from tests.gui.conftest import make_window
from ui.main_window import MainWindow
from ui.models.rows import ENTRY_ID_ROLE, IS_THREAD_ROLE, THREAD_ID_ROLE

START = datetime(2025, 3, 14, 9, 0, tzinfo=UTC)
FLOOD = "flood waters valencia river basin rescuers evacuated villages dams overflowed rain".split()
BRIDGE = (
    "bridge collapse motorway engineers inspected cables traffic diverted girders steel".split()
)


class Stories:
    """An archive with two stories: A (floods, the larger) and B (a bridge collapse)."""

    def __init__(self, path: Path) -> None:
        self.archive = open_archive(path)
        self.source = self.archive.subscribe(
            "https://example.invalid/wire.xml", "feed", title="Wire"
        )
        self._words = random.Random(1)
        self._count = 0
        flood = self.add([(FLOOD, 0) for _ in range(4)])
        bridge = self.add([(BRIDGE, 5) for _ in range(3)])
        self.archive.thread_entries(flood + bridge)
        self.a = self._thread_of(flood[0])
        self.b = self._thread_of(bridge[0])
        assert self.a != self.b, "the two stories start apart"
        self.flood_ids, self.bridge_ids = flood, bridge

    def _thread_of(self, entry_id: int) -> int:
        thread_id = self.archive.entry(entry_id).thread_id
        assert thread_id is not None
        return int(thread_id)

    def add(self, wanted: list[tuple[list[str], int]]) -> list[int]:
        """Store entries whose words come from the given vocabularies, a minute apart."""
        items = []
        for words, offset in wanted:
            self._count += 1
            n = self._count
            title = " ".join(self._words.sample(words, 6))
            text = " ".join(self._words.sample(words, 10))
            items.append(
                ParsedEntry(
                    key=f"item-{n}",
                    kind="article",
                    title=title.capitalize(),
                    authors=(),
                    published=START + timedelta(minutes=offset + n),
                    url=f"https://example.invalid/item/{n}",
                    html=f"<p>{text}</p>",
                    text=text,
                )
            )
        with self.archive.writing() as connection:
            return [int(i) for i in insert_entries(connection, self.source.id, items, now_epoch())]

    def refresh_result(self, entry_ids: list[int]) -> RefreshResult:
        """What a finished refresh reports when it stored these entries."""
        return RefreshResult(
            (
                SourceResult(
                    self.source.id, "updated", new=len(entry_ids), new_entry_ids=tuple(entry_ids)
                ),
            )
        )


@pytest.fixture
def stories(tmp_path: Path) -> Iterator[Stories]:
    made = Stories(tmp_path / "stories")
    yield made
    made.archive.close()


@pytest.fixture
def story_window(qtbot, stories: Stories, tmp_path: Path) -> Iterator[MainWindow]:
    window = make_window(qtbot, stories.archive, tmp_path)
    assert isinstance(window, MainWindow)
    qtbot.waitUntil(lambda: window.entries_model is window.thread_model)
    qtbot.waitUntil(lambda: window.thread_model.thread_row_of(stories.b) is not None)
    yield window
    window.close()
    window.runner.wait_for_done(5000)


def _thread_index(window: MainWindow, thread_id: int) -> QModelIndex:
    row = window.thread_model.thread_row_of(thread_id)
    assert row is not None, f"no row for story {thread_id}"
    return window.thread_model.index(row, 0)


def _open_thread(qtbot, window: MainWindow, thread_id: int, *, expand: bool) -> None:
    index = _thread_index(window, thread_id)
    if expand:
        window.tree_view.expand(index)
        qtbot.waitUntil(lambda: window.thread_model.rowCount(_thread_index(window, thread_id)) > 0)
    with qtbot.waitSignal(window.thread_shown, check_params_cb=lambda t: t == thread_id):
        window.tree_view.setCurrentIndex(_thread_index(window, thread_id))


def _top_level_thread_ids(window: MainWindow) -> list[int]:
    model = window.thread_model
    return [
        int(model.index(row, 0).data(THREAD_ID_ROLE))
        for row in range(model.rowCount())
        if model.index(row, 0).data(IS_THREAD_ROLE)
    ]


MIXED = FLOOD[:6] + BRIDGE[:6]


def _place_mixed_entries(stories: Stories, limit: int) -> list[int]:
    """Store and thread, one at a time (as refreshes do), entries about both stories until
    the core merges the two; returns the entries stored."""
    stored: list[int] = []
    for _ in range(limit):
        new = stories.add([(MIXED, 20)])
        stored += new
        stories.archive.thread_entries(new)
        if (
            stories.archive.entry(stories.flood_ids[0]).thread_id
            == stories.archive.entry(stories.bridge_ids[0]).thread_id
        ):
            break
    return stored


def _rehearse_automatic_merge(path: Path) -> tuple[int, int]:
    """Threading is deterministic: on a copy built the same way, find which story the core
    merges away and after how many entries. Returns (merged-away story, entries needed)."""
    rehearsal = Stories(path)
    try:
        stored = _place_mixed_entries(rehearsal, 12)
        survivor = rehearsal.archive.entry(rehearsal.flood_ids[0]).thread_id
        if survivor != rehearsal.archive.entry(rehearsal.bridge_ids[0]).thread_id:
            pytest.fail("the core never merged the two stories (did its merge rules change?)")
        gone = rehearsal.b if survivor == rehearsal.a else rehearsal.a
        return gone, len(stored)
    finally:
        rehearsal.archive.close()


def test_open_story_follows_its_merge_after_a_refresh(
    qtbot, stories: Stories, story_window: MainWindow
) -> None:
    window, model = story_window, story_window.thread_model
    _open_thread(qtbot, window, stories.b, expand=True)
    assert window.reading_pane.shown_thread_id == stories.b

    assert stories.archive.merge_threads(stories.a, stories.b) == stories.a
    with qtbot.waitSignal(window.thread_shown, check_params_cb=lambda t: t == stories.a):
        window._on_refresher_finished(stories.refresh_result(stories.bridge_ids[:1]))

    # The list: one story holding every item, no row for the merged-away one.
    assert stories.b not in _top_level_thread_ids(window)
    survivor = _thread_index(window, stories.a)
    assert model.thread_at(survivor.row()).size == 7
    # The selection and the expanded row moved with the story.
    assert window.tree_view.currentIndex().data(THREAD_ID_ROLE) == stories.a
    assert window.tree_view.isExpanded(survivor)
    # The timeline is the survivor's, with the bridge items in it, and says what happened.
    assert window.reading_pane.shown_thread_id == stories.a
    text = window.reading_pane.browser.toPlainText()
    bridge_title = stories.archive.entry(stories.bridge_ids[0]).title
    flood_title = stories.archive.entry(stories.flood_ids[0]).title
    assert bridge_title in text and flood_title in text
    assert "merged" in text.lower()
    assert "merged" in window.status_label.text().lower()


def test_reading_an_item_of_a_story_merged_automatically(
    qtbot, stories: Stories, story_window: MainWindow, tmp_path: Path
) -> None:
    window = story_window
    gone, needed = _rehearse_automatic_merge(tmp_path / "rehearsal")
    _open_thread(qtbot, window, gone, expand=True)
    entry_id = (stories.bridge_ids if gone == stories.b else stories.flood_ids)[1]
    with qtbot.waitSignal(window.article_shown, check_params_cb=lambda e: e == entry_id):
        window.open_entry(entry_id)
    shown = []
    window.article_shown.connect(shown.append)

    stored = _place_mixed_entries(stories, needed)
    survivor = stories.archive.entry(entry_id).thread_id
    assert survivor is not None and survivor != gone, "merged as rehearsed"
    window._on_refresher_finished(stories.refresh_result(stored))

    qtbot.waitUntil(lambda: gone not in _top_level_thread_ids(window))
    qtbot.waitUntil(lambda: window.tree_view.currentIndex().data(ENTRY_ID_ROLE) == entry_id)
    assert survivor in _top_level_thread_ids(window)
    current = window.tree_view.currentIndex()
    assert current.parent().data(THREAD_ID_ROLE) == survivor
    assert window.tree_view.isExpanded(current.parent())
    # The article stays as it was: not reloaded, not scrolled back to the top.
    assert window.reading_pane.entry_id == entry_id
    assert shown == []


def test_timeline_of_a_story_that_vanished_says_so(
    qtbot, stories: Stories, story_window: MainWindow
) -> None:
    window = story_window
    _open_thread(qtbot, window, stories.b, expand=False)
    # Every item of the story goes (unsubscribed without keeping them): nothing survives it.
    other = stories.archive.subscribe("https://example.invalid/other.xml", "feed", title="Other")
    with stories.archive.writing() as connection:
        from sqlalchemy import update

        from reader.store.schema import entries

        connection.execute(
            update(entries).where(entries.c.id.in_(stories.bridge_ids)).values(source_id=other.id)
        )
    stories.archive.remove_source(other.id, keep_entries=False)
    window._on_refresher_finished(stories.refresh_result(stories.flood_ids[:1]))

    qtbot.waitUntil(lambda: window.reading_pane.shown_thread_id is None)
    assert stories.b not in _top_level_thread_ids(window)
    assert "no longer" in window.reading_pane.browser.toPlainText().lower()


def _expect_story_message(qtbot, window: MainWindow, start) -> str:
    with qtbot.waitSignal(window.job_failed, timeout=5000) as blocker:
        start()
    what, message = blocker.args
    assert "Traceback" not in message and "NotFound(" not in message
    dialog = window.actions_.archive_ops.last_dialog
    assert isinstance(dialog, QMessageBox)
    dialog.close()
    return str(message)


def test_commands_on_a_merged_story_say_what_happened(
    qtbot, stories: Stories, story_window: MainWindow
) -> None:
    window = story_window
    ops = window.actions_.archive_ops
    bridge_label = window.thread_model.thread_at(_thread_index(window, stories.b).row()).label
    # The "move to story" list was built before the merge.
    choices = dict(ops._story_choices(exclude=None))
    assert stories.b in choices
    stories.archive.merge_threads(stories.a, stories.b)

    moved = stories.flood_ids[0]
    message = _expect_story_message(qtbot, window, lambda: ops.move_entry(moved, stories.b))
    assert bridge_label in message and "merged" in message
    assert stories.archive.entry(moved).thread_id == stories.a  # nothing moved behind the back
    # The list is brought up to date at once.
    qtbot.waitUntil(lambda: stories.b not in _top_level_thread_ids(window))

    message = _expect_story_message(
        qtbot, window, lambda: ops.merge_story(stories.b, into=stories.a)
    )
    assert "merged" in message
    message = _expect_story_message(qtbot, window, lambda: ops.split_story(stories.b))
    assert "merged" in message


def test_mark_read_on_a_stale_story_row_does_not_mark_another_story(
    qtbot, stories: Stories, story_window: MainWindow
) -> None:
    window = story_window
    _open_thread(qtbot, window, stories.b, expand=False)
    stories.archive.merge_threads(stories.a, stories.b)
    # The row still says B: the refresh's reload has not run yet.
    window.actions_.mark_selection_read()
    qtbot.waitUntil(lambda: stories.b not in _top_level_thread_ids(window))
    assert all(not e.read for e in stories.archive.entries(thread_id=stories.a))
    assert "merged" in window.status_label.text().lower()
