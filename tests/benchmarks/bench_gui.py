"""GUI benchmark on a generated 1,000,000-entry archive: startup to first painted rows,
resident memory, scrolling through the lazily loaded list, and how long the GUI thread is
ever blocked during a 500-source refresh from a local server.

    .venv/bin/python tests/benchmarks/bench_gui.py [--entries N] [--scroll-rows N]

The archive is the search benchmark's (`/tmp/newsdesk-bench-search/archive-N`), generated
there when missing and copied once to /tmp/newsdesk-bench-gui so this run cannot change it.
Each phase runs in its own process (offscreen Qt), so startup is measured cold in Python.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SEARCH_CACHE = Path("/tmp/newsdesk-bench-search")
CACHE = Path("/tmp/newsdesk-bench-gui")
TICK_MS = 10


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def prepare_archive(entries: int) -> Path:
    """A private copy of the generated archive (generating it first when needed)."""
    target = CACHE / f"archive-{entries}"
    if (target / "complete").exists():
        return target
    source = SEARCH_CACHE / f"archive-{entries}"
    if not (source / "complete").exists():
        from tests.benchmarks.bench_search import generate

        print(f"generating {entries:,} entries into {source} (a few minutes)…", flush=True)
        generate(source, entries)
        (source / "complete").write_text("ok")
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copy2(source / "archive.sqlite", target / "archive.sqlite")
    (target / "complete").write_text("ok")
    return target


class GapMeter:
    """A 10 ms timer on the GUI thread: the longest gap between ticks is the longest block."""

    def __init__(self) -> None:
        from PySide6.QtCore import QElapsedTimer, QTimer

        self.clock = QElapsedTimer()
        self.clock.start()
        self.last = 0
        self.gaps: list[int] = []
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = self.clock.elapsed()
        self.gaps.append(now - self.last)
        self.last = now

    def start(self) -> None:
        self.last = self.clock.elapsed()
        self.timer.start()

    def stop(self) -> int:
        self.timer.stop()
        return max(self.gaps, default=0)


def _pump_until(condition: object, timeout_s: float) -> bool:
    """Run the event loop (idle in Qt, as the app is) until `condition()` holds."""
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.perf_counter() + timeout_s
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(2)

    def check() -> None:
        if condition() or time.perf_counter() > deadline:  # type: ignore[operator]
            loop.quit()

    poll.timeout.connect(check)
    poll.start()
    if not condition():  # type: ignore[operator]
        loop.exec()
    poll.stop()
    return bool(condition())  # type: ignore[operator]


def _window(archive_dir: Path, grouped: bool, settings_dir: Path) -> tuple[object, object]:
    from reader.core import open_archive
    from ui.app import OpenedArchive, create_main_window

    settings_file = settings_dir / "settings.ini"
    from ui.settings import AppSettings

    settings = AppSettings(settings_file)
    settings.group_by_topic = grouped
    settings.sync()
    archive = open_archive(archive_dir)
    window = create_main_window(OpenedArchive(archive), settings_file)
    # As `run_gui` does before showing the window: without it a full garbage collection on
    # a worker (~60 ms over the start-up objects) stalls the GUI thread while scrolling.
    from ui.gc_pauses import freeze_startup_objects

    freeze_startup_objects()
    return window, archive


def phase_startup(archive_dir: Path, grouped: bool) -> dict[str, float]:
    """From process start (Qt imported here) to the first entry rows painted."""
    began = time.perf_counter()
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    settings_dir = Path(tempfile.mkdtemp())
    window, archive = _window(archive_dir, grouped, settings_dir)
    painted: list[float] = []
    first_paint_tick: list[int] = []

    class PaintWatch(QObject):
        def eventFilter(self, watched: object, event: QEvent) -> bool:  # noqa: N802
            model = window.entries_view.model()  # type: ignore[attr-defined]
            if event.type() == QEvent.Type.Paint and model is not None and model.rowCount() > 0:
                if not painted:
                    painted.append(time.perf_counter() - began)
                    first_paint_tick.append(len(meter.gaps))
            return False

    watch = PaintWatch()
    window.entries_view.viewport().installEventFilter(watch)  # type: ignore[attr-defined]
    window.resize(1400, 860)  # type: ignore[attr-defined]
    meter = GapMeter()
    meter.start()
    window.show()  # type: ignore[attr-defined]
    _pump_until(lambda: bool(painted), 30)
    shown_at = painted[0] if painted else float("nan")
    _pump_until(lambda: window.runner.pending() == 0, 30)  # type: ignore[attr-defined]
    _pump_until(lambda: False, 0.5)  # let the list ask for and show its first page
    blocked = meter.stop()
    after_paint = meter.gaps[first_paint_tick[0] + 1 :] if first_paint_tick else []
    result = {
        "first_rows_painted_s": shown_at,
        "rss_mb": rss_mb(),
        "max_gui_block_ms_incl_first_show": float(blocked),
        "max_gui_block_ms_after_first_paint": float(max(after_paint, default=0)),
        "rows": float(window.entries_view.model().rowCount()),  # type: ignore[attr-defined]
    }
    window.close()  # type: ignore[attr-defined]
    window.runner.wait_for_done(10_000)  # type: ignore[attr-defined]
    archive.close()
    shutil.rmtree(settings_dir, ignore_errors=True)
    return result


def phase_scroll(archive_dir: Path, rows_wanted: int) -> dict[str, float]:
    """Page down through the flat list a screen at a time, waiting each time until every row
    on screen is loaded; then jump to 25 %, 50 %, 75 % and the end."""
    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    settings_dir = Path(tempfile.mkdtemp())
    window, archive = _window(archive_dir, False, settings_dir)
    window.resize(1400, 860)  # type: ignore[attr-defined]
    window.show()  # type: ignore[attr-defined]
    model = window.flat_model  # type: ignore[attr-defined]
    view = window.entries_view  # type: ignore[attr-defined]
    began = time.perf_counter()
    _pump_until(model.is_keyed, 60)
    keys_s = time.perf_counter() - began
    total = model.rowCount()
    bar = view.verticalScrollBar()

    def screen_loaded() -> bool:
        top = view.indexAt(view.viewport().rect().topLeft()).row()
        bottom = view.indexAt(view.viewport().rect().bottomLeft()).row()
        bottom = bottom if bottom >= 0 else min(total - 1, top + 60)
        return top >= 0 and all(model.entry_row(r) is not None for r in range(top, bottom + 1))

    _pump_until(screen_loaded, 30)
    rss_before = rss_mb()
    meter = GapMeter()
    meter.start()
    steps: list[float] = []
    scrolled = time.perf_counter()
    while bar.value() < bar.maximum():
        top = view.indexAt(view.viewport().rect().topLeft()).row()
        if top >= rows_wanted:
            break
        step_began = time.perf_counter()
        bar.setValue(bar.value() + bar.pageStep())
        _pump_until(screen_loaded, 10)
        steps.append((time.perf_counter() - step_began) * 1000)
    scroll_s = time.perf_counter() - scrolled
    rows_scrolled = view.indexAt(view.viewport().rect().topLeft()).row()
    jumps: list[float] = []
    for fraction in (0.25, 0.5, 0.75, 1.0):
        jump_began = time.perf_counter()
        bar.setValue(int(bar.maximum() * fraction))
        _pump_until(screen_loaded, 10)
        jumps.append((time.perf_counter() - jump_began) * 1000)
    blocked = meter.stop()
    result = {
        "total_rows": float(total),
        "keys_loaded_s": keys_s,
        "rows_scrolled": float(rows_scrolled),
        "screens": float(len(steps)),
        "scroll_s": scroll_s,
        "median_screen_ms": sorted(steps)[len(steps) // 2] if steps else float("nan"),
        "max_screen_ms": max(steps, default=float("nan")),
        "max_jump_ms": max(jumps),
        "max_gui_block_ms": float(blocked),
        "rss_mb_before": rss_before,
        "rss_mb_after": rss_mb(),
        "est_s_to_page_through_all": scroll_s * total / max(1, rows_scrolled),
    }
    window.close()  # type: ignore[attr-defined]
    window.runner.wait_for_done(10_000)  # type: ignore[attr-defined]
    archive.close()
    shutil.rmtree(settings_dir, ignore_errors=True)
    return result


def _feed(number: int, items: int = 5) -> str:
    body = "".join(
        f"<item><title>Feed {number} story {i} about the summit</title>"
        f"<link>https://example.invalid/{number}/{i}</link><guid>f{number}-{i}</guid>"
        f"<pubDate>Fri, 14 Mar 2025 {9 + i:02d}:{number % 60:02d}:00 GMT</pubDate>"
        f"<description>Ministers met for talks number {i} in city {number}.</description></item>"
        for i in range(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {number}</title>'
        f"<link>https://example.invalid/{number}</link><description>d</description>"
        f"{body}</channel></rss>"
    )


def phase_refresh(sources: int) -> dict[str, float]:
    """Refresh `sources` feeds served by a separate process; the GUI thread's longest block."""
    import socket

    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication([])
    work = Path(tempfile.mkdtemp())
    served = work / "www"
    served.mkdir()
    for number in range(sources):
        (served / f"f{number}.xml").write_text(_feed(number), encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "-d", str(served)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        from reader.core import open_archive

        archive = open_archive(work / "archive")
        ids = [
            archive.subscribe(f"http://127.0.0.1:{port}/f{n}.xml", "feed", title=f"Feed {n}").id
            for n in range(sources)
        ]
        archive.close()
        window, archive = _window(work / "archive", True, work)
        window.show()  # type: ignore[attr-defined]
        _pump_until(lambda: window.runner.pending() == 0, 30)  # type: ignore[attr-defined]
        finished: list[object] = []
        window.refresher.finished.connect(finished.append)  # type: ignore[attr-defined]
        meter = GapMeter()
        meter.start()
        began = time.perf_counter()
        window.refresh(ids)  # type: ignore[attr-defined]
        _pump_until(lambda: bool(finished), 180)
        elapsed = time.perf_counter() - began
        # What follows a refresh (source counts, the list reloading) counts too.
        _pump_until(lambda: window.runner.pending() == 0, 30)  # type: ignore[attr-defined]
        blocked = meter.stop()
        gaps = sorted(meter.gaps)
        new = sum(r.new for r in finished[0].sources) if finished else 0  # type: ignore[attr-defined]
        result = {
            "sources": float(sources),
            "new_entries": float(new),
            "refresh_s": elapsed,
            "max_gui_block_ms": float(blocked),
            "p99_tick_gap_ms": float(gaps[int(len(gaps) * 0.99)]) if gaps else float("nan"),
            "ticks": float(len(gaps)),
        }
        window.close()  # type: ignore[attr-defined]
        window.runner.wait_for_done(10_000)  # type: ignore[attr-defined]
        archive.close()
        return result
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(work, ignore_errors=True)


def _run_phase(*args: str) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--phase", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--scroll-rows", type=int, default=50_000)
    parser.add_argument("--sources", type=int, default=500)
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        kind, *rest = args.phase
        if kind == "startup":
            result = phase_startup(Path(rest[0]), rest[1] == "grouped")
        elif kind == "scroll":
            result = phase_scroll(Path(rest[0]), int(rest[1]))
        else:
            result = phase_refresh(int(rest[0]))
        print(json.dumps(result))
        return {}
    archive_dir = prepare_archive(args.entries)
    results: dict[str, dict[str, float]] = {}
    for mode in ("flat", "grouped"):
        results[f"startup_{mode}"] = _run_phase("startup", str(archive_dir), mode)
    results["scroll"] = _run_phase("scroll", str(archive_dir), str(args.scroll_rows))
    results["refresh"] = _run_phase("refresh", str(args.sources))
    print(f"archive: {args.entries:,} entries ({archive_dir})")
    for name, values in results.items():
        shown = ", ".join(f"{key} {value:,.3g}" for key, value in values.items())
        print(f"{name}: {shown}")
    print("targets: first rows painted < 1.5 s, RSS < 300 MB, no GUI block > 50 ms")
    return results


if __name__ == "__main__":
    main()
