"""The system-tray icon: unread count in its tooltip (and badge), desktop notifications."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from ui.icons import app_icon


class TrayIcon(QObject):
    """Wraps QSystemTrayIcon; on systems without a tray it stays hidden but keeps its state."""

    show_window_requested = Signal()
    notification_clicked = Signal(int)  # the entry the last notification was about
    quit_requested = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._base_icon = app_icon()
        self.tray = QSystemTrayIcon(self._base_icon, self)
        self.unread = 0
        self.last_message: tuple[str, str] | None = None
        self._pending_entry: int | None = None
        menu = QMenu()
        show = QAction("Show Newsdesk", menu)
        show.triggered.connect(self.show_window_requested.emit)
        quit_action = QAction("Quit", menu)
        quit_action.triggered.connect(self.quit_requested.emit)
        menu.addAction(show)
        menu.addSeparator()
        menu.addAction(quit_action)
        self._menu = menu
        self.tray.setContextMenu(menu)
        self.tray.activated.connect(self._on_tray_activated)
        self.tray.messageClicked.connect(self._on_tray_message_clicked)
        self.set_unread(0)
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray.show()

    def set_unread(self, count: int) -> None:
        self.unread = count
        self.tray.setToolTip(f"Newsdesk: {count} unread" if count else "Newsdesk")
        self.tray.setIcon(self._badged(count) if count else self._base_icon)

    def _badged(self, count: int) -> QIcon:
        pixmap = self._base_icon.pixmap(64, 64)
        if pixmap.isNull():
            pixmap = QPixmap(64, 64)
            pixmap.fill(QColor("#2f6fdb"))
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(QColor("#d12d2d"))
        painter.setPen(QColor("white"))
        painter.drawEllipse(28, 0, 36, 36)
        font = QFont()
        font.setPixelSize(20 if count < 100 else 15)
        font.setBold(True)
        painter.setFont(font)
        painter.drawText(28, 0, 36, 36, 0x84, str(count) if count < 1000 else "999+")
        painter.end()
        return QIcon(pixmap)

    def notify(self, title: str, message: str, entry_id: int | None) -> None:
        """Show a desktop notification; clicking it asks to open `entry_id`."""
        self.last_message = (title, message)
        self._pending_entry = entry_id
        if self.tray.isVisible() and QSystemTrayIcon.supportsMessages():
            self.tray.showMessage(title, message, self._base_icon, 8000)

    def _on_tray_message_clicked(self) -> None:
        if self._pending_entry is not None:
            self.notification_clicked.emit(self._pending_entry)
        self.show_window_requested.emit()

    def _on_tray_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.show_window_requested.emit()

    def hide(self) -> None:
        self.tray.hide()
