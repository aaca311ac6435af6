"""The main window over a small archive: navigation, reading, keyboard, state, themes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from reader.core import Archive
from tests.gui.conftest import make_window
from ui.main_window import READER_PAGE, WELCOME_PAGE, MainWindow
from ui.models.rows import ENTRY_ID_ROLE, READ_ROLE


def _select_source(qtbot, window: MainWindow, key: str) -> None:
    index = window.sources_model.index_for_key(key)
    assert index.isValid(), key
    window.sources_view.setCurrentIndex(index)
    wanted = window.sources_model.node(index).source_ids()
    # No threads in this archive: the grouped view falls back to the flat list.
    qtbot.waitUntil(
        lambda: (
            window.entries_view.model() is window.flat_model
            and window.flat_model.query.source_ids == wanted
            and window.flat_model.rowCount() > 0
        )
    )


def test_window_shows_sources_and_entries(qtbot, window: MainWindow) -> None:
    assert "Newsdesk" in window.windowTitle()
    assert window.pages.currentIndex() == READER_PAGE
    titles = [node.title for node in window.sources_model.nodes()]
    assert titles[:3] == ["All entries", "Unread", "Starred"]
    assert {"News", "World", "Science", "Live blog"} <= set(titles)
    # No topic threads in this archive yet: the list falls back to newest first.
    qtbot.waitUntil(
        lambda: (
            window.entries_view.model() is window.flat_model and window.flat_model.rowCount() == 43
        )
    )


def test_selecting_an_entry_reads_it(qtbot, window: MainWindow, archive: Archive) -> None:
    qtbot.waitUntil(lambda: window.flat_model.rowCount() > 0)
    index = window.flat_model.index(2, 0)
    entry_id = index.data(ENTRY_ID_ROLE)
    with qtbot.waitSignal(window.article_shown, timeout=5000) as shown:
        window.entries_view.setCurrentIndex(index)
    assert shown.args == [entry_id]
    assert window.reading_pane.entry_id == entry_id
    assert archive.entry(entry_id).title in window.reading_pane.browser.toPlainText()
    qtbot.waitUntil(lambda: archive.entry(entry_id).read)
    # The row shows it too (its page may be reloading: the list keeps only pages in view).
    qtbot.waitUntil(lambda: window.flat_model.data(index, READ_ROLE) is True)


def test_keyboard_moves_marks_and_stars(qtbot, window: MainWindow, archive: Archive) -> None:
    _select_source(qtbot, window, f"source:{_source_id(archive, 'Science')}")
    window.entries_view.setFocus()
    with qtbot.waitSignal(window.article_shown):
        qtbot.keyClick(window.entries_view, Qt.Key.Key_J)
    first = window.reading_pane.entry_id
    with qtbot.waitSignal(window.article_shown):
        qtbot.keyClick(window.entries_view, Qt.Key.Key_J)
    second = window.reading_pane.entry_id
    assert first != second and second is not None
    qtbot.waitUntil(lambda: archive.entry(second).read)
    qtbot.keyClick(window.entries_view, Qt.Key.Key_M)  # toggle back to unread
    qtbot.waitUntil(lambda: not archive.entry(second).read)
    qtbot.keyClick(window.entries_view, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: archive.entry(second).starred)
    with qtbot.waitSignal(window.article_shown):
        qtbot.keyClick(window.entries_view, Qt.Key.Key_K)
    assert window.reading_pane.entry_id == first


def test_next_unread_skips_read_entries(qtbot, window: MainWindow, archive: Archive) -> None:
    _select_source(qtbot, window, f"source:{_source_id(archive, 'Science')}")
    model = window.flat_model
    qtbot.waitUntil(lambda: all(model.entry_row(r) for r in range(model.rowCount())))
    rows = [model.entry_row(r) for r in range(model.rowCount())]
    window.set_read([rows[1].id, rows[2].id], True)
    window.entries_view.setCurrentIndex(window.flat_model.index(0, 0))
    qtbot.waitUntil(lambda: window.reading_pane.entry_id == rows[0].id)
    with qtbot.waitSignal(window.article_shown):
        assert window.move_selection(1, unread_only=True)
    assert window.reading_pane.entry_id == rows[3].id


def test_slash_focuses_search(qtbot, window: MainWindow) -> None:
    window.entries_view.setFocus()
    window.activateWindow()
    window.actions_.find.trigger()
    assert window.search_box.hasFocus() or QApplication.focusWidget() is window.search_box


def test_empty_archive_opens_on_the_welcome_view(
    qtbot, empty_archive: Archive, tmp_path: Path
) -> None:
    window = make_window(qtbot, empty_archive, tmp_path)
    assert window.pages.currentIndex() == WELCOME_PAGE
    with qtbot.waitSignal(window.demo_requested):
        window.welcome.demo_button.click()
    window.close()


def test_splitter_and_geometry_are_remembered(qtbot, archive: Archive, tmp_path: Path) -> None:
    window = make_window(qtbot, archive, tmp_path)
    # The offscreen screen is 800x600: restored geometry is kept inside the screen.
    window.resize(760, 560)
    window.splitter.setSizes([200, 250, 300])
    sizes = window.splitter.sizes()
    window.close()
    again = make_window(qtbot, archive, tmp_path)
    assert again.splitter.sizes() == sizes
    assert again.size().width() == 760
    again.close()


def test_dark_theme_applies_a_dark_palette(qtbot, window: MainWindow) -> None:
    window.settings.theme = "dark"
    window.apply_settings()
    app = QApplication.instance()
    assert app.palette().color(QPalette.ColorRole.Base).lightness() < 60
    window.settings.theme = "light"
    window.apply_settings()
    assert app.palette().color(QPalette.ColorRole.Base).lightness() > 200


def test_mark_all_read_on_a_source(qtbot, window: MainWindow, archive: Archive) -> None:
    science = _source_id(archive, "Science")
    _select_source(qtbot, window, f"source:{science}")
    window.actions_.mark_all_read.trigger()
    qtbot.waitUntil(lambda: archive.count_entries(source_id=science, unread=True) == 0)
    assert archive.count_entries(unread=True) > 0


def test_shortcuts_window_lists_the_keys(qtbot, window: MainWindow) -> None:
    dialog = window.actions_.show_shortcuts()
    text = dialog.findChild(type(window.reading_pane.browser).__mro__[1]).toPlainText()
    for key in ("J / K", "N / P", "Space", "F3 / Shift+F3"):
        assert key in text
    dialog.close()


def _source_id(archive: Archive, title: str) -> int:
    return next(int(s.id) for s in archive.sources() if s.title == title)
