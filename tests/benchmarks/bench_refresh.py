"""Benchmark refresh: a cold and a warm refresh of many feeds, and what images add.

    .venv/bin/python tests/benchmarks/bench_refresh.py [--feeds 500] [--entries 50]
                                                      [--image-sources 100] [--images 10]
                                                      [--repeat 3]

1. N feeds x M entries (a few paragraphs of HTML each) served from local servers in a
   child process (10 loopback hosts, 127.0.0.2-11, so the per-host politeness limit
   applies as it would on the web). Cold refresh = fetch, parse, store and index
   (target for 500 x 50: < 12 s); then threading and image caching, measured separately;
   then a warm refresh where every feed answers 304 (target < 2 s).
2. 100 feeds x 10 entries with an image each (1000 images): the whole `Archive.refresh()`
   (with threading; images download while the refresh goes on) with image caching off, then
   on, interleaved `--repeat` times (target: images add < 50 % to the refresh time).
   tests/benchmarks/bench_offline.py measures the same from one host with 60 KB images.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.synchronize import Event
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reader.core import Archive, open_archive  # noqa: E402

HOSTS = [f"127.0.0.{n}" for n in range(2, 12)]
IMAGE = (ROOT / ".." / "shared" / "fixtures" / "liveblogs" / "img" / "post-7074-1.jpg").read_bytes()
WORDS = (
    "minister talks ceasefire council harbour river election budget storm court police "
    "energy prices school hospital union strike market bank rates trade summit border "
    "festival museum railway airport climate flood drought vaccine research football"
).split()


def feed_xml(feed: int, entries: int, images: int, image_host: str) -> bytes:
    items = []
    for n in range(entries):
        words = " ".join(WORDS[(feed * 7 + n * 3 + k) % len(WORDS)] for k in range(60))
        body = "".join(f"&lt;p&gt;{words} paragraph {p}.&lt;/p&gt;" for p in range(3))
        if n < images:
            body += f"&lt;img src=&quot;http://{image_host}/img/{feed}-{n}.jpg&quot;&gt;"
        items.append(
            f"<item><guid isPermaLink='false'>f{feed}-e{n}</guid>"
            f"<title>Feed {feed} story {n}: {WORDS[(feed + n) % len(WORDS)]} update</title>"
            f"<link>https://site{feed}.example/story/{n}</link>"
            f"<pubDate>Mon, 02 Jun 2025 {n % 24:02d}:{feed % 60:02d}:00 GMT</pubDate>"
            f"<description>{body}</description></item>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Bench feed {feed}</title>{''.join(items)}</channel></rss>"
    ).encode()


def serve(feeds: int, entries: int, images: int, port: int, ready: Event, stop: Event) -> None:
    """Child process: one server per loopback host, feeds with ETags, and images."""
    bodies = {
        f"/feed/{f}.xml": feed_xml(f, entries, images, f"{HOSTS[f % len(HOSTS)]}:{port}")
        for f in range(feeds)
    }
    etags = {path: '"' + hashlib.sha1(body).hexdigest() + '"' for path, body in bodies.items()}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else each keep-alive response waits 40 ms

        def do_GET(self) -> None:  # noqa: N802
            if self.path.startswith("/img/"):
                body, kind, etag = IMAGE, "image/jpeg", None
            else:
                body, kind = bodies.get(self.path, b""), "application/rss+xml"
                etag = etags.get(self.path)
                if etag and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    servers = [ThreadingHTTPServer((host, port), Handler) for host in HOSTS]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ready.set()
    stop.wait()
    for server in servers:
        server.shutdown()


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((HOSTS[0], 0))
        return int(probe.getsockname()[1])


@contextmanager
def served_archive(feeds: int, entries: int, images: int) -> Iterator[Archive]:
    """A new archive subscribed to `feeds` feeds served by a child process."""
    port = free_port()
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    child = multiprocessing.Process(target=serve, args=(feeds, entries, images, port, ready, stop))
    child.start()
    ready.wait(60)
    try:
        with tempfile.TemporaryDirectory() as folder, open_archive(folder) as archive:
            for f in range(feeds):
                archive.subscribe(f"http://{HOSTS[f % len(HOSTS)]}:{port}/feed/{f}.xml", "feed")
            yield archive
    finally:
        stop.set()
        child.join(30)


def run(feeds: int, entries: int, images: int) -> dict[str, float]:
    numbers: dict[str, float] = {}
    with served_archive(feeds, entries, images) as archive:
        started = time.perf_counter()
        result = archive.refresh(post_process=False)
        numbers["cold"] = time.perf_counter() - started
        assert not result.failed, [r.error for r in result.sources if r.error][:3]
        stored = archive.count_entries()
        assert stored == feeds * entries, stored
        new_ids = [i for r in result.sources for i in r.new_entry_ids]
        started = time.perf_counter()
        archive.thread_entries(new_ids)
        numbers["threading"] = time.perf_counter() - started
        started = time.perf_counter()
        warm = archive.refresh(post_process=False)
        numbers["warm"] = time.perf_counter() - started
        assert {r.status for r in warm.sources} == {"not-modified"}
    return numbers


def whole_refresh(feeds: int, entries: int, cache_images: bool) -> tuple[float, int]:
    """Seconds for one `Archive.refresh()` of a new archive, and the images it cached."""
    with served_archive(feeds, entries, entries) as archive:
        for source in archive.sources():
            archive.set_source_options(source.id, cache_images=cache_images)
        started = time.perf_counter()
        result = archive.refresh()
        elapsed = time.perf_counter() - started
        assert not result.failed, [r.error for r in result.sources if r.error][:3]
        with archive.reading() as connection:
            cached = connection.exec_driver_sql(
                "SELECT count(*) FROM entry_images WHERE status = 'cached'"
            ).scalar()
        return elapsed, int(cached or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--image-sources", type=int, default=100)
    parser.add_argument("--images", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()

    big = run(options.feeds, options.entries, 0)
    total = options.feeds * options.entries
    print(f"{options.feeds} feeds x {options.entries} entries ({total} entries)")
    print(f"  cold refresh (fetch, parse, store, index): {big['cold']:.2f} s  (target < 12 s)")
    print(f"  topic threading of the new entries:        {big['threading']:.2f} s")
    print(f"  warm refresh (all 304):                    {big['warm']:.2f} s  (target < 2 s)")
    without: list[float] = []
    with_images: list[float] = []
    for _ in range(options.repeat):  # interleaved, so a busy moment hits both alike
        elapsed, cached = whole_refresh(options.image_sources, options.images, False)
        without.append(elapsed)
        elapsed, cached = whole_refresh(options.image_sources, options.images, True)
        assert cached == options.image_sources * options.images, cached
        with_images.append(elapsed)
    base, full = statistics.median(without), statistics.median(with_images)
    print(f"{options.image_sources} feeds x {options.images} entries, one image each")
    print(f"  whole refresh, images off: {base:.2f} s ({', '.join(f'{t:.2f}' for t in without)})")
    print(
        f"  whole refresh, images on:  {full:.2f} s ({', '.join(f'{t:.2f}' for t in with_images)})"
        f"; images add +{100 * (full - base) / base:.0f} % (target < 50 %)"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
