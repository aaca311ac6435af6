"""Starting the desktop app: `run_gui` for `newsdesk [--demo]`, `self_test` for `--self-test`."""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import appdirs

from reader.core import Archive, open_archive
from reader.errors import NewsdeskError
from reader.paths import APP_NAME
from ui.gc_pauses import freeze_startup_objects

log = logging.getLogger(__name__)

DEMO_MARKER = "demo-version.txt"


@dataclass(frozen=True)
class OpenedArchive:
    archive: Archive
    notice: str | None = None
    temporary: Path | None = None  # a folder to delete on exit


def demo_cache_dir() -> Path:
    return Path(appdirs.user_cache_dir(APP_NAME, appauthor=False)) / "demo"


def _demo_version() -> str | None:
    """The demo builder's version, or None when this build has no demo builder."""
    try:
        import reader.demo as demo
    except ImportError:
        return None
    import reader

    return str(getattr(demo, "DEMO_VERSION", reader.__version__))


def ensure_demo_archive(target: Path | None = None) -> Path | None:
    """Build the demo archive into the cache folder when missing or outdated.

    Returns its folder, or None when this build cannot build one.
    """
    version = _demo_version()
    if version is None:
        return None
    from reader.demo import build_demo_archive

    target = target or demo_cache_dir()
    marker = target / DEMO_MARKER
    try:
        if marker.read_text(encoding="utf-8").strip() == version:
            return target
    except OSError:
        pass
    building = target.with_name(target.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True, exist_ok=True)
    build_demo_archive(building)
    (building / DEMO_MARKER).write_text(version, encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    building.rename(target)
    return target


def open_demo(target: Path | None = None) -> OpenedArchive:
    """The demo archive, or an empty temporary one (with a notice) if it cannot be built."""
    try:
        folder = ensure_demo_archive(target)
    except (NewsdeskError, OSError) as error:
        log.warning("cannot build the demo archive: %s", error)
        folder = None
        reason = f"The demo archive could not be built ({error})."
    else:
        reason = "This build has no demo archive."
    if folder is not None:
        return OpenedArchive(
            open_archive(folder), "Demo archive: sample content that works offline."
        )
    temporary = Path(tempfile.mkdtemp(prefix="newsdesk-empty-"))
    return OpenedArchive(
        open_archive(temporary),
        f"{reason} You are looking at an empty temporary archive; it is deleted on exit.",
        temporary,
    )


def _ensure_application() -> object:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName(APP_NAME)
        app.setApplicationDisplayName(APP_NAME)
        app.setOrganizationName(APP_NAME)
        app.setDesktopFileName("newsdesk")
    return app


def create_main_window(
    opened: OpenedArchive, settings_file: Path | None = None, *, demo_available: bool = True
) -> object:
    """Apply the theme and build the main window (used by the app, the self-test and tests)."""
    from PySide6.QtWidgets import QApplication

    from ui import theme
    from ui.icons import app_icon
    from ui.main_window import MainWindow
    from ui.settings import AppSettings

    app = _ensure_application()
    assert isinstance(app, QApplication)
    settings = AppSettings(settings_file)
    theme.apply_theme(app, settings.theme)
    app.setWindowIcon(app_icon())
    return MainWindow(opened.archive, settings, notice=opened.notice, demo_available=demo_available)


def run_gui(data_dir: str | None, demo: bool) -> int:
    """Open the main window on the archive (or the demo) and run until it closes."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui.main_window import MainWindow

    app = _ensure_application()
    assert isinstance(app, QApplication)
    temporaries: list[Path] = []
    try:
        opened = open_demo() if demo else OpenedArchive(open_archive(data_dir))
    except NewsdeskError as error:
        QMessageBox.critical(None, APP_NAME, f"Newsdesk cannot open its archive.\n\n{error}")
        return 1
    if opened.temporary is not None:
        temporaries.append(opened.temporary)
    window = create_main_window(opened, demo_available=_demo_version() is not None)
    assert isinstance(window, MainWindow)
    freeze_startup_objects()  # before show: later full collections must not stall the GUI
    archives = [opened.archive]

    def switch_to_demo() -> None:
        demo_opened = open_demo()
        archives.append(demo_opened.archive)
        if demo_opened.temporary is not None:
            temporaries.append(demo_opened.temporary)
        window.set_archive(demo_opened.archive, demo_opened.notice)

    window.demo_requested.connect(switch_to_demo)
    window.show()
    if window.settings.refresh_on_start and not demo:
        window.refresh(None)
    code = app.exec()
    window.runner.wait_for_done(5000)
    for archive in archives:
        archive.close()
    for folder in temporaries:
        shutil.rmtree(folder, ignore_errors=True)
    return int(code)


def self_test() -> int:
    """Open the main window offscreen on a temporary demo archive, search, close; 0 when fine."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer

    from ui.main_window import MainWindow

    app = _ensure_application()
    workdir = Path(tempfile.mkdtemp(prefix="newsdesk-selftest-"))
    try:
        opened = open_demo(workdir / "demo")
        if opened.temporary is not None:
            print(f"self-test: no demo archive: {opened.notice}", file=sys.stderr)
            return 1
        window = create_main_window(opened, workdir / "settings.ini")
        assert isinstance(window, MainWindow)
        window.show()

        def wait(signal: object, timeout_ms: int = 10_000) -> bool:
            loop = QEventLoop()
            fired: list[bool] = []
            signal.connect(lambda *_args: (fired.append(True), loop.quit()))  # type: ignore[attr-defined]
            QTimer.singleShot(timeout_ms, loop.quit)
            loop.exec()
            return bool(fired)

        if not wait(window.sources_loaded):
            print("self-test: the sources never loaded", file=sys.stderr)
            return 1
        window.search_box.setText("ceasefire")
        window.run_search()
        if not wait(window.search_done):
            print("self-test: the search never finished", file=sys.stderr)
            return 1
        found = opened.archive.search("ceasefire", limit=5)
        if not found.hits:
            print("self-test: the demo archive's search found nothing", file=sys.stderr)
            return 1
        window.close()
        window.runner.wait_for_done(5000)
        app.processEvents()  # type: ignore[attr-defined]
        opened.archive.close()
        rows = window.sources_model.rowCount()
        print(f"self-test: ok ({rows} top-level rows, {found.total} search hits)")
        return 0
    except Exception as error:  # the self-test reports, it does not crash
        print(f"self-test failed: {error!r}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
