"""Topic-threading benchmark and synthetic multi-source check.

Generates a realistic-ish archive of short news entries (default 100,000 over 60 days):
thousands of stories, each with its own names and words, told by several outlets in their
own phrasing over a few days, on top of common news vocabulary. Prints:

- full rethread time for the whole archive (target: under 2 minutes),
- median / p95 time to assign one new entry to a 100,000-entry archive (target: < 5 ms),
- peak memory (resident set size),
- B-cubed F1 of the threads against the generated story labels (a sanity check that
  cross-source, multi-day threading works; the generator is not real prose).

    .venv/bin/python tests/benchmarks/bench_topics.py [--entries N] [--days D]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reader.topics import Threader, TopicDoc, bcubed, cluster_documents  # noqa: E402

_ONSETS = [
    "b",
    "br",
    "c",
    "ch",
    "d",
    "f",
    "g",
    "gr",
    "h",
    "k",
    "l",
    "m",
    "n",
    "p",
    "pr",
    "r",
    "s",
    "st",
    "t",
    "tr",
    "v",
    "w",
    "z",
]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou"]
_CODAS = ["", "", "n", "r", "s", "l", "m", "nd", "st", "t"]
COMMON = (
    "government police minister officials people country city state report plan talks deal "
    "crisis attack security public leaders support meeting vote court law million percent "
    "announced warned called expected decision group members workers families local national "
    "international president party election forces military economy market prices health "
    "children school hospital victims protest violence agreement office news week response"
).split()
FILLER = "the a of to in and on for with as by at from after over that this its has was".split()


def _word(rng: random.Random) -> str:
    return "".join(
        rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
        for _ in range(rng.randint(1, 3))
    )


class Story:
    """One story line: its names, its words, when it runs and how much is written."""

    def __init__(self, rng: random.Random, index: int, start: datetime, vocabulary: list[str]):
        self.label = f"story-{index}"
        self.names = [_word(rng).capitalize() for _ in range(rng.randint(2, 4))]
        # Stories share part of their vocabulary with others: topics recur across stories.
        self.words = rng.sample(vocabulary, rng.randint(8, 15))
        self.start = start
        self.hours = rng.uniform(6, 96)
        self.size = max(1, int(rng.paretovariate(1.2) * 3))


def _sentence(rng: random.Random, story: Story, length: int, share: float) -> list[str]:
    words = []
    for _ in range(length):
        roll = rng.random()
        if roll < share * 0.35:
            words.append(rng.choice(story.names))
        elif roll < share:
            words.append(rng.choice(story.words))
        elif roll < share + (1 - share) * 0.5:
            words.append(rng.choice(COMMON))
        else:
            words.append(rng.choice(FILLER))
    return words


def generate(
    entries: int, days: float, sources: int = 20, seed: int = 7
) -> tuple[list[TopicDoc], dict[str, list[str]]]:
    """`entries` docs from `sources` outlets over `days`, and their story labels."""
    rng = random.Random(seed)
    # Sorted: a set of strings iterates in an order that changes with PYTHONHASHSEED.
    vocabulary = sorted({_word(rng) for _ in range(30_000)})
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    docs: list[TopicDoc] = []
    gold: dict[str, list[str]] = {}
    index = 0
    while len(docs) < entries:
        start = t0 + timedelta(days=rng.uniform(0, days))
        story = Story(rng, index, start, vocabulary)
        index += 1
        for _ in range(min(story.size, entries - len(docs))):
            published = story.start + timedelta(hours=rng.uniform(0, story.hours))
            title = " ".join(_sentence(rng, story, rng.randint(5, 10), 0.7)).capitalize()
            body = ". ".join(
                " ".join(_sentence(rng, story, rng.randint(8, 16), 0.35)).capitalize()
                for _ in range(rng.randint(2, 5))
            )
            doc_id = f"e{len(docs)}"
            docs.append(
                TopicDoc(doc_id, title, body + ".", published, f"src{rng.randrange(sources)}")
            )
            gold[doc_id] = [story.label]
    return docs, gold


def synthetic_f1(entries: int = 1500, days: float = 5) -> float:
    docs, gold = generate(entries, days)
    predicted = {e: t.id for t in cluster_documents(docs) for e in t.entry_ids}
    return bcubed(predicted, gold).f1


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="topic threading benchmark")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--days", type=float, default=60)
    parser.add_argument("--probes", type=int, default=500)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    docs, gold = generate(args.entries + args.probes, args.days)
    docs.sort(key=lambda d: d.published or datetime.min.replace(tzinfo=UTC))
    archive, probes = docs[: args.entries], docs[args.entries :]
    print(
        f"generated {len(docs)} entries in {time.perf_counter() - started:.1f}s "
        f"(rss {_peak_rss_mb():.0f} MB)"
    )

    threader = Threader()
    started = time.perf_counter()
    for doc in archive:
        threader.assign(doc)
    rethread = time.perf_counter() - started
    print(
        f"full rethread of {len(archive)} entries: {rethread:.1f}s "
        f"({rethread / len(archive) * 1000:.2f} ms/entry; target < 120 s)"
    )
    print(f"threads: {len(threader.threads())}, active: {threader.active_thread_count}")

    timings = []
    for doc in probes:
        t = time.perf_counter()
        threader.assign(doc)
        timings.append((time.perf_counter() - t) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95)]
    print(
        f"assign one new entry: median {statistics.median(timings):.2f} ms, "
        f"p95 {p95:.2f} ms (target median < 5 ms)"
    )

    predicted = {e: str(t.id) for t in threader.threads() for e in t.entry_ids}
    score = bcubed(predicted, gold)
    print(
        f"synthetic B-cubed on the archive: P={score.precision:.3f} R={score.recall:.3f} "
        f"F1={score.f1:.3f}"
    )
    print(f"peak memory (max RSS): {_peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
