"""Build the Linux bundle (or reuse one) and print its build time, size and start-up times.

    .venv/bin/python packaging/measure_bundle.py               # build into a temp dir
    .venv/bin/python packaging/measure_bundle.py --bundle DIR  # measure an existing bundle

Start-up is the wall time until the process exits: `--help` (no Qt) and `--self-test` (main
window offscreen on a demo archive, one search), each the best of a few runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "newsdesk.spec"


@dataclass(frozen=True)
class Timed:
    """One run of a command: its wall time and what it said."""

    seconds: float
    returncode: int
    stdout: str
    stderr: str


def offscreen_env(scratch: Path) -> dict[str, str]:
    """The environment for running the app headless, with no display, and with the per-user
    folders (settings, data, cache) moved into `scratch` so a measurement leaves no trace."""
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[variable] = str(scratch / variable.lower())
    return env


def run_timed(command: list[str], cwd: Path | None = None, timeout: float = 120.0) -> Timed:
    """Run `command` headless in `cwd` and time it until it exits."""
    with tempfile.TemporaryDirectory(prefix="newsdesk-run-") as scratch:
        env = offscreen_env(Path(scratch))
        start = time.perf_counter()
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd
        )
        seconds = time.perf_counter() - start
    return Timed(seconds, done.returncode, done.stdout, done.stderr)


def best_of(command: list[str], cwd: Path | None = None, runs: int = 3) -> Timed:
    """The fastest of `runs` runs (the first one also pays for a cold disk cache)."""
    results = [run_timed(command, cwd) for _ in range(runs)]
    return min(results, key=lambda result: result.seconds)


def self_test_unsupported(result: Timed) -> bool:
    """True if the program does not know `--self-test` yet (argparse's usage error)."""
    return result.returncode == 2 and "unrecognized arguments" in result.stderr


def build_bundle(work: Path, python: str = sys.executable) -> tuple[Path, float]:
    """Run PyInstaller on the spec into `work`; returns (bundle folder, build seconds)."""
    start = time.perf_counter()
    subprocess.run(
        [
            python,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level=WARN",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
            str(SPEC),
        ],
        check=True,
        cwd=ROOT,
    )
    return work / "dist" / "newsdesk", time.perf_counter() - start


def directory_size(path: Path) -> int:
    """Bytes in all regular files under `path` (symlinks not followed)."""
    return sum(
        entry.stat().st_size
        for entry in path.rglob("*")
        if entry.is_file() and not entry.is_symlink()
    )


def du_human(path: Path) -> str:
    """`du -sh` of `path`, as the brief's reports quote it."""
    return subprocess.run(["du", "-sh", str(path)], capture_output=True, text=True).stdout.split()[
        0
    ]


def report(bundle: Path, build_seconds: float | None) -> dict[str, float | str | None]:
    """Measure `bundle` and print one line per number; returns the numbers."""
    executable = bundle / "newsdesk"
    numbers: dict[str, float | str | None] = {
        "build_seconds": build_seconds,
        "size_mib": directory_size(bundle) / 2**20,
        "du": du_human(bundle),
    }
    # Run outside the source tree, so nothing can be imported from a checkout by accident.
    help_run = best_of([str(executable), "--help"], cwd=bundle.parent)
    numbers["help_seconds"] = help_run.seconds if help_run.returncode == 0 else None
    self_test = best_of([str(executable), "--self-test"], cwd=bundle.parent)
    if self_test.returncode == 0:
        numbers["self_test_seconds"] = self_test.seconds
    else:
        numbers["self_test_seconds"] = None
        reason = "not implemented yet" if self_test_unsupported(self_test) else "FAILED"
        print(f"--self-test {reason} (exit {self_test.returncode}): {self_test.stderr[-400:]}")
    if build_seconds is not None:
        print(f"build time:          {build_seconds:6.1f} s")
    print(f"bundle size:         {numbers['size_mib']:6.1f} MiB (du -sh: {numbers['du']})")
    for label, key in (("--help start-up", "help_seconds"), ("--self-test", "self_test_seconds")):
        value = numbers[key]
        shown = f"{value:6.2f} s" if isinstance(value, float) else "   n/a"
        print(f"{label + ':':<20} {shown}")
    return numbers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, help="measure this built folder instead")
    options = parser.parse_args(argv)
    if options.bundle:
        report(options.bundle, None)
        return 0
    with tempfile.TemporaryDirectory(prefix="newsdesk-bundle-") as work:
        bundle, seconds = build_bundle(Path(work))
        report(bundle, seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
