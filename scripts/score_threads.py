"""Score topic threading against the labelled sets: B-cubed precision, recall and F1.

Usage: .venv/bin/python scripts/score_threads.py [--fixtures DIR] [--json]

The labelled sets name live-blog updates by id; their texts come from the live-blog
fixture pages. The project's extractor is used when importable, else a small JSON-LD
reader of this script's own (enough for these pages).
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from reader.topics import (  # noqa: E402
    BCubedScore,
    ThreadingSettings,
    TopicDoc,
    bcubed,
    cluster_documents,
    read_jsonl,
)
from reader.topics.batch import parse_time  # noqa: E402

DEFAULT_FIXTURES = REPO.parent / "shared" / "fixtures"
_LD_JSON = re.compile(
    r"<script[^>]*type=[\"']application/ld\+json[\"'][^>]*>(.*?)</script>", re.S | re.I
)
_SUMMARY = re.compile(r"<section class=\"live-summary\">(.*?)</section>", re.S)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class LabelledSet:
    name: str
    docs: list[TopicDoc]
    gold: dict[str, list[str]]


def _strip(markup: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", markup)).split())


def _update_id(update: dict[str, object]) -> str:
    for key in ("@id", "url"):
        value = update.get(key)
        if isinstance(value, str) and "#" in value:
            return value.rsplit("#", 1)[1]
    raise ValueError(f"update without an id: {update.get('headline')}")


def _jsonld_updates(page: str, source: str) -> tuple[list[TopicDoc], dict[str, object]]:
    """Updates of the LiveBlogPosting in a page's JSON-LD, and the posting itself."""
    for block in _LD_JSON.findall(page):
        data = json.loads(block, strict=False)
        for item in data if isinstance(data, list) else data.get("@graph", [data]):
            if item.get("@type") != "LiveBlogPosting":
                continue
            updates = item.get("liveBlogUpdate") or []
            if isinstance(updates, dict):
                updates = [updates]
            docs = [
                TopicDoc(
                    id=_update_id(u),
                    title=_strip(str(u.get("headline") or "")),
                    text=_strip(str(u.get("articleBody") or "")),
                    published=parse_time(u.get("datePublished")),
                    source=source,
                )
                for u in updates
            ]
            return docs, item
    raise ValueError("no LiveBlogPosting in the page")


def _extract(page: str, source: str, url: str) -> list[TopicDoc]:
    try:
        from reader.liveblog import extract_liveblog  # type: ignore[attr-defined]
    except ImportError:
        return _jsonld_updates(page, source)[0]
    parsed = extract_liveblog(page, url=url)
    return [
        TopicDoc(e.key.rsplit("#", 1)[-1], e.title, e.text, e.published, source)
        for e in parsed.entries
    ]


def load_seed(fixtures: Path) -> LabelledSet:
    """The seed blog's updates over the day (union of snapshots 1 to 3) plus its summary."""
    spec = json.loads((fixtures / "topics" / "seed-threads.json").read_text())
    folder = fixtures / "liveblogs" / "seed"
    docs: dict[str, TopicDoc] = {}
    for name in ("snapshot-1.html", "snapshot-2.html", "snapshot-3.html"):
        page = (folder / name).read_text(encoding="utf-8")
        for doc in _jsonld_updates(page, "seed-blog")[0]:
            docs[doc.id] = doc  # later snapshots carry the corrected text
    page = (folder / "snapshot-3.html").read_text(encoding="utf-8")
    _, posting = _jsonld_updates(page, "seed-blog")
    summary = _SUMMARY.search(page)
    docs["summary"] = TopicDoc(
        id="summary",
        title=_strip(str(posting.get("headline") or "")),
        text=_strip(summary.group(1)) if summary else "",
        published=parse_time(posting.get("dateModified")),
        source="seed-blog",
    )
    gold = {item: [label] for item, label in spec["assignments"].items()}
    for item, label in spec.get("also_accepted", {}).items():
        gold[item].append(label)
    return LabelledSet("seed", [docs[i] for i in gold], gold)


def load_mirror(fixtures: Path) -> LabelledSet:
    spec = json.loads((fixtures / "topics" / "mirror-uk-riots-threads.json").read_text())
    raw = gzip.decompress((fixtures / "liveblogs" / "real" / spec["source"]).read_bytes())
    page = raw.decode("utf-8")
    docs = _extract(page, "mirror-blog", "https://www.mirror.co.uk/news/uk-news/x")
    by_id = {d.id: d for d in docs}
    gold = {str(item): [label] for item, label in spec["assignments"].items()}
    missing = [i for i in gold if i not in by_id]
    if missing:
        raise SystemExit(f"{len(missing)} labelled updates not found in the page")
    return LabelledSet("mirror", [by_id[i] for i in gold], gold)


def score(labelled: LabelledSet, settings: ThreadingSettings | None = None) -> BCubedScore:
    threads = cluster_documents(labelled.docs, settings)
    predicted = {entry: t.id for t in threads for entry in t.entry_ids}
    return bcubed(predicted, labelled.gold)


def load_multi_source(_: Path) -> LabelledSet:
    """A small hand-written set: eight stories told by three outlets over three days."""
    path = REPO / "tests" / "topics" / "data" / "multi_source_stories.jsonl"
    docs = read_jsonl(path)
    stories = [json.loads(line)["story"] for line in path.read_text().splitlines() if line]
    return LabelledSet("multi", docs, {d.id: [s] for d, s in zip(docs, stories, strict=True)})


LOADERS: dict[str, Callable[[Path], LabelledSet]] = {
    "seed": load_seed,
    "mirror": load_mirror,
    "multi": load_multi_source,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = {}
    for name, loader in LOADERS.items():
        labelled = loader(args.fixtures)
        started = time.perf_counter()
        result = score(labelled)
        elapsed = time.perf_counter() - started
        results[name] = {
            "items": len(labelled.docs),
            "precision": round(result.precision, 4),
            "recall": round(result.recall, 4),
            "f1": round(result.f1, 4),
            "seconds": round(elapsed, 3),
        }
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        for name, r in results.items():
            print(
                f"{name:8s} items={r['items']:4d}  P={r['precision']:.3f}  R={r['recall']:.3f}"
                f"  F1={r['f1']:.3f}  ({r['seconds']}s)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
