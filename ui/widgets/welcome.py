"""The first-run view: what Newsdesk is and the three ways to start."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from ui.icons import app_icon, icon


class WelcomeView(QWidget):
    add_requested = Signal()
    import_requested = Signal()
    demo_requested = Signal()

    def __init__(self, parent: Any = None, *, demo_available: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        logo = QLabel(self)
        logo.setPixmap(app_icon().pixmap(96, 96))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel("Welcome to Newsdesk", self)
        title.setObjectName("welcomeTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(
            "Follow feeds and live blogs, read them offline, see stories grouped by topic "
            "and search everything you have ever received.",
            self,
        )
        text.setObjectName("welcomeText")
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setMaximumWidth(460)
        self.add_button = self._button(icon("add"), "Add a feed, website or live blog…")
        self.add_button.clicked.connect(self.add_requested.emit)
        self.import_button = self._button(icon("folder"), "Import subscriptions (OPML)…")
        self.import_button.clicked.connect(self.import_requested.emit)
        self.demo_button = self._button(icon("liveblog"), "Open the demo archive")
        self.demo_button.clicked.connect(self.demo_requested.emit)
        self.demo_button.setVisible(demo_available)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(logo)
        layout.addSpacing(8)
        layout.addWidget(title)
        layout.addWidget(text, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(18)
        for button in (self.add_button, self.import_button, self.demo_button):
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)

    def _button(self, the_icon: Any, text: str) -> QPushButton:
        button = QPushButton(the_icon, text, self)
        button.setObjectName("welcomeButton")
        button.setMinimumHeight(38)
        return button
