"""The keyboard shortcuts help window."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

SHORTCUTS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Reading",
        (
            ("J / K", "Next / previous entry"),
            ("N / P", "Next / previous unread entry"),
            ("Space", "Page down, then the next entry"),
            ("M", "Toggle read"),
            ("S", "Toggle star"),
            ("O", "Open in browser"),
        ),
    ),
    (
        "Searching",
        (
            ("/ or Ctrl+F", "Search"),
            ("F3 / Shift+F3", "Next / previous match in the article"),
            ("Esc", "Leave the search"),
        ),
    ),
    (
        "Subscriptions",
        (
            ("R or F5", "Refresh all"),
            ("Ctrl+N", "Add a subscription"),
            ("Shift+A", "Mark all in the selection read"),
        ),
    ),
    (
        "Window",
        (
            ("Ctrl+,", "Settings"),
            ("F1", "This list"),
            ("Ctrl+Q", "Quit"),
        ),
    ),
)


def shortcuts_html() -> str:
    parts = []
    for group, rows in SHORTCUTS:
        parts.append(f"<h3>{html.escape(group)}</h3><table cellpadding='4'>")
        for keys, action in rows:
            parts.append(
                f"<tr><td width='140'><b>{html.escape(keys)}</b></td>"
                f"<td>{html.escape(action)}</td></tr>"
            )
        parts.append("</table>")
    return "".join(parts)


class ShortcutsDialog(QDialog):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(440, 520)
        view = QTextBrowser(self)
        view.setHtml(shortcuts_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(view)
        layout.addWidget(buttons)
