"""Search benchmark: a generated archive of N entries (default 1,000,000), 20 fixed queries.

Prints the index build time for 100,000 entries, the archive size with and without the
search index, and per-query timings (median / p95 must stay under 50 / 200 ms for the top
50 hits with highlighted snippets). The generated archive is cached under /tmp.

    .venv/bin/python tests/benchmarks/bench_search.py [--entries N] [--rebuild]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reader.search import count_matches, matching_entry_ids, search_entries  # noqa: E402
from reader.store.database import create_archive_engine, migrate  # noqa: E402

CACHE = Path("/tmp/newsdesk-bench-search")
BUILD_SAMPLE = 100_000
NOW = datetime(2026, 5, 1, tzinfo=UTC)
SPAN_SECONDS = 3 * 365 * 86400

# The most common words come first, so Zipf gives them most of the weight: some of them
# appear in nearly every entry, which is the case that must stay fast.
COMMON = (
    "the of and to in a is that for on was with he it as at by said from his an be has "
    "have are were this but not they who their its which after had been will more one two "
    "also new first year people government minister president police war state city "
    "world country officials told report week percent since last about than over other"
).split()
NEWS = (
    "ceasefire ukraine russia gaza israel election parliament budget inflation market "
    "climate storm flood wildfire vaccine hospital court judge trial strike union oil "
    "energy nuclear summit treaty sanctions refugees border troops missile drone army "
    "protest reform tariff trade bank interest rates housing school university football "
    "championship olympics tennis cricket festival museum bridge airport railway "
    "earthquake hurricane drought harvest satellite rocket telescope vaccine pandemic"
).split()
AUTHORS = [f"{first} {last}" for first in ("Anna", "Ben", "Chloé", "David", "Eva", "Farid",
           "Grace", "Hugo", "Ines", "Jonas") for last in ("Smith", "Müller", "García", "Okafor",
           "Nakamura", "Rossi", "Kowalski", "Dubois", "Larsen", "Haddad")]
SYLLABLES = "ka lo mi ra te su no vi de pa ri gu ba fe to ma ne li so ze".split()


def vocabulary(rng: np.random.Generator, size: int = 40_000) -> list[str]:
    words = list(dict.fromkeys(COMMON + NEWS))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES, size=int(rng.integers(2, 5))))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def zipf_weights(size: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, size + 1) ** 1.05
    return weights / weights.sum()


def _create_archive(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    database = folder / "archive.sqlite"
    engine = create_archive_engine(database)
    try:
        migrate(engine, folder / "backups")
    finally:
        engine.dispose()
    return database


def generate(folder: Path, count: int, seed: int = 7) -> tuple[Path, float]:
    """Write `count` entries with the search index off, then build the index; returns its time."""
    database = _create_archive(folder)
    rng = np.random.default_rng(seed)
    words = np.array(vocabulary(rng))
    weights = zipf_weights(len(words))
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = OFF")
    trigger_sql = connection.execute(
        "SELECT sql FROM sqlite_master WHERE type='trigger' AND name='entries_fts_insert'"
    ).fetchone()[0]
    connection.execute("DROP TRIGGER entries_fts_insert")
    with connection:
        connection.executemany(
            "INSERT INTO sources (id, kind, url, title, added_at) VALUES (?, 'feed', ?, ?, 0)",
            [(i, f"https://example.org/feed/{i}", f"{rng.choice(NEWS).title()} Daily {i}")
             for i in range(1, 201)],
        )
        threads = max(1, count // 20)
        connection.executemany(
            "INSERT INTO threads (id, label, created, last_activity) VALUES (?, ?, 0, 0)",
            [(i, " ".join(rng.choice(words[:3000], size=3))) for i in range(1, threads + 1)],
        )
        start_time = int(NOW.timestamp()) - SPAN_SECONDS
        batch = 20_000
        for first in range(0, count, batch):
            size = min(batch, count - first)
            lengths = rng.integers(20, 110, size=size)
            drawn = words[rng.choice(len(words), size=int(lengths.sum()) + size * 8, p=weights)]
            rows = []
            cursor = 0
            for i in range(size):
                entry_id = first + i + 1
                title = " ".join(drawn[cursor : cursor + 8]).capitalize()
                cursor += 8
                text = " ".join(drawn[cursor : cursor + lengths[i]]) + "."
                cursor += int(lengths[i])
                when = start_time + SPAN_SECONDS * entry_id // count - int(rng.integers(0, 7200))
                author = AUTHORS[int(rng.integers(0, len(AUTHORS)))]
                rows.append((
                    entry_id, int(rng.integers(1, 201)), f"k{entry_id}", title,
                    f'["{author}"]', when, when, when, when, text,
                    int(rng.integers(1, threads + 1)) if rng.random() < 0.3 else None,
                    entry_id < count * 0.9, rng.random() < 0.002,
                ))
            connection.executemany(
                "INSERT INTO entries (id, source_id, key, kind, title, authors, published, "
                "sort_time, first_seen, content_seen, text, thread_id, read, starred) "
                "VALUES (?, ?, ?, 'article', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
    began = time.perf_counter()
    with connection:
        connection.execute("INSERT INTO entries_fts (entries_fts) VALUES ('rebuild')")
        connection.execute(trigger_sql)
    build = time.perf_counter() - began
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("ANALYZE")
    connection.close()
    return database, build


def index_sizes(database: Path) -> tuple[int, int]:
    """(bytes of the whole file, bytes taken by the search index's tables)."""
    connection = sqlite3.connect(database)
    try:
        total = connection.execute("SELECT sum(pgsize) FROM dbstat").fetchone()[0]
        index = connection.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'entries_fts%'"
        ).fetchone()[0]
    finally:
        connection.close()
    return int(total), int(index or 0)


