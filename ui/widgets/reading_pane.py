"""The reading pane: a small action bar over the article browser.

It shows one entry (with images from the asset cache), a thread's timeline, or a message.
Loading an entry's data runs on a worker; the pane only renders on the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QPoint, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QIcon, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reader.highlights import Highlight
from reader.types import Entry, Image, Revision, Source
from ui import theme
from ui.article_html import (
    ThreadLike,
    document_css,
    entry_header_html,
    entry_html,
    highlight_terms,
    natural_image_sizes,
    thread_html,
)
from ui.icons import icon
from ui.widgets.article_browser import ArticleBrowser
from ui.widgets.user_highlights import (
    HIGHLIGHT_COLORS,
    PaintedHighlight,
    body_offset,
    highlight_at,
    paint_highlights,
    selection_quote,
)


@dataclass(frozen=True)
class ArticleData:
    """Everything the pane needs to show one entry, read on a worker thread."""

    entry: Entry
    source: Source | None
    images: dict[str, bytes]  # image URL -> cached bytes
    terms: tuple[str, ...] = ()
    # The reader's highlights with where they are in the entry's current text (None: gone).
    highlights: tuple[tuple[Highlight, tuple[int, int] | None], ...] = ()


class ReadingPane(QWidget):
    open_entry_requested = Signal(int)
    history_requested = Signal(int)
    star_toggled = Signal(int, bool)
    read_toggled = Signal(int, bool)
    match_changed = Signal(int, int)  # current (1-based), total
    # entry id, quote, offset in the entry's plain text, colour, note
    highlight_requested = Signal(int, str, int, str, str)
    highlight_edit_requested = Signal(int, str, str)  # highlight id, note, colour
    highlight_remove_requested = Signal(int)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.browser = ArticleBrowser(self)
        self.browser.setObjectName("articleBrowser")
        self.browser.link_activated.connect(self._on_browser_link)
        self.browser.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.browser.customContextMenuRequested.connect(self._on_browser_context_menu)
        self._painted: list[PaintedHighlight] = []
        self._body_offset = 0
        self._article: ArticleData | None = None
        self._thread_id: int | None = None  # the story whose timeline is shown
        self._font_pt = 11
        self._highlighter: Any = None  # the core's highlight_html when available

        bar = QWidget(self)
        bar.setObjectName("articleBar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(8, 4, 8, 4)
        row.setSpacing(2)
        self.star_button = self._tool(icon("starred"), "Star (S)", checkable=True)
        self.star_button.toggled.connect(self._on_star_button_toggled)
        self.read_button = self._tool(icon("check"), "Read (M toggles)", checkable=True)
        self.read_button.toggled.connect(self._on_read_button_toggled)
        self.history_button = self._tool(icon("history"), "Show revision history")
        self.history_button.clicked.connect(self._on_history_clicked)
        self.browser_button = self._tool(icon("browser"), "Open in browser (O)")
        self.browser_button.setText("Open in browser")
        self.browser_button.clicked.connect(self.open_in_browser)
        for button in (self.star_button, self.read_button, self.history_button):
            row.addWidget(button)
        row.addStretch(1)
        self.match_label = QLabel("", bar)
        self.match_label.setObjectName("matchCounter")
        self.previous_match_button = self._tool(None, "Previous match (Shift+F3)")
        self.previous_match_button.setText("▲")
        self.previous_match_button.clicked.connect(self.previous_match)
        self.next_match_button = self._tool(None, "Next match (F3)")
        self.next_match_button.setText("▼")
        self.next_match_button.clicked.connect(self.next_match)
        for widget in (self.match_label, self.previous_match_button, self.next_match_button):
            row.addWidget(widget)
        row.addWidget(self.browser_button)
        self.bar = bar

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addWidget(self.browser, 1)
        self._update_bar()

    def _tool(self, the_icon: Any, tip: str, *, checkable: bool = False) -> QToolButton:
        button = QToolButton(self)
        if the_icon is not None:
            button.setIcon(the_icon)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setCheckable(checkable)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        return button

    # -- configuration ---------------------------------------------------------------
    def set_font_size(self, points: int) -> None:
        self._font_pt = points
        self._apply_css()
        if self._article is not None:
            self.show_article(self._article)

    def set_highlighter(self, highlighter: Any) -> None:
        """The core's `highlight_html(html, terms) -> (html, count)`, if it has one."""
        self._highlighter = highlighter

    def _apply_css(self) -> None:
        colors = theme.current_colors()
        self.browser.document().setDefaultStyleSheet(document_css(colors, self._font_pt))
        self.browser.set_match_colors(theme.color("match"), theme.color("match_current"))

    def refresh_theme(self) -> None:
        for button, name in (
            (self.star_button, "starred"),
            (self.read_button, "check"),
            (self.history_button, "history"),
            (self.browser_button, "browser"),
        ):
            button.setIcon(icon(name))
        self._apply_css()
        if self._article is not None:
            self.show_article(self._article)

    # -- what is shown -----------------------------------------------------------------
    @property
    def article(self) -> ArticleData | None:
        return self._article

    @property
    def entry_id(self) -> int | None:
        return int(self._article.entry.id) if self._article is not None else None

    def show_article(self, article: ArticleData, *, keep_scroll: bool = False) -> None:
        scroll = self.browser.verticalScrollBar().value()
        self._article = article
        self._thread_id = None
        self._apply_css()
        images = article.images
        self.browser.set_image_lookup(images.get)
        self.browser.clear_resources()
        revisions = article.entry.revisions
        header = entry_header_html(article.entry, article.source, revisions=revisions)
        self._body_offset = body_offset(header)
        document = natural_image_sizes(
            entry_html(article.entry, article.source, revisions=revisions)
        )
        count = 0
        if article.terms:
            document, count = self._highlight(document, article.terms)
        self.browser.setHtml(document)
        self.browser.collect_matches()
        self._painted = paint_highlights(
            self.browser.document(),
            list(article.highlights),
            article.entry.text,
            self._body_offset,
        )
        if keep_scroll:
            self.browser.verticalScrollBar().setValue(scroll)
        elif count:
            self.browser.go_to_match(0)
        else:
            self.browser.verticalScrollBar().setValue(0)
        self._update_bar()

    @property
    def painted_highlights(self) -> list[PaintedHighlight]:
        return list(self._painted)

    def highlight_selection(self, color: str = "yellow", note: str = "") -> bool:
        """Ask for the selected passage to be kept as a highlight; False when nothing is."""
        if self._article is None:
            return False
        found = selection_quote(self.browser.textCursor(), self._body_offset)
        if found is None:
            return False
        quote, start = found
        self.highlight_requested.emit(int(self._article.entry.id), quote, start, color, note)
        return True

    def _on_browser_context_menu(self, position: QPoint) -> None:
        menu = self.browser.createStandardContextMenu(position)
        self.add_highlight_actions(menu, self.browser.cursorForPosition(position).position())
        menu.exec(self.browser.viewport().mapToGlobal(position))
        menu.deleteLater()

    def add_highlight_actions(self, menu: QMenu, position: int) -> None:
        """Highlight the selection (a colour, or with a note), or change the one clicked."""
        if self._article is None:
            return
        menu.addSeparator()
        if self.browser.textCursor().hasSelection():
            for color in HIGHLIGHT_COLORS:
                action = menu.addAction(_swatch(color), f"Highlight {color}")
                action.triggered.connect(
                    lambda _c=False, chosen=color: self.highlight_selection(chosen)
                )
            with_note = menu.addAction("Highlight with a note…")
            with_note.triggered.connect(self._on_highlight_with_note)
        clicked = highlight_at(self._painted, position)
        if clicked is not None:
            item = clicked.highlight
            edit = menu.addAction("Edit highlight note…")
            edit.triggered.connect(lambda _c=False: self._edit_note(item))
            colors = menu.addMenu("Highlight colour")
            for color in HIGHLIGHT_COLORS:
                action = colors.addAction(_swatch(color), color.capitalize())
                action.setCheckable(True)
                action.setChecked(color == item.color)
                action.triggered.connect(
                    lambda _c=False, chosen=color: self.highlight_edit_requested.emit(
                        item.id, item.note, chosen
                    )
                )
            remove = menu.addAction("Remove highlight")
            remove.triggered.connect(lambda _c=False: self.highlight_remove_requested.emit(item.id))

    def _on_highlight_with_note(self) -> None:
        if not self.browser.textCursor().hasSelection():
            return
        note, ok = QInputDialog.getMultiLineText(self, "Highlight", "Note (optional):")
        if ok:
            self.highlight_selection("yellow", note.strip())

    def _edit_note(self, item: Highlight) -> None:
        note, ok = QInputDialog.getMultiLineText(self, "Highlight note", "Note:", item.note)
        if ok:
            self.highlight_edit_requested.emit(item.id, note.strip(), item.color)

    def _highlight(self, document: str, terms: tuple[str, ...]) -> tuple[str, int]:
        if self._highlighter is not None:
            try:
                marked, count = self._highlighter(document, list(terms))
                return str(marked), int(count)
            except Exception:  # fall back to plain word matching rather than show nothing
                pass
        return highlight_terms(document, terms)

    def update_entry(self, entry: Entry) -> None:
        """Reflect a read/starred change of the shown entry without re-rendering."""
        if self._article is not None and self._article.entry.id == entry.id:
            self._article = replace(self._article, entry=entry)
            self._update_bar()

    @property
    def shown_thread_id(self) -> int | None:
        """The story whose timeline is shown, if one is."""
        return self._thread_id

    def show_thread(
        self,
        thread: ThreadLike,
        entries: list[Entry],
        *,
        note: str = "",
        keep_scroll: bool = False,
    ) -> None:
        """A story's timeline; `note` says something about it above the timeline."""
        scroll = self.browser.verticalScrollBar().value()
        self._article = None
        self._thread_id = getattr(thread, "id", None)
        self._painted = []
        self._apply_css()
        self.browser.clear_resources()
        self.browser.setHtml(thread_html(thread, entries, note))
        self.browser.collect_matches()
        if keep_scroll:
            self.browser.verticalScrollBar().setValue(scroll)
        self._update_bar()

    def show_message(self, title: str, text: str) -> None:
        self._article = None
        self._thread_id = None
        self._painted = []
        self._apply_css()
        self.browser.clear_resources()
        import html

        self.browser.setHtml(
            f"<body><p><br></p><h2 align='center' class='meta'>{html.escape(title)}</h2>"
            f"<p align='center' class='meta'>{html.escape(text)}</p></body>"
        )
        self.browser.collect_matches()
        self._update_bar()

    def clear(self) -> None:
        self.show_message("Nothing selected", "Choose an entry to read it here.")

    # -- actions -----------------------------------------------------------------------
    def open_in_browser(self) -> bool:
        if self._article is None or not self._article.entry.url:
            return False
        url = QUrl(self._article.entry.url)
        if url.scheme() not in ("http", "https"):
            return False
        return bool(QDesktopServices.openUrl(url))

    def next_match(self) -> None:
        self.browser.next_match()
        self._update_bar()

    def previous_match(self) -> None:
        self.browser.previous_match()
        self._update_bar()

    def page_down(self) -> bool:
        """Scroll one page; False when already at the bottom (space then moves on)."""
        bar = self.browser.verticalScrollBar()
        if bar.value() >= bar.maximum():
            return False
        bar.setValue(bar.value() + bar.pageStep())
        return True

    def _update_bar(self) -> None:
        article = self._article
        has_entry = article is not None
        for button in (self.star_button, self.read_button, self.browser_button):
            button.setEnabled(has_entry)
        self.browser_button.setEnabled(bool(article and article.entry.url))
        self.history_button.setVisible(bool(article and article.entry.revisions > 1))
        if article is not None:
            self.history_button.setText(f"{article.entry.revisions} versions")
            for button, state in (
                (self.star_button, article.entry.starred),
                (self.read_button, article.entry.read),
            ):
                button.blockSignals(True)
                button.setChecked(state)
                button.blockSignals(False)
            self.star_button.setText("Starred" if article.entry.starred else "Star")
            self.read_button.setText("Read" if article.entry.read else "Unread")
        total = self.browser.match_count
        for widget in (self.match_label, self.previous_match_button, self.next_match_button):
            widget.setVisible(total > 0)
        if total:
            current = self.browser.current_match + 1
            self.match_label.setText(f"{max(current, 1)} of {total}")
            self.match_changed.emit(current, total)

    def match_text(self) -> str:
        return self.match_label.text() if self.browser.match_count else ""

    # -- slots -------------------------------------------------------------------------
    def _on_star_button_toggled(self, checked: bool) -> None:
        if self._article is not None:
            self.star_toggled.emit(int(self._article.entry.id), checked)

    def _on_read_button_toggled(self, checked: bool) -> None:
        if self._article is not None:
            self.read_toggled.emit(int(self._article.entry.id), checked)

    def _on_history_clicked(self) -> None:
        if self._article is not None:
            self.history_requested.emit(int(self._article.entry.id))

    def _on_browser_link(self, url: QUrl) -> None:
        if url.scheme() == "newsdesk":
            path = url.path()
            if path == "history" and self._article is not None:
                self.history_requested.emit(int(self._article.entry.id))
            elif path.startswith("entry/"):
                try:
                    self.open_entry_requested.emit(int(path.removeprefix("entry/")))
                except ValueError:
                    pass
            return
        if url.scheme() in ("http", "https"):
            QDesktopServices.openUrl(url)


def _swatch(color: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor(HIGHLIGHT_COLORS[color]))
    return QIcon(pixmap)


def highlights_for(archive: Any, entry_id: int) -> tuple[tuple[Highlight, Any], ...]:
    """An entry's highlights, located in its current text (worker thread)."""
    return tuple(archive.anchored_highlights(entry_id))


def images_for(archive: Any, entry_id: int) -> dict[str, bytes]:
    """Cached images of an entry: URL -> bytes from the image store (worker thread)."""
    from reader.assets import cached_image

    found: dict[str, bytes] = {}
    images: list[Image] = archive.images(entry_id)
    for image in images:
        data: bytes | None = None
        if image.cached and image.sha256:
            data = archive.image_bytes(image.sha256)
        if data is None:
            data = cached_image(archive, image.url)  # the same picture cached for another entry
        if data is not None:
            found[image.url] = data
    return found


def history_of(archive: Any, entry_id: int) -> list[Revision]:
    return list(archive.revision_history(entry_id))
