"""The article view: a QTextBrowser that shows sanitized HTML and loads nothing from outside.

`loadResource` serves images only from the local asset cache (a lookup the pane supplies);
remote URLs and `file:` paths are never read, so reading is private and works offline.
Search matches (`<span class="nd-match" id="nd-match-N">`) can be stepped through.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QRectF, Qt, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPainter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QTextBrowser, QTextEdit

ImageLookup = Callable[[str], bytes | None]
MAX_IMAGE_BYTES = 25 * 1024 * 1024


class ArticleBrowser(QTextBrowser):
    """No JavaScript, no network, no file system: only images from the asset cache."""

    link_activated = Signal(QUrl)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setReadOnly(True)
        self.document().setDocumentMargin(18)
        # Text wraps and images are scaled to the pane: sideways scrolling is never needed.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.anchorClicked.connect(self._on_anchor_clicked)
        self._image_lookup: ImageLookup = lambda _url: None
        self._images_served: list[str] = []
        self._images_refused: list[str] = []
        self._matches: list[tuple[int, int]] = []
        self._current_match = -1
        self._match_colors = (QColor("#ffe066"), QColor("#ff9f1c"))

    # -- resources -------------------------------------------------------------------
    def set_image_lookup(self, lookup: ImageLookup) -> None:
        self._image_lookup = lookup

    @property
    def images_served(self) -> list[str]:
        return list(self._images_served)

    @property
    def images_refused(self) -> list[str]:
        return list(self._images_refused)

    def loadResource(self, kind: int, url: QUrl | str) -> Any:  # noqa: N802 - Qt override
        name = url.toString() if isinstance(url, QUrl) else str(url)
        if kind != int(QTextDocument.ResourceType.ImageResource.value):
            return None  # style sheets and anything else: never loaded from outside
        data = self._image_lookup(name) if name.startswith(("http://", "https://")) else None
        image = QImage()
        if data is not None and len(data) <= MAX_IMAGE_BYTES:
            image.loadFromData(data)
        if image.isNull():
            self._images_refused.append(name)
            return self._placeholder()
        self._images_served.append(name)
        # Room for the vertical scroll bar too, which appears once the image makes the page long.
        scroll_bar = self.style().pixelMetric(self.style().PixelMetric.PM_ScrollBarExtent)
        margin = 2 * int(self.document().documentMargin())
        limit = max(120, self.viewport().width() - margin - scroll_bar - 8)
        if image.width() > limit:
            image = image.scaledToWidth(limit, Qt.TransformationMode.SmoothTransformation)
        return image

    def _placeholder(self) -> QImage:
        image = QImage(300, 34, QImage.Format.Format_ARGB32)
        image.fill(QColor(0, 0, 0, 0))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        border = self.palette().color(self.palette().ColorRole.Mid)
        painter.setPen(border)
        painter.drawRoundedRect(QRectF(0.5, 0.5, 299, 33), 4, 4)
        painter.setPen(self.palette().color(self.palette().ColorRole.PlaceholderText))
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
        painter.setFont(font)
        painter.drawText(
            QRectF(0, 0, 300, 34), Qt.AlignmentFlag.AlignCenter, "Image not saved for offline use"
        )
        painter.end()
        return image

    def clear_resources(self) -> None:
        self._images_served.clear()
        self._images_refused.clear()
        self.document().clear()

    # -- links -----------------------------------------------------------------------
    def _on_anchor_clicked(self, url: QUrl) -> None:
        self.link_activated.emit(url)

    # -- search matches --------------------------------------------------------------
    def set_match_colors(self, match: QColor, current: QColor) -> None:
        self._match_colors = (match, current)

    def collect_matches(self) -> int:
        """Find the highlighted matches in the document; returns how many there are."""
        self._matches = []
        self._current_match = -1
        match_color = self._match_colors[0]
        block = self.document().begin()
        open_start: int | None = None
        open_end = 0
        while block.isValid():
            iterator = block.begin()
            while not iterator.atEnd():
                fragment = iterator.fragment()
                fmt = fragment.charFormat()
                starts = any(name.startswith("nd-match-") for name in fmt.anchorNames())
                highlighted = (
                    fmt.background().color() == match_color
                    and fmt.background().style() != Qt.BrushStyle.NoBrush
                )
                if starts or (highlighted and open_start is None):
                    if open_start is not None:
                        self._matches.append((open_start, open_end))
                    open_start = fragment.position()
                    open_end = fragment.position() + fragment.length()
                elif highlighted and open_start is not None and fragment.position() == open_end:
                    open_end = fragment.position() + fragment.length()
                elif open_start is not None:
                    self._matches.append((open_start, open_end))
                    open_start = None
                iterator += 1
            block = block.next()
        if open_start is not None:
            self._matches.append((open_start, open_end))
        self.setExtraSelections([])
        return len(self._matches)

    @property
    def match_count(self) -> int:
        return len(self._matches)

    @property
    def current_match(self) -> int:
        """0-based index of the current match, -1 when none is selected."""
        return self._current_match

    def go_to_match(self, index: int) -> None:
        if not self._matches:
            return
        self._current_match = index % len(self._matches)
        start, end = self._matches[self._current_match]
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor  # type: ignore[attr-defined]
        fmt = QTextCharFormat()
        fmt.setBackground(self._match_colors[1])
        selection.format = fmt  # type: ignore[attr-defined]
        self.setExtraSelections([selection])
        plain = QTextCursor(self.document())
        plain.setPosition(start)
        self.setTextCursor(plain)
        self.ensureCursorVisible()

    def next_match(self) -> None:
        self.go_to_match(self._current_match + 1)

    def previous_match(self) -> None:
        self.go_to_match(self._current_match - 1 if self._current_match >= 0 else -1)
