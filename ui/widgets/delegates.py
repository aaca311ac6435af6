"""Painting list rows: unread pills and badges in the sources tree, stars and withdrawn
marks in the entry list, and `<mark>`-highlighted search results."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QTextDocument
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui import theme
from ui.icons import star_path
from ui.models.rows import STARRED_ROLE, TITLE_COLUMN, WITHDRAWN_ROLE
from ui.models.search import META_ROLE, SNIPPET_HTML_ROLE, TITLE_HTML_ROLE
from ui.models.sources import LIVE_ROLE, UNREAD_ROLE

AnyIndex = QModelIndex | QPersistentModelIndex


def _pill(painter: QPainter, rect: QRect, text: str, font: QFont, fill: QColor, ink: QColor) -> int:
    """Draw a rounded badge right-aligned in rect; returns its width."""
    metrics = QFontMetrics(font)
    width = metrics.horizontalAdvance(text) + 12
    height = min(rect.height() - 4, metrics.height() + 2)
    box = QRectF(rect.right() - width - 4, rect.center().y() - height / 2 + 0.5, width, height)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(box, height / 2, height / 2)
    painter.setPen(ink)
    painter.setFont(font)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
    return width + 6


class SourceDelegate(QStyledItemDelegate):
    """Source rows: the name, then a LIVE badge and an unread count pill on the right."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        unread = int(index.data(UNREAD_ROLE) or 0)
        live = bool(index.data(LIVE_ROLE))
        colors = theme.current_colors()
        small = QFont(option.font)  # type: ignore[attr-defined]
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.85))
        small.setBold(True)
        metrics = QFontMetrics(small)
        reserved = 0
        if unread:
            reserved += metrics.horizontalAdvance(str(unread)) + 26
        if live:
            reserved += metrics.horizontalAdvance("LIVE") + 24
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        if unread:
            opt.font.setBold(True)  # type: ignore[attr-defined]
        rect = QRect(opt.rect)  # type: ignore[attr-defined]  # a copy: opt.rect changes below
        text_rect_width = max(0, rect.width() - reserved)
        opt.rect = QRect(rect.x(), rect.y(), text_rect_width, rect.height())  # type: ignore[attr-defined]
        style = opt.widget.style() if opt.widget else None  # type: ignore[attr-defined]
        # The name is drawn here, elided to the room the badges leave: the style sheet's item
        # drawing would clip it without an ellipsis.
        name = str(opt.text)  # type: ignore[attr-defined]
        opt.text = ""  # type: ignore[attr-defined]
        background = QStyleOptionViewItem(option)
        self.initStyleOption(background, index)
        background.text = ""  # type: ignore[attr-defined]
        background.icon = type(background.icon)()  # type: ignore[attr-defined]
        if style is not None:
            style.drawControl(
                QStyle.ControlElement.CE_ItemViewItem, background, painter, opt.widget
            )  # type: ignore[attr-defined]
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)  # type: ignore[attr-defined]
            text_rect = style.subElementRect(
                QStyle.SubElement.SE_ItemViewItemText,
                opt,
                opt.widget,  # type: ignore[attr-defined]
            )
        else:
            super().paint(painter, opt, index)
            text_rect = QRect(opt.rect)  # type: ignore[attr-defined]
        text_rect.setRight(min(text_rect.right(), rect.x() + text_rect_width - 4))
        font = QFont(opt.font)  # type: ignore[attr-defined]
        font.setBold(bool(unread) or font.bold())
        selected_now = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        painter.save()
        painter.setFont(font)
        painter.setPen(
            opt.palette.color(  # type: ignore[attr-defined]
                opt.palette.ColorRole.HighlightedText  # type: ignore[attr-defined]
                if selected_now
                else opt.palette.ColorRole.Text  # type: ignore[attr-defined]
            )
        )
        painter.drawText(
            text_rect,
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
            painter.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight, text_rect.width()),
        )
        painter.restore()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        badge_area = QRect(rect)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        if unread:
            fill = QColor(colors["accent"]) if not selected else QColor("white")
            ink = QColor("white") if not selected else QColor(colors["accent"])
            used = _pill(painter, badge_area, str(unread), small, fill, ink)
            badge_area.setRight(badge_area.right() - used)
        if live:
            _pill(painter, badge_area, "LIVE", small, QColor(colors["live"]), QColor("white"))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width() + 60, max(size.height(), 26))

    def helpEvent(
        self, event: Any, view: Any, option: QStyleOptionViewItem, index: AnyIndex
    ) -> bool:
        # The tooltip (with the error reason) is the model's ToolTipRole; nothing extra here.
        return bool(super().helpEvent(event, view, option, index))


