"""Benchmark the offline archive: image caching after a refresh, and a 100k-entry JSON export.

    .venv/bin/python tests/benchmarks/bench_offline.py [--sources 100] [--images 10]
                                                      [--entries 100000] [--repeat 3]

1. `Archive.refresh()` of 100 feeds of 10 items each from 10 local servers (fetch, parse,
   store, search index, topic threads), once with image caching off and once with every
   item's image cached (1000 images, ~60 KB each), interleaved `--repeat` times; medians.
   Target: images add < 50 % to the refresh time.
2. Export 100,000 entries to JSON (target < 30 s), and import them into an empty archive.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


from reader.core import open_archive  # noqa: E402
from reader.export import export_archive  # noqa: E402
from reader.importer import import_json  # noqa: E402
from reader.store.writer import insert_entries  # noqa: E402
from reader.types import ParsedEntry  # noqa: E402
from tests.support.httpserver import LocalServer  # noqa: E402

IMAGE = (ROOT / ".." / "shared" / "fixtures" / "liveblogs" / "img" / "post-7074-1.jpg").read_bytes()
SERVERS = 10  # images come from many hosts in real life; the fetcher is polite per host


def _feed(source: int, base: str, images: int) -> str:
    items = []
    for item in range(images):
        img = f"{base}/img/{source}-{item}.jpg"
        body = f"&lt;p&gt;Story {item} of source {source}. " + "Words of the story. " * 40
        body += f"&lt;img src=&quot;{img}&quot;&gt;&lt;/p&gt;"
        items.append(
            f"<item><guid>s{source}-i{item}</guid><title>Story {item}</title>"
            f"<link>{base}/story/{source}/{item}</link><description>{body}</description>"
            f"<pubDate>Mon, 02 Jun 2025 10:{item:02d}:00 GMT</pubDate></item>"
        )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Feed '
        f"{source}</title>{''.join(items)}</channel></rss>"
    )


def _serve(sources: int, images: int, urls: Connection, stop: Event) -> None:
    """Child process: the local servers, so they do not share the benchmark's GIL."""
    servers = [LocalServer() for _ in range(SERVERS)]
    for server in servers:
        server.start()
    feeds: list[str] = []
    for source in range(sources):
        server = servers[source % SERVERS]
        body = _feed(source, server.base_url, images)
        feeds.append(server.route(f"/feed/{source}.xml", body, content_type="application/rss+xml"))
        for item in range(images):
            # Unique bytes per image (~60 KB), still a valid JPEG to the sniffer.
            data = IMAGE + bytes(50_000) + f"{source}-{item}".encode()
            server.route(f"/img/{source}-{item}.jpg", data, content_type="image/jpeg")
    urls.send(feeds)
    stop.wait()
    for server in servers:
        server.stop()


def _timed_refresh(feeds: list[str], images: bool) -> tuple[float, int]:
    """One `Archive.refresh()` (fetch, parse, store, index, threads, images) of a new archive."""
    with tempfile.TemporaryDirectory() as folder, open_archive(folder) as archive:
        for n, url in enumerate(feeds):
            source = archive.subscribe(url, "feed", title=f"F{n}")
            archive.set_source_options(source.id, cache_images=images)
        start = time.perf_counter()
        result = archive.refresh()
        elapsed = time.perf_counter() - start
        assert not [r for r in result.sources if r.error], result
        return elapsed, len(archive.image_store.sizes())


def bench_images(sources: int, images: int, repeat: int) -> None:
    receive, send = multiprocessing.Pipe(duplex=False)
    stop = multiprocessing.Event()
    child = multiprocessing.Process(target=_serve, args=(sources, images, send, stop))
    child.start()
    try:
        feeds: list[str] = receive.recv()
        without: list[float] = []
        with_images: list[float] = []
        for _ in range(repeat):  # interleaved, so a busy moment hits both alike
            elapsed, stored = _timed_refresh(feeds, images=False)
            assert stored == 0
            without.append(elapsed)
            elapsed, stored = _timed_refresh(feeds, images=True)
            assert stored == sources * images, stored
            with_images.append(elapsed)
        base, full = statistics.median(without), statistics.median(with_images)
        print(
            f"refresh of {sources} feeds x {images} items, images off: {base:.2f} s "
            f"(runs {', '.join(f'{t:.2f}' for t in without)})"
        )
        print(
            f"the same with {sources * images} images (~60 KB each) cached: {full:.2f} s "
            f"(runs {', '.join(f'{t:.2f}' for t in with_images)})"
        )
        print(f"images add +{100 * (full - base) / base:.0f} % to the refresh (target < 50 %)")
    finally:
        stop.set()
        child.join(timeout=30)


def bench_export(count: int) -> None:
    now = datetime(2025, 6, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        with open_archive(root / "a") as archive:
            source_ids = [
                int(archive.subscribe(f"https://s{n}.example/feed", "feed", title=f"Source {n}").id)
                for n in range(100)
            ]
            start = time.perf_counter()
            per_source = count // len(source_ids)
            for n, source_id in enumerate(source_ids):
                items = [
                    ParsedEntry(
                        key=f"{n}-{i}",
                        kind="article",
                        title=f"Headline {i} from source {n}",
                        authors=("A. Writer",),
                        published=now - timedelta(minutes=i),
                        url=f"https://s{n}.example/{i}",
                        html=f"<p>Body of story {i}. " + "Some words here. " * 30 + "</p>",
                        text=f"Body of story {i}. " + "Some words here. " * 30,
                    )
                    for i in range(per_source)
                ]
                with archive.writing() as connection:
                    insert_entries(connection, source_id, items, int(now.timestamp()))
            print(
                f"seeded {per_source * len(source_ids)} entries in "
                f"{time.perf_counter() - start:.1f} s"
            )
            out = root / "export.json"
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            start = time.perf_counter()
            report = export_archive(archive, out, "json")
            elapsed = time.perf_counter() - start
            grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
            print(
                f"JSON export of {report.entries} entries: {elapsed:.2f} s "
                f"({out.stat().st_size / 1024**2:.0f} MB file, peak RSS grew by "
                f"{grown / 1024:.0f} MB; target < 30 s)"
            )
            start = time.perf_counter()
            html = export_archive(archive, root / "site", "html")
            print(f"HTML export of {html.entries} entries: {time.perf_counter() - start:.2f} s")
        with open_archive(root / "b") as other:
            start = time.perf_counter()
            imported = import_json(other, out)
            print(
                f"JSON import of {imported.entries_added} entries into an empty archive: "
                f"{time.perf_counter() - start:.2f} s"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", type=int, default=100)
    parser.add_argument("--images", type=int, default=10)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    bench_images(args.sources, args.images, args.repeat)
    bench_export(args.entries)


if __name__ == "__main__":
    main()
