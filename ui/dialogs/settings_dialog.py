"""Settings: refreshing, live-blog polling, notifications, theme, font size, archive folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from reader.paths import configured_data_dir, set_configured_data_dir
from ui.settings import THEMES, AppSettings

_THEME_LABELS = {"system": "Follow the system", "light": "Light", "dark": "Dark"}


class SettingsDialog(QDialog):
    def __init__(self, settings: AppSettings, current_archive: Path, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(480)
        self._settings = settings
        self.archive_changed = False

        self.interval = QSpinBox(self)
        self.interval.setRange(0, 24 * 60)
        self.interval.setSuffix(" min")
        self.interval.setSpecialValueText("Never")
        self.interval.setValue(settings.refresh_minutes)
        self.refresh_on_start = QCheckBox("Refresh when Newsdesk starts", self)
        self.refresh_on_start.setChecked(settings.refresh_on_start)
        self.polling = QCheckBox("Poll live blogs about every minute while they are live", self)
        self.polling.setChecked(settings.liveblog_polling)
        self.notifications = QCheckBox("Notify me of new live-blog updates", self)
        self.notifications.setChecked(settings.notifications)
        self.theme = QComboBox(self)
        for choice in THEMES:
            self.theme.addItem(_THEME_LABELS[choice], choice)
        self.theme.setCurrentIndex(THEMES.index(settings.theme))
        self.font_size = QSpinBox(self)
        self.font_size.setRange(7, 32)
        self.font_size.setSuffix(" pt")
        self.font_size.setValue(settings.article_font_size)

        chosen = configured_data_dir()
        self.archive_edit = QLineEdit(str(chosen or current_archive), self)
        browse = QPushButton("Choose…", self)
        browse.clicked.connect(self._on_browse_clicked)
        archive_row = QHBoxLayout()
        archive_row.addWidget(self.archive_edit, 1)
        archive_row.addWidget(browse)
        self._initial_archive = self.archive_edit.text()

        form = QFormLayout()
        form.addRow("Refresh feeds every:", self.interval)
        form.addRow("", self.refresh_on_start)
        form.addRow("Live blogs:", self.polling)
        form.addRow("Notifications:", self.notifications)
        form.addRow("Theme:", self.theme)
        form.addRow("Article text size:", self.font_size)
        form.addRow("Archive folder:", archive_row)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
            parent=self,
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _on_browse_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Archive folder", self.archive_edit.text())
        if folder:
            self.archive_edit.setText(folder)

    def accept(self) -> None:
        settings = self._settings
        settings.refresh_minutes = self.interval.value()
        settings.refresh_on_start = self.refresh_on_start.isChecked()
        settings.liveblog_polling = self.polling.isChecked()
        settings.notifications = self.notifications.isChecked()
        settings.theme = self.theme.currentData()
        settings.article_font_size = self.font_size.value()
        settings.sync()
        archive_text = self.archive_edit.text().strip()
        if archive_text and archive_text != self._initial_archive:
            set_configured_data_dir(Path(archive_text).expanduser())
            self.archive_changed = True
        super().accept()
