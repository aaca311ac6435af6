"""Slow wrapper around the live-blog benchmark (run with -m slow)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_liveblog.py"


@pytest.mark.slow
def test_liveblog_benchmark_meets_targets() -> None:
    spec = importlib.util.spec_from_file_location("bench_liveblog", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    result = bench.run()
    assert result["extract_ms"] < bench.EXTRACT_TARGET_MS
    assert result["diff_ms"] < bench.DIFF_TARGET_MS
