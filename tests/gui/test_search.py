"""Search in the window against the real core: results with marked titles and snippets, the
article with every match marked and counted, F3, paging, inline errors, saved searches."""

from __future__ import annotations

from PySide6.QtCore import Qt

from reader.core import Archive
from tests.gui.conftest import add_entries
from ui.main_window import ENTRIES_PAGE, SEARCH_PAGE, MainWindow
from ui.models.rows import ENTRY_ID_ROLE
from ui.models.search import SNIPPET_HTML_ROLE, TITLE_HTML_ROLE


def _search(qtbot, window: MainWindow, query: str) -> None:
    window.search_box.setText(query)
    with qtbot.waitSignal(window.search_done, timeout=5000):
        window.run_search()


def test_search_shows_marked_results_and_the_article_with_matches(
    qtbot, window: MainWindow, archive: Archive
) -> None:
    with qtbot.waitSignal(window.article_shown, timeout=5000):
        _search(qtbot, window, "science")
    assert window.middle.currentIndex() == SEARCH_PAGE
    model = window.search_model
    assert model.rowCount() == 5
    assert window.search_summary.text() == "5 results for “science”"
    first = model.index(0, 0)
    assert "<mark>Science</mark>" in first.data(TITLE_HTML_ROLE)
    assert "<mark>" in first.data(SNIPPET_HTML_ROLE)
    # The first hit opened with every match marked (title and body), the first one current.
    pane = window.reading_pane
    assert pane.entry_id == first.data(ENTRY_ID_ROLE)
    assert pane.browser.match_count == 2
    assert pane.match_text() == "1 of 2"
    qtbot.keyClick(window, Qt.Key.Key_F3)
    assert pane.match_text() == "2 of 2"
    qtbot.keyClick(window, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert pane.match_text() == "1 of 2"


def test_stemmed_matches_are_marked_in_the_article(qtbot, window, archive: Archive) -> None:
    with qtbot.waitSignal(window.article_shown, timeout=5000):
        _search(qtbot, window, "ceasefires")  # the stem finds "ceasefire"
    assert window.search_model.rowCount() > 0
    assert window.reading_pane.browser.match_count >= 1


def test_a_query_that_cannot_be_understood_says_why_inline(qtbot, window: MainWindow) -> None:
    _search(qtbot, window, '"unbalanced')
    assert window.search_model.rowCount() == 0
    assert window.search_message.isVisible()
    assert "quote" in window.search_message.text()
    assert not window.save_search_button.isEnabled()


def test_results_load_a_page_at_a_time(qtbot, window: MainWindow, archive: Archive) -> None:
    world = next(s for s in archive.sources() if s.title == "World")
    add_entries(archive, world.id, 80, prefix="Ceasefire")
    _search(qtbot, window, "ceasefire")
    model = window.search_model
    assert model.rowCount() == 50 and model.canFetchMore(model.index(-1, 0))
    with qtbot.waitSignal(model.rowsInserted, timeout=5000):
        model.fetchMore(model.index(-1, 0))
    assert model.rowCount() > 50


def test_escape_leaves_search(qtbot, window: MainWindow) -> None:
    _search(qtbot, window, "science")
    window.search_box.setFocus()
    qtbot.keyClick(window.search_box, Qt.Key.Key_Escape)
    assert window.middle.currentIndex() == ENTRIES_PAGE
    assert window.search_box.text() == ""


def test_saved_search_is_a_smart_folder_with_an_unread_count(
    qtbot, window: MainWindow, archive: Archive
) -> None:
    saved = archive.save_search("Science", "science")
    with qtbot.waitSignal(window.sources_loaded):
        window.reload_sources()
    key = f"search:{saved.id}"
    node = window.sources_model.node(window.sources_model.index_for_key(key))
    assert node is not None and node.unread == 5
    # Opening it lists its entries newest first; reading one marks its matches.
    window.sources_view.setCurrentIndex(window.sources_model.index_for_key(key))
    qtbot.waitUntil(lambda: window.flat_model.query.search == "science")
    qtbot.waitUntil(lambda: window.flat_model.rowCount() == 5)
    qtbot.waitUntil(lambda: window._list_terms != ())
    with qtbot.waitSignal(window.article_shown, timeout=5000):
        window.flat_view.setCurrentIndex(window.flat_model.index(0, 0))
    assert window.reading_pane.browser.match_count >= 1
    qtbot.waitUntil(lambda: archive.count_matches("science", unread_only=True) == 4)
    # New matching entries raise the count after a refresh (the tree reloads its counts).
    science = next(s for s in archive.sources() if s.title == "Science")
    add_entries(archive, science.id, 3, prefix="Science late")
    with qtbot.waitSignal(window.sources_loaded):
        window.reload_sources()
    node = window.sources_model.node(window.sources_model.index_for_key(key))
    assert node.unread == 5 - 1 + 3  # one was read above
