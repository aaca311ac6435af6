"""How fast parse_feed turns realistic RSS into entries, in one process.

Generates 500 RSS 2.0 feeds of 50 entries (a few paragraphs of HTML each, links,
an image, two authors), then times parse_feed over all of them and prints
entries/second, plus how much of the time feedparser itself takes.

    .venv/bin/python tests/benchmarks/bench_parse.py [--feeds N] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import sys
import time
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

    started = time.perf_counter()
    for feed in feeds[: max(1, feed_count // 10)]:
        feedparser.parse(io.BytesIO(feed), resolve_relative_uris=False, sanitize_html=False)
    feedparser_share = (time.perf_counter() - started) * 10

    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    started = time.perf_counter()
    entries = 0
    for i, feed in enumerate(feeds):
        page = parse_feed(feed, url=f"https://site{i}.example/feed.xml")
        entries += len(page.entries)
    elapsed = time.perf_counter() - started
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)

    rate = entries / elapsed
    print(f"feeds: {feed_count}  entries: {entries}  input: {total_bytes / 1e6:.1f} MB")
    print(f"parse_feed: {elapsed:.2f} s  ->  {rate:,.0f} entries/s (one process)")
    print(
        f"feedparser alone (estimated from a 10% sample): {feedparser_share:.2f} s "
        f"({100 * feedparser_share / elapsed:.0f}% of the total)"
    )
    print(f"25,000 entries at this rate: {25_000 / rate:.1f} s on one core")
    return {"entries": entries, "seconds": elapsed, "rate": rate}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    run(args.feeds, args.profile)


if __name__ == "__main__":
    main()