class EntryDelegate(QStyledItemDelegate):
    """Entry rows: a star for starred entries, struck-through muted titles when withdrawn."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        starred = bool(index.data(STARRED_ROLE))
        withdrawn = bool(index.data(WITHDRAWN_ROLE))
        colors = theme.current_colors()
        if index.column() == TITLE_COLUMN and starred:
            rect = QRect(opt.rect)  # type: ignore[attr-defined]  # a copy: opt.rect changes below
            opt.rect = QRect(rect.x(), rect.y(), max(0, rect.width() - 20), rect.height())  # type: ignore[attr-defined]
        if withdrawn:
            opt.font.setStrikeOut(True)  # type: ignore[attr-defined]
            opt.palette.setColor(opt.palette.ColorRole.Text, QColor(colors["muted"]))  # type: ignore[attr-defined]
        widget = opt.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else None
        if style is not None:
            if index.column() == TITLE_COLUMN and starred:
                full = QStyleOptionViewItem(option)
                self.initStyleOption(full, index)
                full.text = ""  # type: ignore[attr-defined]
                style.drawControl(QStyle.ControlElement.CE_ItemViewItem, full, painter, widget)
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        else:
            super().paint(painter, opt, index)
        if index.column() == TITLE_COLUMN and starred:
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            full_rect: QRect = option.rect  # type: ignore[attr-defined]
            center = QPointF(full_rect.right() - 10, full_rect.center().y() + 0.5)
            painter.setPen(QColor("#d99a00"))
            painter.setBrush(QColor("#f5b800"))
            painter.drawPath(star_path(center, 6.5))
            painter.restore()


class SearchHitDelegate(QStyledItemDelegate):
    """Two-line search results: highlighted title, highlighted snippet, then source and time."""

    def _document(self, option: QStyleOptionViewItem, index: AnyIndex, width: int) -> QTextDocument:
        colors = theme.current_colors()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        text = colors["highlighted_text"] if selected else colors["text"]
        muted = colors["highlighted_text"] if selected else colors["muted"]
        document = QTextDocument()
        document.setDocumentMargin(6)
        document.setDefaultFont(option.font)  # type: ignore[attr-defined]
        document.setDefaultStyleSheet(
            f"mark {{ background-color: {colors['match']}; color: {colors['text']}; }}"
            f"body {{ color: {text}; }} .meta {{ color: {muted}; }}"
        )
        title = index.data(TITLE_HTML_ROLE) or ""
        snippet = index.data(SNIPPET_HTML_ROLE) or ""
        meta = index.data(META_ROLE) or ""
        document.setHtml(
            f"<body><b>{_marks(title)}</b><br>{_marks(snippet)}"
            f"<br><span class='meta'><small>{meta}</small></span></body>"
        )
        document.setTextWidth(width)
        return document

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""  # type: ignore[attr-defined]
        widget = opt.widget  # type: ignore[attr-defined]
        if widget is not None:
            widget.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect: QRect = option.rect  # type: ignore[attr-defined]
        document = self._document(option, index, rect.width())
        painter.save()
        painter.translate(rect.topLeft())
        painter.setClipRect(QRect(0, 0, rect.width(), rect.height()))
        document.drawContents(painter)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        width = option.rect.width() if option.rect.width() > 50 else 360  # type: ignore[attr-defined]
        document = self._document(option, index, width)
        return QSize(width, int(document.size().height()) + 2)


def _marks(marked_html: str) -> str:
    # QTextDocument ignores <mark>; a styled span renders the same highlight. The match keeps
    # the unselected text color so that it stays readable on a selected (dark) row.
    colors = theme.current_colors()
    style = f"background-color: {colors['match']}; color: {colors['text']}"
    return marked_html.replace("<mark>", f"<span style='{style}'>").replace("</mark>", "</span>")
