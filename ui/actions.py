"""The main window's menus, keyboard shortcuts and the commands behind them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QMessageBox

from reader.errors import NewsdeskError
from reader.opml import export_opml, import_opml
from ui.archive_actions import ArchiveActions
from ui.dialogs.add_source import AddSourceDialog
from ui.dialogs.revisions import RevisionDialog
from ui.dialogs.settings_dialog import SettingsDialog
from ui.dialogs.shortcuts import ShortcutsDialog
from ui.icons import icon
from ui.models.rows import ENTRY_ID_ROLE, IS_THREAD_ROLE, THREAD_ID_ROLE
from ui.models.sources import SourceNode
from ui.models.thread_moves import require_stories
from ui.search_help import SEARCH_HELP_HTML

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class MainActions:
    """Creates the QActions (menus, shortcuts) and runs them against the window."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        w = window
        self._icon_actions: list[tuple[QAction, str]] = []

        def action(text: str, slot: Any, keys: Any = None, the_icon: str | None = None) -> QAction:
            act = QAction(text, w)
            if the_icon:
                act.setIcon(icon(the_icon))
                self._icon_actions.append((act, the_icon))
            if keys is not None:
                if isinstance(keys, list | tuple):
                    act.setShortcuts([QKeySequence(k) for k in keys])
                else:
                    act.setShortcut(QKeySequence(keys))
            act.triggered.connect(lambda _checked=False: slot())
            w.addAction(act)
            return act

        self.add = action("Add…", self.add_source, QKeySequence.StandardKey.New, "add")
        self.add.setToolTip("Add a feed, website or live blog (Ctrl+N)")
        self.import_opml_action = action("Import subscriptions (OPML)…", self.import_opml)
        self.export_opml_action = action("Export subscriptions (OPML)…", self.export_opml)
        self.open_demo = action("Open the demo archive", w.demo_requested.emit)
        self.archive_ops = ArchiveActions(w)
        ops = self.archive_ops
        self.export_action = action("Export…", lambda: ops.export(), "Ctrl+E")
        self.export_action.setToolTip("Export the archive, a source, a story or a search")
        self.import_json_action = action("Import a Newsdesk export (JSON)…", ops.import_json)
        self.check_action = action("Check archive…", lambda: ops.check())
        self.storage_action = action("Storage and compacting…", ops.storage)
        self.source_options_action = action("Storage options…", ops.source_options)
        self.rethread_action = action("Rebuild stories…", ops.rethread)
        self.settings = action(
            "Settings…", self.show_settings, QKeySequence.StandardKey.Preferences
        )
        if self.settings.shortcut().isEmpty():
            self.settings.setShortcut(QKeySequence("Ctrl+,"))
        self.quit = action("Quit", w.close, QKeySequence.StandardKey.Quit)
        if self.quit.shortcut().isEmpty():
            self.quit.setShortcut(QKeySequence("Ctrl+Q"))

        self.refresh_all = action("Refresh", lambda: w.refresh(None), ["R", "F5"], "refresh")
        self.refresh_all.setToolTip("Refresh every subscription (R)")
        self.refresh_selected = action("Refresh selected", self.refresh_selected_sources)
        self.mark_all_read = action("Mark all read", self.mark_selection_read, "Shift+A", "check")
        self.mark_all_read.setToolTip("Mark everything in the selection read (Shift+A)")
        self.rename = action("Rename…", self.rename_selected, "F2")
        self.move = action("Move to folder…", self.move_selected)
        self.new_folder = action("New folder…", self.create_folder)
        self.remove = action("Remove…", self.remove_selected)
        self.notify = action("Notify about new updates", self.toggle_notify)
        self.notify.setCheckable(True)

        self.group_by_topic = action("Group by topic", self.toggle_group_by_topic, "G")
        self.group_by_topic.setCheckable(True)
        self.group_by_topic.setChecked(w.settings.group_by_topic)
        self.group_by_topic.setToolTip("Group entries into story threads (G)")
        self.unread_only = action("Unread only", self.toggle_unread_only, "U")
        self.unread_only.setCheckable(True)
        self.unread_only.setChecked(w.settings.unread_only)
        self.oldest_first = action("Oldest first", self.toggle_oldest_first)
        self.oldest_first.setCheckable(True)
        self.zoom_in = action(
            "Larger text", lambda: self.change_font(1), QKeySequence.StandardKey.ZoomIn
        )
        self.zoom_out = action(
            "Smaller text", lambda: self.change_font(-1), QKeySequence.StandardKey.ZoomOut
        )

        self.next_entry = action("Next entry", lambda: w.move_selection(1), "J")
        self.previous_entry = action("Previous entry", lambda: w.move_selection(-1), "K")
        self.next_unread = action("Next unread", lambda: w.move_selection(1, unread_only=True), "N")
        self.previous_unread = action(
            "Previous unread", lambda: w.move_selection(-1, unread_only=True), "P"
        )
        self.page_down = action("Page down / next", w.space_pressed, "Space")
        self.toggle_read = action("Toggle read", w.toggle_read_current, "M")
        self.toggle_star = action("Toggle star", w.toggle_star_current, "S")
        self.open_browser = action(
            "Open in browser", w.reading_pane.open_in_browser, "O", "browser"
        )
        self.history = action("Show revision history", lambda: self.show_history(None))
        self.highlight = action(
            "Highlight selection", lambda: w.reading_pane.highlight_selection("yellow"), "H"
        )
        self.export_highlights = action("Export highlights as Markdown…", self.export_highlights_md)
        self.find = action(
            "Search", w.focus_search, ["/", QKeySequence(QKeySequence.StandardKey.Find).toString()]
        )
        self.next_match = action("Next match", w.reading_pane.next_match)
        self.next_match.setShortcutVisibleInContextMenu(True)
        self.shortcuts = action(
            "Keyboard shortcuts", self.show_shortcuts, QKeySequence.StandardKey.HelpContents
        )
        if self.shortcuts.shortcut().isEmpty():
            self.shortcuts.setShortcut(QKeySequence("F1"))
        self.search_help = action("Search syntax", self.show_search_help)
        self.about = action("About Newsdesk", self.show_about)
        # Space must reach text fields and buttons when they have focus.
        self.page_down.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        w.flat_view.addAction(self.page_down)
        w.tree_view.addAction(self.page_down)
        w.reading_pane.addAction(self.page_down)
        w.search_view.addAction(self.page_down)
        w.removeAction(self.page_down)
        self._build_menus()

    def _build_menus(self) -> None:
        bar = self.window.menuBar()
        file_menu = bar.addMenu("&File")
        for act in (self.add, self.import_opml_action, self.export_opml_action):
            file_menu.addAction(act)
        file_menu.addSeparator()
        for act in (self.export_action, self.import_json_action, self.export_highlights):
            file_menu.addAction(act)
        file_menu.addSeparator()
        file_menu.addAction(self.check_action)
        file_menu.addAction(self.storage_action)
        file_menu.addSeparator()
        file_menu.addAction(self.open_demo)
        file_menu.addSeparator()
        file_menu.addAction(self.settings)
        file_menu.addSeparator()
        file_menu.addAction(self.quit)
        subs = bar.addMenu("&Subscriptions")
        for act in (self.refresh_all, self.refresh_selected, self.mark_all_read):
            subs.addAction(act)
        subs.addSeparator()
        for act in (
            self.new_folder,
            self.rename,
            self.move,
            self.notify,
            self.source_options_action,
            self.remove,
        ):
            subs.addAction(act)
        view = bar.addMenu("&View")
        for act in (self.group_by_topic, self.unread_only, self.oldest_first):
            view.addAction(act)
        view.addAction(self.rethread_action)
        view.addSeparator()
        view.addAction(self.zoom_in)
        view.addAction(self.zoom_out)
        entry = bar.addMenu("&Entry")
        for act in (
            self.next_entry,
            self.previous_entry,
            self.next_unread,
            self.previous_unread,
            self.page_down,
        ):
            entry.addAction(act)
        entry.addSeparator()
        for act in (
            self.toggle_read,
            self.toggle_star,
            self.highlight,
            self.open_browser,
            self.history,
            self.find,
        ):
            entry.addAction(act)
        help_menu = bar.addMenu("&Help")
        for act in (self.shortcuts, self.search_help, self.about):
            help_menu.addAction(act)
        subs.aboutToShow.connect(self._update_source_actions)

    def refresh_icons(self) -> None:
        """Repaint the icons in the theme's ink (dark icons vanish on a dark toolbar)."""
        for act, name in self._icon_actions:
            act.setIcon(icon(name))

    # -- helpers -----------------------------------------------------------------------
    def _node(self) -> SourceNode | None:
        return self.window.selected_node()

    def _run(self, call: Any, done: Any = None, what: str = "") -> None:
        w = self.window

        def on_error(error: BaseException) -> None:
            message = str(error) if isinstance(error, NewsdeskError) else repr(error)
            QMessageBox.warning(w, "Newsdesk", f"{what} failed:\n{message}" if what else message)

        w.runner.submit(call, done or (lambda _r: w.reload_sources()), on_error)

    def _update_source_actions(self) -> None:
        node = self._node()
        is_source = node is not None and node.kind in ("feed", "liveblog")
        editable = node is not None and node.kind in ("feed", "liveblog", "folder", "search")
        self.rename.setEnabled(editable and node is not None and node.kind != "search")
        self.move.setEnabled(is_source)
        self.remove.setEnabled(editable)
        self.notify.setEnabled(is_source)
        self.notify.setChecked(bool(is_source and node is not None and node.payload.notify))
        self.source_options_action.setEnabled(is_source)
        self.refresh_selected.setEnabled(bool(node and node.source_ids()))

    # -- subscriptions -------------------------------------------------------------------
    def add_source(self, url: str = "") -> AddSourceDialog:
        w = self.window
        dialog = AddSourceDialog(w.archive, w.runner, url, w)
        dialog.added.connect(lambda _source: w.reload_sources())
        dialog.added.connect(lambda source: w.apply_refresh_result_for_source(source))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def import_opml(self, path: str | None = None) -> None:
        w = self.window
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                w, "Import subscriptions", "", "OPML files (*.opml *.xml);;All files (*)"
            )
        if not path:
            return
        archive = w.archive

        def done(count: int) -> None:
            w.reload_sources()
            w.status_label.setText(f"Imported {count} subscriptions")
            w.refresh(None)

        self._run(lambda: import_opml(archive, Path(path)), done, "Importing subscriptions")

    def export_opml(self, path: str | None = None) -> None:
        w = self.window
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                w, "Export subscriptions", "newsdesk.opml", "OPML files (*.opml)"
            )
        if not path:
            return
        archive = w.archive
        self._run(
            lambda: export_opml(archive, Path(path)),
            lambda _r: w.status_label.setText(f"Exported subscriptions to {path}"),
            "Exporting subscriptions",
        )

    def refresh_selected_sources(self) -> None:
        node = self._node()
        if node is not None and node.source_ids():
            self.window.refresh(list(node.source_ids()))

    def mark_selection_read(self) -> None:
        w = self.window
        node = self._node()
        archive = w.archive
        thread_index = w.entries_view.currentIndex()
        if w._entries_model is w.thread_model and thread_index.isValid():
            thread_id = thread_index.data(THREAD_ID_ROLE)
            if thread_id is not None:
                story = w.thread_model.held(int(thread_id))

                def mark_story() -> int:
                    # The row may be older than the story: never mark another story read.
                    require_stories(archive, [story])
                    return archive.mark_all_read(thread_id=story.id)

                def failed(error: BaseException) -> None:
                    w.status_label.setText(str(error))
                    self._after_mark_all(None)

                w.runner.submit(mark_story, self._after_mark_all, failed)
                return
        if node is None or node.kind in ("all", "unread", "starred", "searches", "search"):
            self._run(lambda: archive.mark_all_read(), self._after_mark_all)
            return
        ids = node.source_ids()

        def mark() -> int:
            return sum(archive.mark_all_read(source_id=i) for i in ids)

        self._run(mark, self._after_mark_all)

    def _after_mark_all(self, _result: Any) -> None:
        w = self.window
        w.reload_sources()
        if w._entries_model is w.thread_model:
            w.thread_model.reload()
        else:
            w.flat_model.reload()

    def rename_selected(self) -> None:
        w = self.window
        node = self._node()
        if node is None or node.kind not in ("feed", "liveblog", "folder"):
            return
        name, ok = QInputDialog.getText(w, "Rename", "New name:", text=node.title)
        if not ok or not name.strip():
            return
        archive = w.archive
        if node.kind == "folder":
            self._run(lambda: archive.rename_folder(node.payload.id, name.strip()), what="Renaming")
        else:
            self._run(lambda: archive.rename_source(node.payload.id, name.strip()), what="Renaming")

    def move_selected(self) -> None:
        w = self.window
        node = self._node()
        if node is None or node.kind not in ("feed", "liveblog"):
            return
        folders = [""] + sorted(f.path for f in w.archive.folders())
        current = folders.index(node.payload.folder) if node.payload.folder in folders else 0
        choice, ok = QInputDialog.getItem(
            w,
            "Move to folder",
            "Folder (empty for the top level; type a new name to create one):",
            folders,
            current,
            True,
        )
        if not ok:
            return
        archive, source_id = w.archive, node.payload.id
        self._run(lambda: archive.move_source(source_id, choice.strip() or None), what="Moving")

    def create_folder(self) -> None:
        w = self.window
        name, ok = QInputDialog.getText(w, "New folder", "Folder name (use / for subfolders):")
        if ok and name.strip():
            archive = w.archive
            self._run(lambda: archive.create_folder(name.strip()), what="Creating the folder")

    def remove_selected(self) -> None:
        w = self.window
        node = self._node()
        if node is None:
            return
        archive = w.archive
        if node.kind == "search":
            self._run(lambda: archive.remove_saved_search(node.payload.id))
            return
        if node.kind == "folder":
            answer = QMessageBox.question(
                w,
                "Remove folder",
                f"Remove the folder “{node.title}”? Its subscriptions move to the top level.",
            )
            if answer == QMessageBox.StandardButton.Yes:
                self._run(lambda: archive.remove_folder(node.payload.id))
            return
        if node.kind not in ("feed", "liveblog"):
            return
        box = QMessageBox(w)
        box.setWindowTitle("Remove subscription")
        box.setText(f"Unsubscribe from “{node.title}”?")
        box.setInformativeText(
            "You can keep the entries already in the archive: they stay readable and searchable."
        )
        keep = box.addButton("Unsubscribe, keep entries", QMessageBox.ButtonRole.AcceptRole)
        delete = box.addButton(
            "Unsubscribe and delete entries", QMessageBox.ButtonRole.DestructiveRole
        )
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(keep)
        box.exec()
        clicked = box.clickedButton()
        if clicked not in (keep, delete):
            return
        source_id = node.payload.id
        self._run(
            lambda: archive.remove_source(source_id, keep_entries=clicked is keep),
            lambda _r: (w.reload_sources(), w._select_key("all", force=True)),
            "Removing",
        )

    def toggle_notify(self) -> None:
        node = self._node()
        if node is None or node.kind not in ("feed", "liveblog"):
            return
        archive, source_id, wanted = self.window.archive, node.payload.id, not node.payload.notify
        self._run(lambda: archive.set_source_options(source_id, notify=wanted))

    # -- context menus -------------------------------------------------------------------
    def sources_context_menu(self, position: QPoint) -> None:
        w = self.window
        index = w.sources_view.indexAt(position)
        if index.isValid():
            w.sources_view.setCurrentIndex(index)
        self._update_source_actions()
        menu = QMenu(w)
        for act in (self.refresh_selected, self.mark_all_read):
            menu.addAction(act)
        menu.addSeparator()
        for act in (self.rename, self.move, self.new_folder, self.notify):
            menu.addAction(act)
        menu.addAction(self.source_options_action)
        menu.addSeparator()
        menu.addAction(self.remove)
        menu.exec(w.sources_view.viewport().mapToGlobal(position))

    def entries_context_menu(self, position: QPoint) -> None:
        w = self.window
        index = w.entries_view.indexAt(position)
        if not index.isValid():
            return
        menu = QMenu(w)
        w.entries_view.setCurrentIndex(index)
        if index.data(IS_THREAD_ROLE):
            menu.addAction(self.mark_all_read)
        elif index.data(ENTRY_ID_ROLE) is not None:
            for act in (self.toggle_read, self.toggle_star, self.open_browser):
                menu.addAction(act)
        if w.entries_model is w.thread_model:
            self.archive_ops.add_story_actions(menu, index)
        menu.exec(w.entries_view.viewport().mapToGlobal(position))

    # -- view ---------------------------------------------------------------------------
    def toggle_group_by_topic(self) -> None:
        w = self.window
        w.settings.group_by_topic = self.group_by_topic.isChecked()
        w._select_key(w._selected_key, force=True)

    def toggle_unread_only(self) -> None:
        w = self.window
        w.settings.unread_only = self.unread_only.isChecked()
        w._select_key(w._selected_key, force=True)

    def toggle_oldest_first(self) -> None:
        w = self.window
        order = (
            Qt.SortOrder.AscendingOrder
            if self.oldest_first.isChecked()
            else Qt.SortOrder.DescendingOrder
        )
        w.flat_model.sort(2, order)

    def change_font(self, step: int) -> None:
        w = self.window
        w.settings.article_font_size = w.settings.article_font_size + step
        w.reading_pane.set_font_size(w.settings.article_font_size)

    # -- dialogs --------------------------------------------------------------------------
    def show_history(self, entry_id: int | None) -> None:
        w = self.window
        entry_id = entry_id if entry_id is not None else w.reading_pane.entry_id
        if entry_id is None:
            return
        archive = w.archive
        title = w.reading_pane.article.entry.title if w.reading_pane.article else ""

        def show(revisions: Any) -> None:
            dialog = RevisionDialog(title, revisions, w)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

        self._run(lambda: archive.revision_history(entry_id), show, "Reading the history")

    def save_current_search(self) -> None:
        w = self.window
        query = w.search_model.query or w.search_box.text().strip()
        if not query:
            return
        name, ok = QInputDialog.getText(w, "Save search", "Name:", text=query)
        if ok and name.strip():
            archive = w.archive
            self._run(lambda: archive.save_search(name.strip(), query), what="Saving the search")

    def export_highlights_md(self, path: str | None = None) -> None:
        """Write every highlight as Markdown (grouped by entry, linking back to each)."""
        w = self.window
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                w, "Export highlights", "highlights.md", "Markdown (*.md)"
            )
        if not path:
            return
        archive, target = w.archive, Path(path)

        def write() -> int:
            text = archive.highlights_markdown()
            target.write_text(text, encoding="utf-8")
            return len(archive.highlights())

        self._run(
            write,
            lambda count: w.status_label.setText(f"Exported {count} highlights to {target}"),
            "Exporting highlights",
        )

    def show_settings(self) -> SettingsDialog:
        w = self.window
        dialog = SettingsDialog(w.settings, w.archive.paths.root, w)
        dialog.accepted.connect(w.apply_settings)
        dialog.accepted.connect(
            lambda: (
                dialog.archive_changed
                and QMessageBox.information(
                    w,
                    "Archive folder",
                    "Newsdesk will use the new archive folder from the next start.",
                )
            )
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def show_search_help(self) -> None:
        box = QMessageBox(self.window)
        box.setWindowTitle("Search syntax")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(SEARCH_HELP_HTML)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def show_about(self) -> None:
        import reader

        QMessageBox.about(
            self.window,
            "About Newsdesk",
            f"<h3>Newsdesk {reader.__version__}</h3><p>A desktop reader for feeds and live "
            "blogs with an offline archive, topic threads and full-text search.</p>"
            f"<p>Archive: {self.window.archive.paths.root}</p>",
        )
