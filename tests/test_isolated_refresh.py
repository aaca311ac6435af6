"""A large refresh in a child process: same results and events as in-process."""

from __future__ import annotations

from pathlib import Path

from reader.core import open_archive
from reader.isolated import SUBPROCESS_THRESHOLD, refresh_isolated
from tests.conftest import FIXTURES
from tests.support.httpserver import LocalServer

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>
<item><title>Story {n}</title><guid>s{n}</guid></item></channel></rss>"""


def test_isolated_refresh_reports_progress_results_and_live_updates(
    local_server: LocalServer, tmp_path: Path
) -> None:
    seed = FIXTURES / "liveblogs" / "seed"
    with open_archive(tmp_path / "data") as archive:
        ids = [
            archive.subscribe(
                local_server.route(f"/f{n}.xml", FEED.format(n=n), content_type="text/xml"),
                "feed",
            ).id
            for n in range(SUBPROCESS_THRESHOLD)
        ]
        blog = archive.add(local_server.route("/live", (seed / "snapshot-1.html").read_bytes()))
        local_server.route("/live", (seed / "snapshot-2.html").read_bytes())
        progress: list[tuple[int, int]] = []
        announced: list[tuple[int, list[int]]] = []
        result = refresh_isolated(
            archive,
            [*ids, blog.id],
            progress=lambda done, total, _r: progress.append((done, total)),
            on_new_updates=lambda source, entries: announced.append((source, entries)),
        )
        assert [r.source_id for r in result.sources] == [*ids, blog.id]
        assert [r.new for r in result.sources] == [1] * len(ids) + [6]
        assert progress[-1] == (len(ids) + 1, len(ids) + 1)
        assert announced == [(blog.id, list(result.sources[-1].new_entry_ids))]
        # What the child stored is what this process reads, threads included.
        assert archive.count_entries() == len(ids) + 10
        assert all(e.thread_id is not None for e in archive.entries())
