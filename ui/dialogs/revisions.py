"""Revision history of an edited entry: each version with a word diff against the one before."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

from reader.types import Revision
from ui import theme
from ui.diffing import word_diff_html
from ui.models.rows import full_local_time_text


def history_html(revisions: list[Revision]) -> str:
    colors = theme.current_colors()
    added, removed = colors["match"], "#f4a5a5" if colors["name"] == "light" else "#7a2e2e"
    parts = [f"<h2>{len(revisions)} versions</h2>"]
    # Newest first: what a reader wants to know is what changed last.
    for number in range(len(revisions) - 1, -1, -1):
        revision = revisions[number]
        label = "Current version" if number == len(revisions) - 1 else f"Version {number + 1}"
        when = html.escape(full_local_time_text(revision.seen_at))
        parts.append(f"<h3>{label} <small style='color:{colors['muted']}'>seen {when}</small></h3>")
        if number == 0:
            parts.append(f"<p><b>{html.escape(revision.title)}</b></p>")
            parts.append(f"<p>{html.escape(revision.text)}</p>")
            continue
        previous = revisions[number - 1]
        title_diff, _ = word_diff_html(previous.title, revision.title, added=added, removed=removed)
        body_diff, changes = word_diff_html(
            previous.text, revision.text, added=added, removed=removed
        )
        parts.append(f"<p><b>{title_diff}</b></p><p>{body_diff}</p>")
        note = (
            f"{changes} word{'s' if changes != 1 else ''} changed" if changes else "No text change"
        )
        parts.append(f"<p style='color:{colors['muted']}'><small>{note}</small></p><hr>")
    return "".join(parts)


class RevisionDialog(QDialog):
    def __init__(self, title: str, revisions: list[Revision], parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"History: {title}")
        self.resize(640, 560)
        self.view = QTextBrowser(self)
        self.view.setOpenLinks(False)
        self.view.setHtml(history_html(revisions))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(buttons)
