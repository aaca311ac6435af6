"""Light and dark themes: a QPalette plus a small style sheet, following the system by default.

Colours live in `resources/themes/{light,dark}.json`; `base.qss` refers to them as `@name`.
Widgets that paint themselves (delegates, the reading pane) ask `current_colors()`.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from importlib import resources

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from ui.settings import ThemeChoice

_ROLES = {
    "window": QPalette.ColorRole.Window,
    "window_text": QPalette.ColorRole.WindowText,
    "base": QPalette.ColorRole.Base,
    "alternate_base": QPalette.ColorRole.AlternateBase,
    "text": QPalette.ColorRole.Text,
    "button": QPalette.ColorRole.Button,
    "button_text": QPalette.ColorRole.ButtonText,
    "highlight": QPalette.ColorRole.Highlight,
    "highlighted_text": QPalette.ColorRole.HighlightedText,
    "link": QPalette.ColorRole.Link,
    "mid": QPalette.ColorRole.Mid,
    "placeholder": QPalette.ColorRole.PlaceholderText,
    "tooltip_base": QPalette.ColorRole.ToolTipBase,
    "tooltip_text": QPalette.ColorRole.ToolTipText,
}

_active: dict[str, str] = {}
_platform_lightness: int | None = None


@cache
def load_colors(name: str) -> dict[str, str]:
    text = resources.files("resources.themes").joinpath(f"{name}.json").read_text("utf-8")
    colors: dict[str, str] = json.loads(text)
    return colors


@cache
def _style_sheet_template() -> str:
    return resources.files("resources.themes").joinpath("base.qss").read_text("utf-8")


def system_prefers_dark() -> bool:
    scheme = QGuiApplication.styleHints().colorScheme()
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    # Unknown (e.g. offscreen or an old desktop): judge by the platform's own palette, read
    # once before our palette replaces it.
    global _platform_lightness
    if _platform_lightness is None:
        window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
        _platform_lightness = window.lightness()
    return _platform_lightness < 110


def resolve_theme(choice: ThemeChoice) -> str:
    if choice == "system":
        return "dark" if system_prefers_dark() else "light"
    return choice


def build_palette(colors: dict[str, str]) -> QPalette:
    palette = QPalette()
    for key, role in _ROLES.items():
        palette.setColor(role, QColor(colors[key]))
    for role in (
        QPalette.ColorRole.Light,
        QPalette.ColorRole.Midlight,
    ):
        palette.setColor(role, QColor(colors["button"]).lighter(115))
    palette.setColor(QPalette.ColorRole.Dark, QColor(colors["mid"]).darker(130))
    palette.setColor(QPalette.ColorRole.Shadow, QColor(colors["mid"]).darker(200))
    palette.setColor(QPalette.ColorRole.BrightText, QColor(colors["live"]))
    palette.setColor(QPalette.ColorRole.LinkVisited, QColor(colors["link"]).darker(120))
    disabled = QColor(colors["disabled_text"])
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def style_sheet(colors: dict[str, str]) -> str:
    sheet = _style_sheet_template()
    # Longest names first so "@match_current" is not eaten by "@match".
    for key in sorted(colors, key=len, reverse=True):
        sheet = sheet.replace(f"@{key}", colors[key])
    return sheet


def apply_theme(app: QApplication, choice: ThemeChoice) -> str:
    """Apply the chosen theme to the whole app; returns the resolved name (light or dark)."""
    if sys.platform != "darwin" and not app.property("newsdesk_fusion"):
        # Fusion honours custom palettes on every platform; native Windows styles do not.
        # Set once: once a style sheet is on, style() is a wrapper whose name is not
        # "fusion", and replacing the style under live widgets can crash.
        if app.style().name().lower() != "fusion":
            app.setStyle("Fusion")
        app.setProperty("newsdesk_fusion", True)
    name = resolve_theme(choice)
    colors = load_colors(name)
    _active.clear()
    _active.update(colors)
    _active["name"] = name
    app.setPalette(build_palette(colors))
    app.setStyleSheet(style_sheet(colors))
    return name


def current_colors() -> dict[str, str]:
    """The active theme's colours (light until a theme is applied)."""
    return _active or {**load_colors("light"), "name": "light"}


def color(name: str) -> QColor:
    return QColor(current_colors()[name])
