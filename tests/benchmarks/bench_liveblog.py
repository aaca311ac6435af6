"""Live-blog benchmark: extracting the 1.3 MB, 428-update Mirror page, and an unchanged poll.

Run: .venv/bin/python tests/benchmarks/bench_liveblog.py
Targets: extraction < 150 ms (median of 10); diff of the same page against its 428
stored updates < 20 ms.
"""

from __future__ import annotations

import gzip
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reader.liveblog import StoredUpdate, diff_updates, extract_liveblog  # noqa: E402

REAL = ROOT / ".." / "shared" / "fixtures" / "liveblogs" / "real"
PAGE = "TheMirror_2024_08_05.html.gz"
EXTRACT_TARGET_MS = 150.0
DIFF_TARGET_MS = 20.0


def _median_ms(func: object, runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        func()  # type: ignore[operator]
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def run(runs: int = 10) -> dict[str, float]:
    """Median milliseconds of extraction and of an unchanged-poll diff."""
    url = json.loads((REAL / "expected.json").read_text(encoding="utf-8"))[PAGE]["page_url"]
    data = gzip.decompress((REAL / PAGE).read_bytes())  # not timed
    extract_liveblog(data, url=url)  # warm caches (sanitizer cleaners, imports)
    extract_ms = _median_ms(lambda: extract_liveblog(data, url=url), runs)
    page = extract_liveblog(data, url=url)
    stored = [StoredUpdate(e.key, e.title, e.text, e.published, False, 0) for e in page.entries]
    diff_ms = _median_ms(lambda: diff_updates(stored, page), runs)
    diff = diff_updates(stored, page)
    assert not diff.changed and not diff.missing_polls, "an unchanged page must diff empty"
    return {
        "bytes": float(len(data)),
        "updates": float(len(page.entries)),
        "extract_ms": extract_ms,
        "diff_ms": diff_ms,
    }


def main() -> int:
    result = run()
    print(f"page: {PAGE} ({result['bytes'] / 1e6:.2f} MB, {result['updates']:.0f} updates)")
    print(
        f"extract_liveblog median of 10: {result['extract_ms']:.1f} ms "
        f"(target < {EXTRACT_TARGET_MS:.0f} ms)"
    )
    print(
        f"diff_updates (unchanged, 428 stored) median of 10: {result['diff_ms']:.2f} ms "
        f"(target < {DIFF_TARGET_MS:.0f} ms)"
    )
    ok = result["extract_ms"] < EXTRACT_TARGET_MS and result["diff_ms"] < DIFF_TARGET_MS
    print("OK" if ok else "TOO SLOW")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
