"""Sanity check on generated multi-source, multi-day stories (see bench_topics.py).

The generator is not real prose; this catches gross breakage of cross-source threading
(time windows, eviction, candidate lookup), not fine quality.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_topics.py"


def test_generated_stories_from_many_outlets_are_threaded() -> None:
    spec = importlib.util.spec_from_file_location("bench_topics", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_topics", module)
    spec.loader.exec_module(module)
    assert module.synthetic_f1(entries=1200, days=4) >= 0.9
