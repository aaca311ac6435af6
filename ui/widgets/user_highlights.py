"""The reader's own highlights inside the article document: finding them, painting them, and
turning a selection into the (quote, offset in the entry's plain text) the core stores.

The document shows a header (title, byline) before the body, so offsets in it differ from
offsets in `entry.text` by about the header's length; quotes are then found with the core's
whitespace- and edit-tolerant `locate_highlight`, nearest to that estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextDocument

from reader.highlights import Highlight, locate_highlight

# Soft colours that keep dark text readable; distinct from the search-match yellow.
HIGHLIGHT_COLORS: dict[str, str] = {
    "yellow": "#fff1a8",
    "green": "#c8f0c0",
    "blue": "#c6e2ff",
    "pink": "#ffd0e4",
}
HIGHLIGHT_TEXT = "#1f2328"


@dataclass(frozen=True)
class PaintedHighlight:
    """A stored highlight and where it is in the shown document."""

    highlight: Highlight
    begin: int
    end: int


def body_offset(header_html: str) -> int:
    """Where the entry's body starts in the document: the length of the header's text."""
    header = QTextDocument()
    header.setHtml(header_html)
    return len(header.toPlainText()) + 1


def plain_text(document: QTextDocument) -> str:
    """The document's characters, one per position (paragraph breaks become newlines)."""
    return document.toPlainText()


def paint_highlights(
    document: QTextDocument,
    anchored: list[tuple[Highlight, tuple[int, int] | None]],
    text: str,
    offset: int,
) -> list[PaintedHighlight]:
    """Colour each highlight still present in the entry's `text`; returns where they are."""
    shown = plain_text(document)
    painted: list[PaintedHighlight] = []
    for highlight, span in anchored:
        if span is None:
            continue  # the passage is gone from the current version
        quote = text[span[0] : span[1]]
        found = locate_highlight(shown, quote, "", "", offset + span[0])
        if found is None:
            continue
        cursor = QTextCursor(document)
        cursor.setPosition(found[0])
        cursor.setPosition(found[1], QTextCursor.MoveMode.KeepAnchor)
        fmt = QTextCharFormat()
        fmt.setBackground(QColor(HIGHLIGHT_COLORS.get(highlight.color, HIGHLIGHT_COLORS["yellow"])))
        fmt.setForeground(QColor(HIGHLIGHT_TEXT))
        if highlight.note:
            fmt.setToolTip(highlight.note)
        cursor.mergeCharFormat(fmt)
        painted.append(PaintedHighlight(highlight, found[0], found[1]))
    return painted


def selection_quote(cursor: QTextCursor, offset: int) -> tuple[str, int] | None:
    """The selected text and its estimated offset in the entry's plain text, or None when
    nothing (or only the header) is selected."""
    if not cursor.hasSelection():
        return None
    quote = cursor.selectedText().replace("\u2029", "\n").replace("\u2028", "\n").strip()
    if not quote:
        return None
    start = cursor.selectionStart() - offset
    return quote, max(0, start)


def highlight_at(painted: list[PaintedHighlight], position: int) -> PaintedHighlight | None:
    for item in painted:
        if item.begin <= position < item.end:
            return item
    return None