QUERIES = [
    "the",  # in nearly every entry
    "said government",
    "minister",
    "ceasefire",
    "ceasefires ukraine",
    '"prime minister"',
    '"the government said"',
    "gov*",
    "cea*",
    "title:election",
    "author:müller",
    "source:daily ceasefire",
    "ceasefire OR truce",
    "election -football",
    "is:unread",
    "is:starred minister",
    "after:2026-01 budget",
    "before:2024-01-01 flood",
    "thread:kalo war",
    "the of and",
]


def run_queries(folder: Path, limit: int, order: str) -> list[float]:
    engine = create_archive_engine(folder / "archive.sqlite")
    timings: list[float] = []
    try:
        with engine.connect() as connection:
            search_entries(connection, "warmup", limit=limit, now=NOW)
            for query in QUERIES:
                began = time.perf_counter()
                results = search_entries(
                    connection, query, limit=limit, order=order, now=NOW  # type: ignore[arg-type]
                )
                elapsed = (time.perf_counter() - began) * 1000
                timings.append(elapsed)
                estimate = "~" if results.total_is_estimate else " "
                print(f"  {elapsed:8.1f} ms  {estimate}{results.total:>8}  {len(results.hits):>3} "
                      f"hits  {query}")
            print("  saved-search counts (unread):")
            for query in QUERIES[:10]:
                began = time.perf_counter()
                counted = count_matches(connection, query, unread_only=True)
                print(f"  {(time.perf_counter() - began) * 1000:8.1f} ms  {counted:>9}  {query}")
            began = time.perf_counter()
            matching_entry_ids(connection, "minister", limit=200)
            print(f"  matching_entry_ids('minister', 200): "
                  f"{(time.perf_counter() - began) * 1000:.1f} ms")
    finally:
        engine.dispose()
    return timings


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--rebuild", action="store_true", help="regenerate the cached archive")
    args = parser.parse_args(argv)

    sample = CACHE / f"build-{BUILD_SAMPLE}"
    began = time.perf_counter()
    _, build = generate(sample, min(BUILD_SAMPLE, args.entries))
    print(f"index build for {min(BUILD_SAMPLE, args.entries):,} entries: {build:.1f} s "
          f"(generation and build {time.perf_counter() - began:.1f} s)")
    shutil.rmtree(sample)

    folder = CACHE / f"archive-{args.entries}"
    marker = folder / "complete"
    if args.rebuild or not marker.exists():
        began = time.perf_counter()
        _, build = generate(folder, args.entries)
        marker.write_text("ok")
        print(f"generated {args.entries:,} entries in {time.perf_counter() - began:.1f} s "
              f"(index build {build:.1f} s)")
    database = folder / "archive.sqlite"
    total, index = index_sizes(database)
    print(f"archive: {total / 1e6:.0f} MB with the search index, {(total - index) / 1e6:.0f} MB "
          f"without; the index adds {index / 1e6:.0f} MB ({100 * index / (total - index):.0f}%)")

    results: dict[str, float] = {}
    for order in ("relevance", "date"):
        print(f"{len(QUERIES)} queries, top {args.limit}, order={order}:")
        timings = run_queries(folder, args.limit, order)
        median = statistics.median(timings)
        p95 = sorted(timings)[max(0, int(round(0.95 * len(timings))) - 1)]
        print(f"  median {median:.1f} ms, p95 {p95:.1f} ms, max {max(timings):.1f} ms")
        results[f"{order}_median_ms"] = median
        results[f"{order}_p95_ms"] = p95
    return results


if __name__ == "__main__":
    main()
