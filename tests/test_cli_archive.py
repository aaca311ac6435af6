"""Search, threads, export/import and check through the command line, on the demo archive."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from reader.cli import main
from reader.core import open_archive
from reader.demo import build_demo_archive
from tests.support.httpserver import LocalServer


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "archive"
    build_demo_archive(folder)
    return folder


def run(data_dir: Path, *args: str) -> tuple[int, Any]:
    out = io.StringIO()
    code = main(["--data-dir", str(data_dir), *args], out=out)
    text = out.getvalue()
    return code, json.loads(text) if "--json" in args and code == 0 else text


def test_search_finds_ranks_and_marks(demo: Path) -> None:
    code, found = run(demo, "search", "ceasefires", "--json")
    assert code == 0
    assert set(found) == {"total", "total_is_estimate", "hits"}
    assert found["total"] >= 3 and found["hits"]
    first = found["hits"][0]
    assert set(first) == {"entry_id", "title", "snippet", "score"}
    assert "<mark>" in first["title"] + first["snippet"]
    code, phrase = run(demo, "search", '"without conditions"', "--json")
    assert code == 0 and phrase["total"] >= 1
    code, fielded = run(demo, "search", "author:lindqvist", "--json")
    assert code == 0 and fielded["total"] == 2


@pytest.mark.parametrize(
    "query",
    ['"unbalanced', "OR", "-", "NEAR(", "title:", "nosuchfield:word", "*", "x" * 10_000,
     "AND OR NOT", "\x00\x01"],
)
def test_hostile_queries_exit_2_with_one_line(
    demo: Path, query: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run(demo, "search", query, "--json")
    err = capsys.readouterr().err
    assert code == 2, query
    assert err.startswith("newsdesk: error: ") and err.count("\n") == 1
    assert "Traceback" not in err and "sqlite" not in err.lower()


def test_threads_cover_the_entries(demo: Path) -> None:
    code, listed = run(demo, "threads", "--json")
    assert code == 0
    threads = listed["threads"]
    assert threads and set(threads[0]) == {"id", "label", "size", "unread", "last_activity",
                                           "entry_ids"}
    ids = [i for t in threads for i in t["entry_ids"]]
    assert len(ids) == len(set(ids))
    _, entries = run(demo, "entries", "--json")
    assert set(ids) == {e["id"] for e in entries["entries"]}
    for thread in threads:
        assert thread["size"] == len(thread["entry_ids"]) and thread["label"]


def test_json_export_imports_into_an_empty_archive_unchanged(demo: Path, tmp_path: Path) -> None:
    with open_archive(demo) as archive:
        first = archive.entries(limit=1)[0]
        archive.mark([first.id], starred=True)
        archive.add_highlight(first.id, first.text.split()[0], 0, "green", "a note")
    out = tmp_path / "export.json"
    assert run(demo, "export", "--format", "json", str(out))[0] == 0
    other = tmp_path / "other"
    assert run(other, "import", str(out))[0] == 0

    def snapshot(folder: Path) -> list[tuple[Any, ...]]:
        with open_archive(folder) as archive:
            rows = []
            for entry in archive.entries():
                history = archive.revision_history(entry.id)
                marks = [(h.quote, h.color, h.note) for h in archive.highlights(entry.id)]
                rows.append((entry.key, entry.title, entry.text, entry.html, entry.published,
                             entry.read, entry.starred, entry.pinned, entry.withdrawn,
                             entry.revisions, [(r.title, r.text) for r in history], marks))
            return sorted(rows, key=lambda r: r[0])

    assert snapshot(other) == snapshot(demo)
    assert run(other, "import", str(out))[0] == 0  # importing again adds nothing
    assert len(snapshot(other)) == len(snapshot(demo))


def test_export_html_and_markdown_of_a_query(demo: Path, tmp_path: Path) -> None:
    assert run(demo, "export", "--format", "html", "--query", "putin", str(tmp_path / "site"))[0] == 0
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Putin" in index and "http://" not in index.replace("http://www.w3.org", "")
    assert run(demo, "export", "--format", "md", str(tmp_path / "all.md"))[0] == 0
    assert "G7" in (tmp_path / "all.md").read_text(encoding="utf-8")
    assert run(demo, "export", "--format", "md", "--source", "999", str(tmp_path / "x.md"))[0] == 2


def test_check_finds_and_repairs_a_missing_image(demo: Path, tmp_path: Path) -> None:
    assert run(demo, "check")[0] == 0
    with open_archive(demo) as archive:
        stored = list(archive.image_store.sizes())
        assert stored
        archive.image_store.delete(stored[:1])
    code, report = run(demo, "check")
    assert code == 1 and f"image {stored[0][:12]}… is missing" in report
    assert run(demo, "check", "--repair")[0] == 0
    assert run(demo, "check")[0] == 0


def test_permanent_redirect_moves_the_url_once_seen_again(
    local_server: LocalServer, tmp_path: Path
) -> None:
    feed = '<?xml version="1.0"?><rss version="2.0"><channel><title>Moved</title></channel></rss>'
    new_url = local_server.route("/new.xml", feed, content_type="application/rss+xml")
    old_url = local_server.redirect("/old.xml", "/new.xml", status=301)
    with open_archive(tmp_path / "data") as archive:
        source = archive.subscribe(old_url, "feed")
        archive.refresh([source.id])
        assert archive.source(source.id).url == old_url  # seen once: not yet
        archive.refresh([source.id])
        assert archive.source(source.id).url == new_url
