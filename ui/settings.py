"""The app's per-user preferences (QSettings in an INI file under the user config folder).

Tests point `AppSettings` at a file in tmp_path; the app uses `default_settings_file()`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from PySide6.QtCore import QByteArray, QSettings

from reader.paths import config_dir

ThemeChoice = Literal["system", "light", "dark"]
THEMES: tuple[ThemeChoice, ...] = ("system", "light", "dark")


def default_settings_file() -> Path:
    return config_dir() / "newsdesk-ui.ini"


class AppSettings:
    """Typed accessors over one INI file; values survive restarts."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_settings_file()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._qsettings = QSettings(str(self.path), QSettings.Format.IniFormat)

    def sync(self) -> None:
        self._qsettings.sync()

    def _int(self, key: str, default: int, low: int, high: int) -> int:
        value = self._qsettings.value(key, default)
        try:
            number = int(value)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return default
        return max(low, min(high, number))

    def _bool(self, key: str, default: bool) -> bool:
        value = self._qsettings.value(key, default)
        if isinstance(value, str):
            return value.lower() in ("1", "true", "yes")
        return bool(value)

    # -- refreshing ------------------------------------------------------------------
    @property
    def refresh_minutes(self) -> int:
        """How often feeds are refreshed automatically (0 turns it off)."""
        return self._int("refresh/interval_minutes", 30, 0, 24 * 60)

    @refresh_minutes.setter
    def refresh_minutes(self, value: int) -> None:
        self._qsettings.setValue("refresh/interval_minutes", int(value))

    @property
    def liveblog_polling(self) -> bool:
        return self._bool("refresh/liveblog_polling", True)

    @liveblog_polling.setter
    def liveblog_polling(self, value: bool) -> None:
        self._qsettings.setValue("refresh/liveblog_polling", bool(value))

    @property
    def refresh_on_start(self) -> bool:
        return self._bool("refresh/on_start", True)

    @refresh_on_start.setter
    def refresh_on_start(self, value: bool) -> None:
        self._qsettings.setValue("refresh/on_start", bool(value))

    # -- notifications ---------------------------------------------------------------
    @property
    def notifications(self) -> bool:
        return self._bool("notifications/enabled", True)

    @notifications.setter
    def notifications(self, value: bool) -> None:
        self._qsettings.setValue("notifications/enabled", bool(value))

    # -- appearance ------------------------------------------------------------------
    @property
    def theme(self) -> ThemeChoice:
        value = str(self._qsettings.value("appearance/theme", "system"))
        return value if value in THEMES else "system"  # type: ignore[return-value]

    @theme.setter
    def theme(self, value: ThemeChoice) -> None:
        self._qsettings.setValue("appearance/theme", value)

    @property
    def article_font_size(self) -> int:
        return self._int("appearance/article_font_size", 11, 7, 32)

    @article_font_size.setter
    def article_font_size(self, value: int) -> None:
        self._qsettings.setValue("appearance/article_font_size", int(value))

    @property
    def group_by_topic(self) -> bool:
        return self._bool("view/group_by_topic", True)

    @group_by_topic.setter
    def group_by_topic(self, value: bool) -> None:
        self._qsettings.setValue("view/group_by_topic", bool(value))

    @property
    def unread_only(self) -> bool:
        return self._bool("view/unread_only", False)

    @unread_only.setter
    def unread_only(self, value: bool) -> None:
        self._qsettings.setValue("view/unread_only", bool(value))

    # -- window state ----------------------------------------------------------------
    def window_state(self, name: str) -> QByteArray | None:
        value = self._qsettings.value(f"window/{name}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_window_state(self, name: str, value: QByteArray) -> None:
        self._qsettings.setValue(f"window/{name}", value)
