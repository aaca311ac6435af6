"""Replaying the seed blog's day through the diff reproduces expected.json.

The two-poll rule means a take-down seen at snapshot-3 is confirmed (withdrawn) at the
next poll of the same window, snapshot-3-later; everything else lands on the snapshot
expected.json names.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from reader.liveblog import (
    StoredUpdate,
    UpdateDiff,
    confirm_unchanged,
    diff_updates,
    extract_liveblog,
    window_of,
)
from reader.types import ParsedPage

SEED = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "liveblogs" / "seed"
EXPECTED = json.loads((SEED / "expected.json").read_text(encoding="utf-8"))
ORDER = [
    "snapshot-1",
    "snapshot-2",
    "snapshot-3",
    "snapshot-3-later",
    "snapshot-4",
    "snapshot-4-later",
]


class FakeArchive:
    """The little the store keeps per update, updated the way the real store applies a diff."""

    def __init__(self) -> None:
        self.updates: dict[str, StoredUpdate] = {}
        self.revisions: dict[str, int] = {}

    def stored(self) -> list[StoredUpdate]:
        return list(self.updates.values())

    def apply(self, diff: UpdateDiff) -> None:
        for entry in diff.new:
            self.updates[entry.key] = StoredUpdate(
                entry.key, entry.title, entry.text, entry.published, False, 0
            )
            self.revisions[entry.key] = 1
        for entry in diff.edited:
            self.updates[entry.key] = replace(
                self.updates[entry.key], title=entry.title, text=entry.text
            )
            self.revisions[entry.key] += 1
        for key, count in diff.missing_polls.items():
            self.updates[key] = replace(self.updates[key], missing_polls=count)
        for key in diff.withdrawn:
            self.updates[key] = replace(self.updates[key], withdrawn=True)
        for key in diff.restored:
            self.updates[key] = replace(self.updates[key], withdrawn=False, missing_polls=0)


def page(variant: str, snapshot: str) -> ParsedPage:
    data = (SEED / f"{variant}{snapshot}.html").read_bytes()
    return extract_liveblog(data, url=EXPECTED["page_url"])


@pytest.mark.parametrize("variant", ["", "microdata-"])
def test_replay_matches_expected(variant: str) -> None:
    archive = FakeArchive()
    pending_withdrawal: set[str] = set()
    for snapshot in ORDER:
        want = EXPECTED["snapshots"][snapshot]
        parsed = page(variant, snapshot)
        diff = diff_updates(archive.stored(), parsed)
        assert sorted(e.key for e in diff.new) == sorted(want["new_since_previous"]), snapshot
        assert sorted(e.key for e in diff.edited) == sorted(want["edited_since_previous"]), snapshot
        # Withdrawn on the second poll that misses them, never on the first.
        assert set(diff.withdrawn) == pending_withdrawal, snapshot
        assert diff.restored == ()
        pending_withdrawal = set(want["deleted_since_previous"])
        for key in pending_withdrawal:
            assert diff.missing_polls[key] == 1
        assert [e.key for e in parsed.entries if e.pinned] == (
            [want["pinned"]] if want["pinned"] else []
        )
        archive.apply(diff)
    withdrawn = {k for k, u in archive.updates.items() if u.withdrawn}
    assert withdrawn == {"post-7111"}
    # The two oldest fell off the end of a windowed page: still there, not withdrawn.
    assert not archive.updates["post-7074"].withdrawn
    assert not archive.updates["post-7037"].withdrawn
    assert archive.updates["post-7074"].missing_polls == 0
    assert len(archive.updates) == 11
    assert archive.revisions["post-7296"] == 2 and archive.revisions["post-7370"] == 2
    assert archive.updates["post-7296"].text.count("Lammy said there would soon") == 1


def test_not_modified_poll_counts_toward_withdrawal() -> None:
    archive = FakeArchive()
    for snapshot in ORDER[:3]:
        archive.apply(diff_updates(archive.stored(), page("", snapshot)))
    assert archive.updates["post-7111"].missing_polls == 1
    window = window_of(page("", "snapshot-3"))
    diff = confirm_unchanged(archive.stored(), window)
    assert diff.withdrawn == ("post-7111",)
    assert diff.new == () and diff.edited == ()
    archive.apply(diff)
    # Later unchanged polls change nothing more.
    assert confirm_unchanged(archive.stored(), window).changed is False
    assert confirm_unchanged(archive.stored(), window).missing_polls == {}
