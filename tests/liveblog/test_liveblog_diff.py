"""The diff rules on small hand-made cases: windows, pinned posts, restore, quote noise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reader.liveblog import PollWindow, StoredUpdate, confirm_unchanged, diff_updates, window_of
from reader.types import ParsedEntry, ParsedPage

T0 = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)


def entry(
    key: str, minutes: int, title: str = "", text: str = "", pinned: bool = False
) -> ParsedEntry:
    return ParsedEntry(
        key=key,
        kind="liveblog-update",
        title=title or f"Title {key}",
        published=T0 + timedelta(minutes=minutes),
        text=text or f"Body of {key}.",
        pinned=pinned,
    )


def stored(
    key: str, minutes: int | None, *, withdrawn: bool = False, missing: int = 0
) -> StoredUpdate:
    published = None if minutes is None else T0 + timedelta(minutes=minutes)
    return StoredUpdate(key, f"Title {key}", f"Body of {key}.", published, withdrawn, missing)


def page(*entries: ParsedEntry) -> ParsedPage:
    return ParsedPage(kind="liveblog", title="Blog", url="https://x.example/", entries=entries)


def test_missing_inside_the_window_needs_two_polls() -> None:
    archive = [stored("a", 0), stored("b", 10), stored("c", 20)]
    first = diff_updates(archive, page(entry("a", 0), entry("c", 20)))
    assert first.withdrawn == () and first.missing_polls == {"b": 1}
    archive[1] = stored("b", 10, missing=1)
    second = diff_updates(archive, page(entry("a", 0), entry("c", 20)))
    assert second.withdrawn == ("b",) and second.missing_polls == {"b": 2}


def test_older_than_the_window_is_not_missing() -> None:
    archive = [stored("a", 0, missing=1), stored("b", 10), stored("c", 20)]
    diff = diff_updates(archive, page(entry("b", 10), entry("c", 20)))
    assert diff.withdrawn == () and diff.missing_polls == {}


def test_old_pinned_post_does_not_stretch_the_window() -> None:
    archive = [stored("a", 0), stored("b", 10, missing=1), stored("c", 20), stored("d", 30)]
    diff = diff_updates(archive, page(entry("a", 0, pinned=True), entry("c", 20), entry("d", 30)))
    assert window_of(page(entry("a", 0, pinned=True), entry("c", 20))).oldest == T0 + timedelta(
        minutes=20
    )
    assert diff.withdrawn == () and diff.missing_polls == {}


def test_undated_updates_are_only_missed_by_a_complete_window() -> None:
    archive = [stored("x", None, missing=1), stored("c", 20)]
    assert diff_updates(archive, page(entry("c", 20))).withdrawn == ()
    complete = PollWindow(keys=frozenset({"c"}), oldest=T0, complete=True)
    assert confirm_unchanged(archive, complete).withdrawn == ("x",)


def test_reappearing_update_is_restored_and_its_count_reset() -> None:
    archive = [stored("a", 0, withdrawn=True, missing=2), stored("b", 10, missing=1)]
    diff = diff_updates(archive, page(entry("a", 0), entry("b", 10)))
    assert diff.restored == ("a",)
    assert diff.missing_polls == {"a": 0, "b": 0}
    assert diff.new == () and diff.edited == ()


def test_withdrawn_updates_are_not_counted_again() -> None:
    archive = [stored("a", 0), stored("b", 10, withdrawn=True, missing=2)]
    assert diff_updates(archive, page(entry("a", 0), entry("c", 20))).missing_polls == {}


def test_reserved_bytes_with_quote_and_space_noise_are_not_edits() -> None:
    archive = [StoredUpdate("a", "Putin's \u201cmessage\u201d", "One  two\n\nthree", T0, False, 0)]
    same = entry("a", 0, title='Putin\u2019s "message"', text="One two three")
    changed = entry("a", 0, title='Putin\u2019s "message"', text="One two four")
    assert diff_updates(archive, page(same)).edited == ()
    assert diff_updates(archive, page(changed)).edited == (changed,)


def test_new_updates_are_reported_in_page_order() -> None:
    diff = diff_updates([], page(entry("b", 10), entry("a", 0)))
    assert [e.key for e in diff.new] == ["b", "a"]
    assert diff.changed
