"""The demo archive: the seed live blog's day and a few sample feeds, built offline.

The bundled pages are served from a throw-away HTTP server on 127.0.0.1 and go through
the real pipeline (fetch, parse, diff, store, threads, image cache), so the demo shows
exactly what a user's own archive would: edits with revisions, a withdrawn update, a pin.
Afterwards the addresses are rewritten to the publishers' own, so "Open in browser" and
later refreshes name real pages, not a server that no longer runs.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import func, update

from reader.core import Archive, open_archive
from reader.store.schema import entries, entry_images, sources

log = logging.getLogger(__name__)

# Bump when the demo's content or the way it is built changes: old copies are rebuilt.
DEMO_VERSION = "6"
LIVEBLOG_PATH = "/world/europe/ukraine-russia-war-live-trump-putin-ceasefire"
LIVEBLOG_HOME = "https://news.example"
# Polled twice at midday and twice in the afternoon, as a user's Newsdesk would: the
# second, unchanged poll confirms a take-down (an update is withdrawn on its second miss).
SNAPSHOTS = ("snapshot-1", "snapshot-2", "snapshot-3", "snapshot-3", "snapshot-4", "snapshot-4")
FEEDS = (
    ("world-desk.xml", "application/rss+xml", "World", "https://world-desk.example/feed.xml"),
    ("europe-wire.atom", "application/atom+xml", "World", "https://europe-wire.example/atom"),
    (
        "science-notes.json",
        "application/feed+json",
        "Science",
        "https://science-notes.example/feed.json",
    ),
)


def _demo_file(*parts: str) -> bytes:
    return resources.files("resources").joinpath("demo", *parts).read_bytes()


class _DemoServer:
    """Serves the bundled files; the live-blog route can be switched between snapshots."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[bytes, str]] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                body, content_type = routes.get(self.path, (b"not found", "text/plain"))
                self.send_response(200 if self.path in routes else 404)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @contextmanager
    def running(self) -> Iterator[_DemoServer]:
        self.thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()


def build_demo_archive(target_dir: Path) -> None:
    """Build the demo archive in `target_dir` unless an up-to-date one is already there."""
    marker = target_dir / "demo-version.txt"
    if marker.is_file() and marker.read_text().strip() == DEMO_VERSION:
        return
    target_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="demo-", dir=target_dir.parent))
    try:
        with open_archive(staging) as archive:
            _fill(archive)
        (staging / "demo-version.txt").write_text(DEMO_VERSION)
        if target_dir.exists():
            shutil.rmtree(target_dir)
        staging.rename(target_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _fill(archive: Archive) -> None:
    server = _DemoServer()
    for name in ("post-7074-1.jpg", "post-7259-1.jpg", "post-7296-1.jpg", "post-7370-1.jpg"):
        server.routes[f"/img/{name}"] = (_demo_file("img", name), "image/jpeg")
    for name, content_type, _folder, _home in FEEDS:
        server.routes[f"/feeds/{name}"] = (_demo_file("feeds", name), content_type)
    with server.running():
        for name, _type, folder, _home in FEEDS:
            archive.add(f"{server.base}/feeds/{name}", folder)
        first, *later = SNAPSHOTS
        server.routes[LIVEBLOG_PATH] = (_demo_file("liveblog", f"{first}.html"), "text/html")
        blog = archive.add(f"{server.base}{LIVEBLOG_PATH}", "Live")
        for snapshot in later:
            server.routes[LIVEBLOG_PATH] = (_demo_file("liveblog", f"{snapshot}.html"), "text/html")
            archive.refresh([blog.id])
        # The demo records a past day in one go: the feeds' whole day first, then the blog's
        # snapshots. Someone following that day live met the entries in published order, so
        # thread the day again in that order (the app's own rethread job).
        archive.rethread()
        _cache_images(archive)
    _rewrite_addresses(archive, server.base)


def _cache_images(archive: Archive) -> None:
    try:
        from reader.imagecache import cache_images
    except ImportError:  # the image cache is optional for the demo
        return
    cache_images(archive, None, fetcher=archive.fetcher)


def _rewrite_addresses(archive: Archive, base: str) -> None:
    """Point sources, entries and images at the publishers' addresses."""
    with archive.writing() as connection:
        for name, _type, _folder, home in FEEDS:
            connection.execute(
                update(sources).where(sources.c.url == f"{base}/feeds/{name}").values(url=home)
            )
        for table, column in (
            (sources, sources.c.url),
            (entries, entries.c.url),
            (entries, entries.c.images),
            (entries, entries.c.html),
            (entry_images, entry_images.c.url),
        ):
            connection.execute(
                update(table)
                .where(column.contains(base))
                .values({column.name: func.replace(column, base, LIVEBLOG_HOME)})
            )
        # The demo is a record of a past day, not something to poll.
        connection.execute(update(sources).values(next_poll=None, etag=None, body_hash=None))
