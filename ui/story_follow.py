"""Keeping the reader's place in the grouped list when its rows are reloaded.

A reload (after a refresh, a story command, marking read) replaces every row. The core may
meanwhile have merged a story into another (automatically, while a refresh placed new
entries) and deleted the merged-away thread, or emptied one. `StoryFollower` remembers what
was selected before the rows go and, once the new rows are in, selects it again, expands
what was expanded and keeps the reading pane's story timeline current: a merged-away story
is followed to the story that took its items, with a note saying so; a story with nothing
left says that instead of showing an empty or stale timeline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex

from ui.models.rows import ENTRY_ID_ROLE, IS_THREAD_ROLE, THREAD_ID_ROLE
from ui.models.thread_moves import quoted

if TYPE_CHECKING:
    from ui.main_window import MainWindow

AnyIndex = QModelIndex | QPersistentModelIndex


class StoryFollower:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.model = window.thread_model
        self.view = window.tree_view
        self.restoring = False  # selecting rows again: the pane is not to reload for it
        # (story id or None for a single row, entry id or None for a story row)
        self._position: tuple[int | None, int | None] | None = None
        self._pending_entry: tuple[int, int] | None = None  # story id, entry id to select
        self.model.modelAboutToBeReset.connect(self._remember_position)
        self.model.rowsInserted.connect(self._on_rows_inserted)

    def user_moved(self) -> None:
        """The reader chose another row: stop trying to select the old one."""
        if not self.restoring:
            self._pending_entry = None

    # -- before the rows go -----------------------------------------------------------------
    def _remember_position(self) -> None:
        self._position = None
        if not self.model.reloading or self.window._entries_model is not self.model:
            self._pending_entry = None
            return
        if self._pending_entry is not None:  # still waiting for it from the last reload
            self._position = self._pending_entry
            self._pending_entry = None
            return
        index = self.view.currentIndex()
        if not index.isValid():
            return
        if index.data(IS_THREAD_ROLE):
            self._position = (int(index.data(THREAD_ID_ROLE)), None)
            return
        entry_id = index.data(ENTRY_ID_ROLE)
        if entry_id is None:
            return
        parent = index.parent()
        thread_id = parent.data(THREAD_ID_ROLE) if parent.isValid() else None
        self._position = (None if thread_id is None else int(thread_id), int(entry_id))

    # -- once the new rows are in -------------------------------------------------------------
    def rows_loaded(self, expanded: set[int]) -> set[int]:
        """Select, expand and show again what was before the reload; returns the expanded
        stories under their current ids."""
        held = set(expanded)
        if self._position is not None and self._position[0] is not None:
            held.add(self._position[0])
        shown = self.window.reading_pane.shown_thread_id
        if shown is not None:
            held.add(shown)
        self._say_what_merged(held)
        now = {t for t in (self.model.moved_to(t) for t in expanded) if t is not None}
        for thread_id in now:
            row = self.model.thread_row_of(thread_id)
            if row is not None:
                self.view.expand(self.model.index(row, 0))
        self._restore_position()
        self._follow_shown_story()
        return now

    def _say_what_merged(self, held: set[int]) -> None:
        merged = []
        for thread_id in sorted(held):
            if not self.model.was_moved(thread_id):
                continue
            target = self.model.moved_to(thread_id)
            old = quoted(self.model.held(thread_id).label)
            if target is None:
                merged.append(_upper_first(f"{old} is no longer in the archive"))
                continue
            new = self.model.summary(target)
            into = quoted(new.label) if new is not None else "another story"
            merged.append(_upper_first(f"{old} was merged into {into}"))
        if merged:
            self.window.status_label.setText("; ".join(merged))

    def _restore_position(self) -> None:
        position, self._position = self._position, None
        if position is None:
            return
        thread_id, entry_id = position
        index = QModelIndex()
        if thread_id is None and entry_id is not None:
            index = self.model.index_of_entry(entry_id)  # a single row (no story then)
        target = self.model.moved_to(thread_id) if thread_id is not None else None
        if not index.isValid() and target is not None:
            row = self.model.thread_row_of(target)
            if row is not None:
                index = self.model.index(row, 0)
                if entry_id is not None:
                    self.view.expand(index)  # loads its entries (now, or on a worker)
                    found = self.model.index_of_entry(entry_id)
                    if found.isValid():
                        index = found
                    else:
                        self._pending_entry = (target, entry_id)
        if index.isValid():
            self._select(index)

    def _on_rows_inserted(self, parent: QModelIndex, _first: int, _last: int) -> None:
        pending = self._pending_entry
        if pending is None or not parent.isValid() or parent.data(THREAD_ID_ROLE) != pending[0]:
            return
        self._pending_entry = None
        found = self.model.index_of_entry(pending[1])
        if found.isValid() and self.view.currentIndex() == parent:
            self._select(found)

    def _select(self, index: QModelIndex) -> None:
        self.restoring = True
        try:
            self.view.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.view.scrollTo(index)
        finally:
            self.restoring = False

    def _follow_shown_story(self) -> None:
        """The timeline in the reading pane: the story as it is now, wherever it went."""
        window = self.window
        shown = window.reading_pane.shown_thread_id
        if shown is None or window.pane_busy():
            return  # no timeline shown, or the reader asked for something else meanwhile
        target = self.model.moved_to(shown)
        old = quoted(self.model.held(shown).label)
        if target is None:
            self.model.track(None)
            window.reading_pane.show_message(
                "This story is no longer in the archive",
                f"None of the items of {old} is left. Choose another story or item.",
            )
            return
        summary = self.model.summary(target)
        if target == shown:
            if summary is not None and self.model.reloading:
                window.show_thread(summary, keep_scroll=True)  # new items, new counts
            return
        if summary is None:
            window.reading_pane.show_message(
                "This story was merged",
                f"{old} was merged into another story, which this list does not show.",
            )
            return
        window.show_thread(summary, note=_upper_first(f"{old} was merged into this story."))


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]
