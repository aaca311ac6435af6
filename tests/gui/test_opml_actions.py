"""OPML import and export from the File menu's actions, run off the GUI thread."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reader.core import Archive

OPML = """<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>
<outline text="Imported"><outline type="rss" text="Far feed" title="Far feed"
 xmlUrl="http://127.0.0.1:9/far.xml"/></outline></body></opml>"""


def test_import_then_export_opml(qtbot: Any, window: Any, archive: Archive, tmp_path: Path) -> None:
    source = tmp_path / "in.opml"
    source.write_text(OPML, encoding="utf-8")
    window.actions_.import_opml(str(source))
    qtbot.wait_until(
        lambda: any(s.title == "Far feed" and s.folder == "Imported" for s in archive.sources()),
        timeout=10_000,
    )
    out = tmp_path / "out.opml"
    window.actions_.export_opml(str(out))
    qtbot.wait_until(lambda: out.is_file() and "Far feed" in out.read_text(), timeout=10_000)
    window.runner.wait_for_done(10_000)
