"""The reader's own highlights: select text, keep it, see it painted back, edit, remove,
list them all and export them as Markdown."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QTextCursor

from reader.core import Archive
from ui.main_window import MainWindow
from ui.widgets.user_highlights import HIGHLIGHT_COLORS


def _open_entry(qtbot, window: MainWindow, archive: Archive) -> int:
    entry = archive.entries(limit=1)[0]
    with qtbot.waitSignal(window.article_shown, timeout=5000):
        window.load_article(int(entry.id))
    return int(entry.id)


def _select(window: MainWindow, words: str) -> None:
    browser = window.reading_pane.browser
    found = browser.document().find(words)
    assert not found.isNull(), words
    browser.setTextCursor(found)


def test_selecting_text_and_highlighting_keeps_it(qtbot, window: MainWindow, archive: Archive):
    entry_id = _open_entry(qtbot, window, archive)
    _select(window, "agreed a ceasefire")
    with qtbot.waitSignal(window.highlights_changed, timeout=5000):
        assert window.reading_pane.highlight_selection("green", "key line")
    stored = archive.highlights(entry_id)
    assert [(h.quote, h.color, h.note) for h in stored] == [
        ("agreed a ceasefire", "green", "key line")
    ]
    text = archive.entry(entry_id).text
    assert stored[0].start == text.index("agreed a ceasefire")
    # Painted back in the article, in its colour, where the words are.
    painted = window.reading_pane.painted_highlights
    assert len(painted) == 1
    cursor = QTextCursor(window.reading_pane.browser.document())
    cursor.setPosition(painted[0].begin)
    cursor.setPosition(painted[0].end, QTextCursor.MoveMode.KeepAnchor)
    assert cursor.selectedText() == "agreed a ceasefire"
    cursor.setPosition(painted[0].begin + 1)
    assert cursor.charFormat().background().color().name() == HIGHLIGHT_COLORS["green"]


def test_highlight_can_be_recoloured_and_removed(qtbot, window: MainWindow, archive: Archive):
    entry_id = _open_entry(qtbot, window, archive)
    _select(window, "ministers")
    with qtbot.waitSignal(window.highlights_changed, timeout=5000):
        window.reading_pane.highlight_selection("yellow")
    highlight_id = archive.highlights(entry_id)[0].id
    with qtbot.waitSignal(window.highlights_changed, timeout=5000):
        window.reading_pane.highlight_edit_requested.emit(highlight_id, "a note", "pink")
    assert (archive.highlights(entry_id)[0].color, archive.highlights(entry_id)[0].note) == (
        "pink",
        "a note",
    )
    with qtbot.waitSignal(window.highlights_changed, timeout=5000):
        window.reading_pane.highlight_remove_requested.emit(highlight_id)
    assert archive.highlights(entry_id) == []
    assert window.reading_pane.painted_highlights == []


def test_nothing_selected_highlights_nothing(qtbot, window: MainWindow, archive: Archive):
    _open_entry(qtbot, window, archive)
    assert not window.reading_pane.highlight_selection("yellow")


def test_highlights_view_lists_newest_first_and_opens_entries(
    qtbot, window: MainWindow, archive: Archive, tmp_path: Path
):
    first, second = archive.entries(limit=2)
    archive.add_highlight(first.id, "ministers agreed", first.text.index("ministers"), "blue")
    archive.add_highlight(second.id, "ceasefire plan", second.text.index("ceasefire"), "pink", "n")
    window.reload_sources()
    qtbot.waitUntil(lambda: window.sources_model.index_for_key("highlights").isValid())
    with qtbot.waitSignal(window.highlights_shown, timeout=5000) as shown:
        window.sources_view.setCurrentIndex(window.sources_model.index_for_key("highlights"))
    assert shown.args == [2]
    view = window.highlights_view
    assert view.list.count() == 2
    assert view.list.item(0).text().startswith("“ceasefire plan”")  # the newest first
    assert "Note: n" in view.list.item(0).text()
    with qtbot.waitSignal(window.article_shown, timeout=5000) as opened:
        view.list.setCurrentRow(1)
    assert opened.args == [first.id]
    target = tmp_path / "highlights.md"
    window.actions_.export_highlights_md(str(target))
    qtbot.waitUntil(target.exists)
    text = target.read_text(encoding="utf-8")
    assert "> ceasefire plan" in text and "> ministers agreed" in text
