"""Commands on the archive as a whole and on stories: export, import, check, storage,
per-source options, rethreading, and moving, merging and splitting stories.

Each long command runs as a job (`ui.jobs`) with its progress in the status bar; short ones
run on the task runner. Results come back on the GUI thread and the views reload.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from reader.errors import NewsdeskError
from ui.dialogs.archive_dialogs import (
    ExportDialog,
    ExportScope,
    ReportDialog,
    SourceOptionsDialog,
    SplitDialog,
    human_bytes,
)
from ui.models.rows import ENTRY_ID_ROLE, IS_THREAD_ROLE, THREAD_ID_ROLE
from ui.models.thread_moves import require_stories

if TYPE_CHECKING:
    from ui.main_window import MainWindow

TIMELINE_PICK_LIMIT = 500


class ArchiveActions:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.last_dialog: Any = None  # the dialog shown last (tests read it)

    # -- helpers -----------------------------------------------------------------------
    def _failed(self, what: str) -> Any:
        def show(error: BaseException) -> None:
            message = str(error) if isinstance(error, NewsdeskError) else repr(error)
            self.window.status_label.setText(f"{what} failed: {message}")
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Newsdesk",
                f"{what} failed:\n{message}",
                parent=self.window,
            )
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.last_dialog = box
            box.open()
            self.window.job_failed.emit(what, message)

        return show

    def _job(self, title: str, call: Any, done: Any) -> bool:
        started = self.window.jobs.run(title, call, done, self._failed(title))
        if not started:
            self.window.status_label.setText(
                f"Wait for “{self.window.jobs.current}” to finish first"
            )
        return started

    def _show_report(self, title: str, heading: str, lines: list[str]) -> ReportDialog:
        dialog = ReportDialog(title, heading, lines, self.window)
        self.last_dialog = dialog
        dialog.open()
        return dialog

    def current_scope(self) -> ExportScope:
        w = self.window
        node = w.selected_node()
        source = None
        if node is not None and node.kind in ("feed", "liveblog"):
            source = (int(node.payload.id), node.title)
        thread = None
        article_thread = w.current_thread()
        if article_thread is not None:
            thread = (article_thread.id, article_thread.label)
        query = w.search_model.query or None if w.in_search() else None
        if query is None and node is not None and node.kind == "search":
            query = node.payload.query
        return ExportScope(source, thread, query)

    # -- export and import -------------------------------------------------------------
    def export(self, out: str | None = None, choice: Any = None) -> None:
        """Ask what and how to export (unless given), then where, then run it as a job."""
        w = self.window
        if choice is None:
            dialog = ExportDialog(self.current_scope(), w)
            self.last_dialog = dialog
            if dialog.exec() != ExportDialog.DialogCode.Accepted:
                return
            choice = dialog.choice()
        if out is None:
            if choice.fmt == "html":
                out = QFileDialog.getExistingDirectory(w, "Export into folder")
            else:
                suffix = "md" if choice.fmt == "md" else "json"
                out, _ = QFileDialog.getSaveFileName(
                    w, "Export", f"newsdesk-export.{suffix}", f"*.{suffix}"
                )
            if not out:
                return
        archive, target = w.archive, Path(out)
        story = [w.thread_model.held(choice.thread_id)] if choice.thread_id is not None else []

        def run(progress: Any) -> Any:
            require_stories(archive, story)  # merged away since: say so, not an empty export
            return archive.export(
                target,
                choice.fmt,
                source_id=choice.source_id,
                thread_id=choice.thread_id,
                query=choice.query,
                progress=progress,
            )

        def done(report: Any) -> None:
            w.status_label.setText(
                f"Exported {report.entries:,} entries from {report.sources} sources "
                f"({report.images} images) to {report.path}"
            )
            w.job_done.emit("export")

        self._job("Exporting", run, done)

    def import_json(self, path: str | None = None) -> None:
        w = self.window
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                w, "Import a Newsdesk JSON export", "", "JSON export (*.json);;All files (*)"
            )
        if not path:
            return
        archive, source = w.archive, Path(path)

        def done(report: Any) -> None:
            lines = [
                f"Sources added: {report.sources_added}",
                f"Sources already here (merged): {report.sources_merged}",
                f"Entries added: {report.entries_added}",
                f"Entries already here (merged): {report.entries_merged}",
                f"Images restored: {report.images_restored}",
            ]
            w.reload_sources()
            w.reload_entries()
            w.status_label.setText(f"Imported {report.entries_added:,} entries")
            self._show_report("Import", f"Imported {source.name}", lines)
            w.job_done.emit("import")

        self._job("Importing", lambda progress: archive.import_json(source, progress), done)

    # -- checking and storage ------------------------------------------------------------
    def check(self, repair: bool = False) -> None:
        w = self.window
        archive = w.archive

        def done(report: Any) -> None:
            lines = report.lines()
            heading = (
                "The archive is consistent."
                if report.ok
                else "Problems were found." + (" Repairs were made." if repair else "")
            )
            dialog = self._show_report("Check archive", heading, lines)
            if not report.ok and not repair:
                button = dialog.buttons.addButton("Repair", dialog.buttons.ButtonRole.ActionRole)
                button.clicked.connect(lambda: (dialog.accept(), self.check(repair=True)))
            w.job_done.emit("check")

        self._job(
            "Repairing the archive" if repair else "Checking the archive",
            lambda _progress: archive.check(repair=repair),
            done,
        )

    def storage(self) -> None:
        """Per-source storage use, with a button to compact the archive."""
        w = self.window
        archive = w.archive

        def read(_progress: Any) -> Any:
            from reader.retention import storage_report

            return storage_report(archive)

        def done(rows: Any) -> None:
            rows = sorted(rows, key=lambda r: r.bytes_text + r.bytes_assets, reverse=True)
            total_text = sum(r.bytes_text for r in rows)
            total_assets = sum(r.bytes_assets for r in rows)
            width = max([len(r.title[:48]) for r in rows] + [6])
            lines = [f"{'Source':<{width}}  {'entries':>9}  {'text':>10}  {'images':>10}"]
            for r in rows:
                lines.append(
                    f"{r.title[:48]:<{width}}  {r.entries:>9,}  {human_bytes(r.bytes_text):>10}"
                    f"  {human_bytes(r.bytes_assets):>10}"
                )
            heading = (
                f"Text {human_bytes(total_text)}, images {human_bytes(total_assets)}. "
                "Compacting applies each source's retention rule, removes unused images and "
                "gives free space back to the disk."
            )
            dialog = self._show_report("Storage", heading, lines)
            font = dialog.text.font()
            font.setFamily("monospace")
            dialog.text.setFont(font)
            button = dialog.buttons.addButton("Compact now", dialog.buttons.ButtonRole.ActionRole)
            button.clicked.connect(lambda: (dialog.accept(), self.compact()))
            w.job_done.emit("storage")

        self._job("Measuring storage", read, done)

    def compact(self) -> None:
        w = self.window
        archive = w.archive

        def run(_progress: Any) -> int:
            from reader.retention import compact

            return int(compact(archive))

        def done(freed: int) -> None:
            w.status_label.setText(f"Archive compacted: {human_bytes(max(0, freed))} freed")
            w.reload_sources()
            w.reload_entries()
            w.job_done.emit("compact")

        self._job("Compacting the archive", run, done)

    def source_options(self) -> None:
        w = self.window
        node = w.selected_node()
        if node is None or node.kind not in ("feed", "liveblog"):
            return
        archive, source_id = w.archive, int(node.payload.id)
        row = archive.source_row(source_id)
        dialog = SourceOptionsDialog(node.title, bool(row.cache_images), row.retention, w)
        self.last_dialog = dialog
        if dialog.exec() != SourceOptionsDialog.DialogCode.Accepted:
            return
        chosen = dialog.options()
        w.runner.submit(
            lambda: archive.set_source_options(
                source_id, cache_images=chosen.cache_images, retention=chosen.retention
            ),
            lambda _r: w.status_label.setText(f"Storage options of “{node.title}” saved"),
            self._failed("Saving the options"),
        )

    # -- stories -----------------------------------------------------------------------
    def rethread(self) -> None:
        w = self.window
        answer = QMessageBox.question(
            w,
            "Rebuild stories",
            "Thread the whole archive again? Your own moves, merges and splits are kept. "
            "This runs in the background.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.rethread_now()

    def rethread_now(self) -> None:
        w = self.window
        archive = w.archive

        def run(progress: Any) -> int:
            return int(archive.rethread(lambda done, total: progress(done, total, "Rethreading")))

        def done(count: int) -> None:
            w.status_label.setText(f"Stories rebuilt: {count:,} entries threaded")
            w.reload_entries()
            w.job_done.emit("rethread")

        self._job("Rebuilding stories", run, done)

    def _story_choices(self, exclude: int | None) -> list[tuple[int, str]]:
        model = self.window.thread_model
        found = []
        for row in range(model.rowCount()):
            thread = model.thread_at(row)
            if thread is not None and thread.id != exclude:
                found.append((thread.id, f"{thread.label}  ({thread.size} items)"))
        return found

    def _pick_story(self, title: str, prompt: str, exclude: int | None) -> int | None:
        choices = self._story_choices(exclude)
        if not choices:
            QMessageBox.information(self.window, title, "There is no other story to choose.")
            return None
        labels = [label for _id, label in choices]
        picked, ok = QInputDialog.getItem(self.window, title, prompt, labels, 0, False)
        if not ok:
            return None
        return choices[labels.index(picked)][0]

    def _story_change(self, call: Any, message: str, stories: tuple[int, ...] = ()) -> None:
        """Run a story command on a worker; first check that the stories it names still
        exist (the core may have merged one into another since the list was shown)."""
        w = self.window
        archive = w.archive
        held = [w.thread_model.held(thread_id) for thread_id in stories]

        def run() -> Any:
            require_stories(archive, held)
            return call()

        def done(_result: Any) -> None:
            w.status_label.setText(message)
            w.reload_entries()
            w.job_done.emit("story")

        w.runner.submit(run, done, self._story_failed("Changing the story"))

    def _story_failed(self, what: str) -> Any:
        """Say why; the list may be out of date (a merged story), so bring it up to date."""
        show = self._failed(what)

        def failed(error: BaseException) -> None:
            if isinstance(error, NewsdeskError):
                self.window.reload_entries()
            show(error)

        return failed

    def move_entry(self, entry_id: int, thread_id: int | None = None) -> None:
        current = self.window.thread_of_entry(entry_id)
        if thread_id is None:
            thread_id = self._pick_story("Move to story", "Move this item to:", current)
            if thread_id is None:
                return
        archive, target = self.window.archive, thread_id
        self._story_change(lambda: archive.move_to_thread(entry_id, target), "Moved", (target,))

    def split_off(self, entry_id: int) -> None:
        archive = self.window.archive

        def split() -> Any:
            thread_id = archive.entry(entry_id).thread_id
            if thread_id is None:
                raise NewsdeskError("this item is not in a story")
            return archive.split_thread(int(thread_id), [entry_id])

        self._story_change(split, "Split off into a new story")

    def merge_story(self, thread_id: int, into: int | None = None) -> None:
        if into is None:
            into = self._pick_story("Merge stories", "Merge this story into:", thread_id)
            if into is None:
                return
        archive, keep = self.window.archive, into
        self._story_change(
            lambda: archive.merge_threads(keep, thread_id), "Stories merged", (thread_id, keep)
        )

    def split_story(self, thread_id: int) -> None:
        w = self.window
        archive = w.archive
        story = w.thread_model.held(thread_id)
        label = story.label or "this story"

        def chosen(members: Any) -> None:
            dialog = SplitDialog(label, members, w)
            self.last_dialog = dialog
            if dialog.exec() != SplitDialog.DialogCode.Accepted:
                return
            ids = dialog.chosen()
            if ids and len(ids) < len(members):
                self._story_change(
                    lambda: archive.split_thread(thread_id, ids),
                    f"{len(ids)} item{'s' if len(ids) != 1 else ''} split into a new story",
                    (thread_id,),
                )

        def members() -> Any:
            require_stories(archive, [story])  # not an empty list for a merged-away story
            return archive.entries(thread_id=thread_id, limit=TIMELINE_PICK_LIMIT)

        w.runner.submit(members, chosen, self._story_failed("Splitting the story"))

    def add_story_actions(self, menu: Any, index: Any) -> None:
        """Story commands for a row of the grouped list's context menu."""
        thread_id = index.data(THREAD_ID_ROLE)
        if thread_id is None:
            return
        menu.addSeparator()
        if index.data(IS_THREAD_ROLE):
            menu.addAction("Merge into another story…").triggered.connect(
                lambda _c=False: self.merge_story(int(thread_id))
            )
            menu.addAction("Split story…").triggered.connect(
                lambda _c=False: self.split_story(int(thread_id))
            )
            return
        entry_id = index.data(ENTRY_ID_ROLE)
        if entry_id is None:
            return
        menu.addAction("Move to another story…").triggered.connect(
            lambda _c=False: self.move_entry(int(entry_id))
        )
        menu.addAction("Split off into a new story").triggered.connect(
            lambda _c=False: self.split_off(int(entry_id))
        )
