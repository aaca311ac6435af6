"""GUI test set-up: offscreen Qt, Qt warnings fail tests, archives and windows in tmp_path."""

from __future__ import annotations

import os

# Before any QApplication exists: tests never need (or use) a real display.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

import re  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QtMsgType  # noqa: E402

from reader.core import Archive, open_archive  # noqa: E402
from reader.store.convert import now_epoch  # noqa: E402
from reader.store.writer import insert_entries  # noqa: E402
from reader.types import ParsedEntry  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"

# Messages the offscreen platform prints for things it cannot do; not our warnings.
_IGNORED_QT_MESSAGES = (
    re.compile(r"This plugin does not support"),
    re.compile(r"QSystemTrayIcon::setVisible: No Icon set"),
)


@pytest.fixture(autouse=True)
def _fail_on_qt_warnings(qtlog: object) -> Iterator[None]:
    """A Qt warning (a bad model index, a failed connection) fails the test that caused it."""
    yield
    bad = [
        record.message
        for record in qtlog.records  # type: ignore[attr-defined]
        if record.type in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
        and not any(pattern.search(record.message) for pattern in _IGNORED_QT_MESSAGES)
    ]
    assert not bad, f"Qt warnings: {bad}"


def add_entries(
    archive: Archive,
    source_id: int,
    count: int,
    *,
    prefix: str = "Story",
    start: datetime | None = None,
) -> list[int]:
    """Store `count` entries for a source, newest last, one minute apart."""
    start = start or datetime(2025, 3, 14, 9, 0, tzinfo=UTC)
    items = [
        ParsedEntry(
            key=f"{prefix}-{i}",
            kind="article",
            title=f"{prefix} number {i}",
            authors=("A. Writer",),
            published=start + timedelta(minutes=i),
            url=f"https://example.invalid/{prefix}/{i}",
            html=f"<p>{prefix} body {i}: ministers agreed a ceasefire plan.</p>",
            text=f"{prefix} body {i}: ministers agreed a ceasefire plan.",
        )
        for i in range(count)
    ]
    with archive.writing() as connection:
        ids = insert_entries(connection, source_id, items, now_epoch())
    return [int(i) for i in ids]


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    """A small archive: two feeds in a folder and a live blog, with entries."""
    opened = open_archive(tmp_path / "archive")
    world = opened.subscribe(
        "https://example.invalid/world.xml", "feed", title="World", folder="News"
    )
    science = opened.subscribe("https://example.invalid/sci.xml", "feed", title="Science")
    live = opened.subscribe("https://example.invalid/live", "liveblog", title="Live blog")
    add_entries(opened, world.id, 30, prefix="World")
    add_entries(opened, science.id, 5, prefix="Science")
    add_entries(opened, live.id, 8, prefix="Update")
    yield opened
    opened.close()


@pytest.fixture
def empty_archive(tmp_path: Path) -> Iterator[Archive]:
    opened = open_archive(tmp_path / "empty")
    yield opened
    opened.close()


def make_window(qtbot: object, archive: Archive, tmp_path: Path) -> object:
    from ui.app import OpenedArchive, create_main_window

    window = create_main_window(OpenedArchive(archive), tmp_path / "ui-settings.ini")
    qtbot.addWidget(window)  # type: ignore[attr-defined]
    with qtbot.waitSignal(window.sources_loaded, timeout=5000):  # type: ignore[attr-defined]
        window.show()  # type: ignore[attr-defined]
    return window


@pytest.fixture
def window(qtbot: object, archive: Archive, tmp_path: Path) -> Iterator[object]:
    win = make_window(qtbot, archive, tmp_path)
    yield win
    win.close()  # type: ignore[attr-defined]
    win.runner.wait_for_done(5000)  # type: ignore[attr-defined]
