"""Small icons drawn with QPainter (crisp at any DPI, no image files to ship) and the app icon."""

from __future__ import annotations

from functools import cache
from importlib import resources

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from ui import theme

_SIZE = 32


def app_icon() -> QIcon:
    """The app icon from `resources/icons` (SVG, with PNG sizes as fallbacks)."""
    icon = QIcon()
    folder = resources.files("resources.icons")
    svg = folder.joinpath("newsdesk.svg")
    if svg.is_file():
        icon.addFile(str(svg))
    for size in (16, 24, 32, 48, 64, 128, 256):
        png = folder.joinpath(f"newsdesk-{size}.png")
        if png.is_file():
            icon.addFile(str(png))
    return icon


def _canvas() -> tuple[QPixmap, QPainter]:
    pixmap = QPixmap(_SIZE, _SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    return pixmap, painter


def _pen(color: QColor, width: float = 2.6) -> QPen:
    pen = QPen(color, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _draw(kind: str, painter: QPainter, ink: QColor) -> None:
    colors = theme.current_colors()
    accent = QColor(colors["accent"])
    if kind == "feed":
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#f08a24"))
        painter.drawRoundedRect(QRectF(3, 3, 26, 26), 6, 6)
        painter.setPen(_pen(QColor("white"), 3))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawArc(QRectF(-2, 10, 24, 24), 0 * 16, 90 * 16)
        painter.drawArc(QRectF(-10, 3, 38, 38), 0 * 16, 90 * 16)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("white"))
        painter.drawEllipse(QPointF(10, 22), 2.6, 2.6)
    elif kind == "liveblog":
        live = QColor(colors["live"])
        painter.setPen(_pen(live, 2.4))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(QPointF(16, 16), 11, 11)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(live)
        painter.drawEllipse(QPointF(16, 16), 5.5, 5.5)
    elif kind == "folder":
        painter.setPen(_pen(ink.lighter(120) if ink.lightness() < 128 else ink, 2))
        painter.setBrush(QColor(colors["badge"]))
        path = QPainterPath()
        path.moveTo(4, 9)
        path.lineTo(12, 9)
        path.lineTo(15, 12)
        path.lineTo(28, 12)
        path.lineTo(28, 26)
        path.lineTo(4, 26)
        path.closeSubpath()
        painter.drawPath(path)
    elif kind in ("all", "unread"):
        painter.setPen(_pen(ink, 2.4))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QRectF(5, 7, 22, 18), 3, 3)
        if kind == "all":
            for y in (12, 16, 20):
                painter.drawLine(QPointF(9, y), QPointF(23, y))
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(accent)
            painter.drawEllipse(QPointF(16, 16), 4.5, 4.5)
    elif kind == "starred":
        painter.setPen(_pen(QColor("#d99a00"), 1.8))
        painter.setBrush(QColor("#f5b800"))
        painter.drawPath(star_path(QPointF(16, 16.5), 12.5))
    elif kind == "highlights":
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#ffd84d"))
        painter.drawRoundedRect(QRectF(4, 12, 24, 9), 2, 2)
        painter.setPen(_pen(ink, 2))
        for y in (8, 16.5, 25):
            painter.drawLine(QPointF(6, y), QPointF(26, y))
    elif kind in ("search", "searches"):
        painter.setPen(_pen(accent, 3))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(QPointF(13, 13), 8, 8)
        painter.drawLine(QPointF(19, 19), QPointF(27, 27))
    elif kind == "error":
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colors["error"]))
        path = QPainterPath()
        path.moveTo(16, 3)
        path.lineTo(30, 28)
        path.lineTo(2, 28)
        path.closeSubpath()
        painter.drawPath(path)
        painter.setPen(_pen(QColor("white"), 3))
        painter.drawLine(QPointF(16, 11), QPointF(16, 19))
        painter.drawPoint(QPointF(16, 24))
    elif kind == "refresh":
        painter.setPen(_pen(ink, 2.6))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawArc(QRectF(6, 6, 20, 20), 60 * 16, 280 * 16)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(ink)
        arrow = QPainterPath()
        arrow.moveTo(19, 2)
        arrow.lineTo(27, 8)
        arrow.lineTo(18, 12)
        arrow.closeSubpath()
        painter.drawPath(arrow)
    elif kind == "add":
        painter.setPen(_pen(ink, 3))
        painter.drawLine(QPointF(16, 6), QPointF(16, 26))
        painter.drawLine(QPointF(6, 16), QPointF(26, 16))
    elif kind == "browser":
        painter.setPen(_pen(ink, 2.4))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QRectF(5, 9, 18, 18), 2, 2)
        painter.drawLine(QPointF(15, 17), QPointF(27, 5))
        painter.drawLine(QPointF(19, 5), QPointF(27, 5))
        painter.drawLine(QPointF(27, 5), QPointF(27, 13))
    elif kind == "check":
        painter.setPen(_pen(ink, 3))
        painter.drawLine(QPointF(6, 17), QPointF(13, 24))
        painter.drawLine(QPointF(13, 24), QPointF(26, 9))
    elif kind == "history":
        painter.setPen(_pen(ink, 2.4))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(QPointF(16, 16), 11, 11)
        painter.drawLine(QPointF(16, 16), QPointF(16, 9))
        painter.drawLine(QPointF(16, 16), QPointF(21, 19))


def star_path(center: QPointF, radius: float) -> QPainterPath:
    import math

    path = QPainterPath()
    for point in range(10):
        r = radius if point % 2 == 0 else radius * 0.45
        angle = math.pi / 2 + point * math.pi / 5
        x = center.x() + r * math.cos(angle)
        y = center.y() - r * math.sin(angle)
        if point == 0:
            path.moveTo(x, y)
        else:
            path.lineTo(x, y)
    path.closeSubpath()
    return path


@cache
def _icon(kind: str, theme_name: str) -> QIcon:
    pixmap, painter = _canvas()
    _draw(kind, painter, QColor(theme.current_colors()["text"]))
    painter.end()
    return QIcon(pixmap)


def icon(kind: str) -> QIcon:
    """A painted icon in the active theme's colours."""
    return _icon(kind, theme.current_colors()["name"])
