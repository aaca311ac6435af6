"""OPML: import stores subscriptions without fetching; export round-trips exactly."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

from reader.core import open_archive
from reader.opml import export_opml, import_opml
from tests.support.httpserver import LocalServer

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>My feeds</title></head><body>
  <outline text="News" title="News">
    <outline text="World" title="World">
      <outline type="rss" text="Alpha" title="Alpha" xmlUrl="http://127.0.0.1:9/alpha.xml"/>
      <outline type="rss" text="Beta &amp; Co" title="Beta &amp; Co" xmlUrl="http://127.0.0.1:9/b"/>
    </outline>
    <outline type="rss" text="Gamma" title="Gamma" xmlUrl="http://127.0.0.1:9/gamma"/>
  </outline>
  <outline type="rss" text="Top" title="Top" xmlUrl="https://top.example/feed"/>
  <outline type="rss" text="Bad" title="Bad" xmlUrl="file:///etc/passwd"/>
</body></opml>"""


def _subscriptions(path: Path) -> set[tuple[str, str, str]]:
    """(folder path, title, url) of every feed in an OPML file."""
    found: set[tuple[str, str, str]] = set()

    def walk(element: ElementTree.Element, folder: str) -> None:
        for child in element.findall("outline"):
            if child.get("xmlUrl"):
                found.add((folder, child.get("title") or "", child.get("xmlUrl") or ""))
            else:
                name = child.get("title") or ""
                walk(child, f"{folder}/{name}" if folder else name)

    body = ElementTree.parse(path).getroot().find("body")
    assert body is not None
    walk(body, "")
    return found


def test_import_then_export_is_equivalent(tmp_path: Path, local_server: LocalServer) -> None:
    source = tmp_path / "in.opml"
    source.write_text(OPML, encoding="utf-8")
    archive = open_archive(tmp_path / "data")
    assert import_opml(archive, source) == 4
    assert import_opml(archive, source) == 0  # no duplicates
    assert local_server.requests == []  # nothing was fetched
    exported = tmp_path / "out.opml"
    export_opml(archive, exported)
    expected = {s for s in _subscriptions(source) if not s[2].startswith("file:")}
    assert _subscriptions(exported) == expected
    # And the exported file imports into another archive as the same subscriptions.
    other = open_archive(tmp_path / "other")
    import_opml(other, exported)
    again = tmp_path / "again.opml"
    export_opml(other, again)
    assert _subscriptions(again) == expected
    archive.close()
    other.close()
