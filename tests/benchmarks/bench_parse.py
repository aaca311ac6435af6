"""How fast parse_feed turns realistic RSS into entries, in one process.

Generates 500 RSS 2.0 feeds of 50 entries (a few paragraphs of HTML each, links,
an image, two authors), then times parse_feed over all of them and prints
entries/second, plus how much of the time feedparser itself takes.

    .venv/bin/python tests/benchmarks/bench_parse.py [--feeds N] [--profile] [--workers 2]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import feedparser  # noqa: E402

from reader.feeds import parse_feed  # noqa: E402

WORDS = (
    "minister government talks ceasefire statement agreed week officials said the a of "
    "to in and for on with at by from market shares rose fell percent council vote plan "
    "police report city health service strike union pay deal energy prices inflation"
).split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 24))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, feed_no: int) -> str:
    text = " ".join(_sentence(rng) for _ in range(rng.randint(3, 5)))
    link = f'<a href="/news/{feed_no}/{rng.randint(1, 10**6)}">{rng.choice(WORDS)}</a>'
    return f"<p>{text} See {link} and <em>more</em> &amp; <strong>context</strong>.</p>"


def make_feed(feed_no: int, entries: int = 50) -> bytes:
    rng = random.Random(feed_no)
    items = []
    for n in range(entries):
        body = "".join(_paragraph(rng, feed_no) for _ in range(rng.randint(3, 6)))
        body += f'<figure><img src="/img/{feed_no}-{n}.jpg" alt="photo"><figcaption>Photo'
        body += "</figcaption></figure>"
        items.append(
            f"""<item>
  <title>{_sentence(rng)[:90]}</title>
  <link>https://site{feed_no}.example/news/{n}</link>
  <guid isPermaLink="false">site{feed_no}-{n}</guid>
  <dc:creator>Reporter {rng.randint(1, 30)}</dc:creator>
  <dc:creator>Editor {rng.randint(1, 5)}</dc:creator>
  <pubDate>Mon, {1 + n % 28:02d} Jul 2024 {n % 24:02d}:{n % 60:02d}:00 +0100</pubDate>
  <category>News</category>
  <description><![CDATA[{body}]]></description>
</item>"""
        )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>Site {feed_no} news</title>
<link>https://site{feed_no}.example/</link>
<description>All the news from site {feed_no}</description>
{"".join(items)}
</channel>
</rss>""".encode()


def run(feed_count: int, profile: bool) -> dict[str, float]:
    feeds = [make_feed(i) for i in range(feed_count)]
    total_bytes = sum(len(f) for f in feeds)

    sample = feeds[: max(1, feed_count // 10)]
    started = time.process_time()
    for feed in sample:
        feedparser.parse(
            io.BytesIO(feed),
            response_headers={"content-type": "application/xml"},
            resolve_relative_uris=False,
            sanitize_html=False,
        )
    feedparser_cpu = (time.process_time() - started) * len(feeds) / len(sample)

    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    started = time.perf_counter()
    cpu_started = time.process_time()
    entries = 0
    for i, feed in enumerate(feeds):
        page = parse_feed(feed, url=f"https://site{i}.example/feed.xml")
        entries += len(page.entries)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)

    # CPU time is what a worker process needs; wall time also counts other load.
    rate = entries / cpu
    print(f"feeds: {feed_count}  entries: {entries}  input: {total_bytes / 1e6:.1f} MB")
    print(f"parse_feed: {cpu:.2f} s CPU ({elapsed:.2f} s wall)  ->  {rate:,.0f} entries/s")
    print(
        f"feedparser alone (CPU, estimated from a 10% sample): {feedparser_cpu:.2f} s "
        f"({100 * feedparser_cpu / cpu:.0f}% of the total); our own work: "
        f"{(cpu - feedparser_cpu) / entries * 1e6:.0f} us/entry"
    )
    print(
        f"25,000 entries at this rate: {25_000 / rate:.1f} s on one core, "
        f"{25_000 / rate / 2:.1f} s on two worker processes"
    )
    return {"entries": entries, "seconds": cpu, "rate": rate}


def _parse_count(numbered: tuple[int, bytes]) -> int:
    number, feed = numbered
    return len(parse_feed(feed, url=f"https://site{number}.example/feed.xml").entries)


def run_workers(feed_count: int, workers: int) -> None:
    """Wall time with the parse spread over worker processes, as the refresh does it."""
    feeds = [make_feed(i) for i in range(feed_count)]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        entries = sum(pool.map(_parse_count, enumerate(feeds), chunksize=8))
    elapsed = time.perf_counter() - started
    print(
        f"{workers} worker processes: {entries} entries in {elapsed:.2f} s wall "
        f"->  {entries / elapsed:,.0f} entries/s (includes pickling results back)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--workers", type=int, default=0, help="also time N worker processes")
    args = parser.parse_args()
    run(args.feeds, args.profile)
    if args.workers:
        run_workers(args.feeds, args.workers)


if __name__ == "__main__":
    main()
