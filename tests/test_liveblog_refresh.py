"""The seed live blog's day replayed through `add` and `refresh` from a local server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.core import Archive, open_archive
from reader.types import Entry
from tests.conftest import FIXTURES
from tests.support.httpserver import LocalServer

SEED = FIXTURES / "liveblogs" / "seed"
PAGE = "/world/europe/ukraine-russia-war-live-trump-putin-ceasefire"
EXPECTED = json.loads((SEED / "expected.json").read_text(encoding="utf-8"))["snapshots"]


def serve(server: LocalServer, prefix: str, snapshot: str) -> str:
    return server.route(PAGE, (SEED / f"{prefix}{snapshot}.html").read_bytes())


def threads_of(archive: Archive, source_id: int) -> set[int | None]:
    return {entry.thread_id for entry in archive.entries(source_id=source_id)}


def by_key(entries: list[Entry]) -> dict[str, Entry]:
    return {entry.key: entry for entry in entries}


@pytest.mark.parametrize("prefix", ["", "microdata-"])
def test_seed_day_new_edited_withdrawn_pinned(
    local_server: LocalServer, tmp_path: Path, prefix: str
) -> None:
    local_server.serve_directory("/img", FIXTURES / "liveblogs" / "img")
    archive = open_archive(tmp_path / "data")
    blog = archive.add(serve(local_server, prefix, "snapshot-1"))
    assert blog.kind == "liveblog"
    stored = by_key(archive.entries(source_id=blog.id))
    assert set(stored) == set(EXPECTED["snapshot-1"]["new_since_previous"])
    assert {e.kind for e in stored.values()} == {"liveblog-update"}
    first = EXPECTED["snapshot-1"]["updates"][0]
    assert stored[first["id"]].title == first["title"]
    assert list(stored[first["id"]].authors) == first["authors"]
    # Images resolve against the address the page came from and are cached right away.
    (image,) = archive.images(stored["post-7074"].id)
    assert image.url == local_server.url("/img/post-7074-1.jpg") and image.cached
    assert threads_of(archive, blog.id) and None not in threads_of(archive, blog.id)

    def poll(snapshot: str) -> tuple[int, int, int, str]:
        serve(local_server, prefix, snapshot)
        (result,) = archive.refresh([blog.id]).sources
        return result.new, result.edited, result.withdrawn, result.status

    assert poll("snapshot-2")[:3] == (6, 0, 0)
    assert len(archive.entries(source_id=blog.id)) == 10
    # Two typos fixed, one update taken down, one pinned, one new. The take-down is only
    # a first miss: an update is withdrawn after it is missing on two polls in a row.
    assert poll("snapshot-3")[:3] == (1, 2, 0)
    stored = by_key(archive.entries(source_id=blog.id))
    for key in EXPECTED["snapshot-3"]["edited_since_previous"]:
        history = archive.revision_history(stored[key].id)
        assert len(history) == 2 and stored[key].revisions == 2
        assert history[0].text != history[1].text or history[0].title != history[1].title
    pinned = [e.key for e in stored.values() if e.pinned]
    assert pinned == [EXPECTED["snapshot-3"]["pinned"]]
    # The same page re-served with other bytes: no edits, and the second miss withdraws.
    assert poll("snapshot-3-later")[:3] == (0, 0, 1)
    stored = by_key(archive.entries(source_id=blog.id))
    assert [k for k, e in stored.items() if e.withdrawn] == ["post-7111"]
    # The page keeps only its newest eight: the oldest fall off but are not withdrawn.
    assert poll("snapshot-4")[:3] == (0, 0, 0)
    assert poll("snapshot-4-later")[:3] == (0, 0, 0)
    stored = by_key(archive.entries(source_id=blog.id))
    assert [k for k, e in stored.items() if e.withdrawn] == ["post-7111"]
    assert len(stored) == 11
    archive.close()


def test_a_304_counts_as_a_confirming_poll(local_server: LocalServer, tmp_path: Path) -> None:
    archive = open_archive(tmp_path / "data")
    blog = archive.add(serve(local_server, "", "snapshot-2"))
    serve(local_server, "", "snapshot-3")
    (first,) = archive.refresh([blog.id]).sources
    assert first.withdrawn == 0
    (second,) = archive.refresh([blog.id]).sources  # same bytes: the server answers 304
    assert second.withdrawn == 1 and second.status == "updated"
    requests = local_server.requests_for(PAGE)
    assert requests[-1].headers.get("If-None-Match")
    withdrawn = [e.key for e in archive.entries(source_id=blog.id) if e.withdrawn]
    assert withdrawn == ["post-7111"]
    archive.close()


def test_new_updates_are_announced(local_server: LocalServer, tmp_path: Path) -> None:
    archive = open_archive(tmp_path / "data")
    blog = archive.add(serve(local_server, "", "snapshot-1"))
    serve(local_server, "", "snapshot-2")
    announced: list[tuple[int, list[int]]] = []
    archive.refresh([blog.id], on_new_updates=lambda s, ids: announced.append((s, list(ids))))
    assert len(announced) == 1 and announced[0][0] == blog.id and len(announced[0][1]) == 6
    archive.close()
