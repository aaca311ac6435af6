"""Archive jobs from the GUI: export, import, check, storage, per-source options, and the
story controls (rethread, move, split, merge), each against the real core."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.core import Archive
from tests.gui.conftest import make_window
from ui.dialogs.archive_dialogs import ExportChoice, ExportDialog, ExportScope, SourceOptionsDialog
from ui.main_window import MainWindow
from ui.models.rows import IS_THREAD_ROLE


def _wait_job(qtbot, window: MainWindow, name: str, start) -> None:
    window.job_failed.connect(lambda what, why: pytest.fail(f"{what}: {why}"))
    with qtbot.waitSignal(window.job_done, timeout=15000, check_params_cb=lambda n: n == name):
        start()
    assert not window.jobs.busy() and not window.job_status.isVisible()


def test_export_json_then_import_into_an_empty_archive(
    qtbot, window: MainWindow, empty_archive: Archive, tmp_path: Path
) -> None:
    out = tmp_path / "export.json"
    _wait_job(
        qtbot,
        window,
        "export",
        lambda: window.actions_.archive_ops.export(str(out), ExportChoice("json")),
    )
    assert out.exists()
    assert "43 entries" in window.status_label.text()
    other = make_window(qtbot, empty_archive, tmp_path / "other")
    _wait_job(qtbot, other, "import", lambda: other.actions_.archive_ops.import_json(str(out)))
    assert empty_archive.count_entries() == 43
    report = other.actions_.archive_ops.last_dialog
    assert "Entries added: 43" in report.text.toPlainText()
    other.close()
    other.runner.wait_for_done(5000)


def test_export_dialog_offers_the_current_scope(qtbot) -> None:
    dialog = ExportDialog(ExportScope(source=(3, "World"), thread=None, query="ceasefire"))
    qtbot.addWidget(dialog)
    assert dialog.source_choice.isEnabled() and not dialog.thread_choice.isEnabled()
    dialog.search_choice.setChecked(True)
    dialog.format.setCurrentIndex(1)
    assert dialog.choice() == ExportChoice("md", query="ceasefire")
    dialog.source_choice.setChecked(True)
    assert dialog.choice().source_id == 3


def test_export_of_a_search_as_markdown(qtbot, window: MainWindow, tmp_path: Path) -> None:
    out = tmp_path / "science.md"
    choice = ExportChoice("md", query="science")
    _wait_job(qtbot, window, "export", lambda: window.actions_.archive_ops.export(str(out), choice))
    text = out.read_text(encoding="utf-8")
    assert "Science number" in text and "World number" not in text


def test_check_and_storage_reports(qtbot, window: MainWindow) -> None:
    ops = window.actions_.archive_ops
    _wait_job(qtbot, window, "check", lambda: ops.check())
    assert "archive OK" in ops.last_dialog.text.toPlainText()
    ops.last_dialog.close()
    _wait_job(qtbot, window, "storage", ops.storage)
    lines = ops.last_dialog.text.toPlainText().splitlines()
    assert lines[0].split()[:2] == ["Source", "entries"]
    assert any(line.startswith("World") and " 30 " in line for line in lines)
    ops.last_dialog.close()
    _wait_job(qtbot, window, "compact", ops.compact)
    assert "compacted" in window.status_label.text()


def test_source_options_dialog_writes_retention_json(qtbot) -> None:
    dialog = SourceOptionsDialog("World", True, '{"keep_days": 30, "keep_unread": false}')
    qtbot.addWidget(dialog)
    assert dialog.keep.currentData() == "days" and dialog.amount.value() == 30
    assert not dialog.keep_unread.isChecked()
    dialog.keep.setCurrentIndex(1)
    dialog.amount.setValue(200)
    dialog.cache_images.setChecked(False)
    chosen = dialog.options()
    assert chosen.cache_images is False
    assert json.loads(chosen.retention) == {"keep_newest": 200, "keep_unread": False}
    dialog.keep.setCurrentIndex(0)
    assert dialog.options().retention is None


def _threaded_window(qtbot, window: MainWindow, archive: Archive) -> None:
    archive.thread_entries([e.id for e in archive.entries(order="oldest")])
    window.reload_entries()
    qtbot.waitUntil(lambda: window.entries_model is window.thread_model)
    qtbot.waitUntil(lambda: window.thread_model.thread_count() > 0)


def test_rethread_runs_as_a_job_and_reloads_stories(qtbot, window: MainWindow, archive: Archive):
    _threaded_window(qtbot, window, archive)
    progress: list[tuple[int, int]] = []
    window.jobs._progress.changed.connect(lambda done, total, _m: progress.append((done, total)))
    _wait_job(qtbot, window, "rethread", window.actions_.archive_ops.rethread_now)
    assert progress and progress[-1][0] == progress[-1][1]
    assert "Stories rebuilt" in window.status_label.text()
    qtbot.waitUntil(lambda: window.thread_model.thread_count() > 0)


def test_move_split_and_merge_stories(qtbot, window: MainWindow, archive: Archive) -> None:
    _threaded_window(qtbot, window, archive)
    ops = window.actions_.archive_ops
    model = window.thread_model
    big = max(
        (model.thread_at(r) for r in range(model.rowCount()) if model.thread_at(r)),
        key=lambda t: t.size,
    )
    assert big.size >= 2
    row = model.thread_row_of(big.id)
    model.fetchMore(model.index(row, 0))
    qtbot.waitUntil(lambda: model.rowCount(model.index(row, 0)) > 1)
    entry_id = model.entry_at(model.index(0, 0, model.index(row, 0))).id
    # Split one item off into a story of its own.
    _wait_job(qtbot, window, "story", lambda: ops.split_off(entry_id))
    new_thread = archive.entry(entry_id).thread_id
    assert new_thread is not None and new_thread != big.id
    qtbot.waitUntil(lambda: model.thread_row_of(new_thread) is not None)
    # Move it back by hand: the other story loses its only item.
    _wait_job(qtbot, window, "story", lambda: ops.move_entry(entry_id, big.id))
    assert archive.entry(entry_id).thread_id == big.id
    # Split it off again, then merge the two stories.
    qtbot.waitUntil(lambda: model.thread_row_of(big.id) is not None)
    _wait_job(qtbot, window, "story", lambda: ops.split_off(entry_id))
    again = archive.entry(entry_id).thread_id
    assert again != big.id
    _wait_job(qtbot, window, "story", lambda: ops.merge_story(again, into=big.id))
    assert archive.entry(entry_id).thread_id == big.id

    # The grouped list shows the merged story with every item.
    def merged_shown() -> bool:
        row = model.thread_row_of(big.id)
        return (
            model.thread_row_of(again) is None
            and row is not None
            and model.thread_at(row).size == big.size
        )

    qtbot.waitUntil(merged_shown)
    assert model.index(model.thread_row_of(big.id), 0).data(IS_THREAD_ROLE)
