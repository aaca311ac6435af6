"""Active threads that grow together are merged automatically, unless the user shaped them."""

from __future__ import annotations

from reader.topics import Threader, ThreadingSettings
from tests.topics._wildfire import wildfire_docs

MERGING = ThreadingSettings(merge_threshold=0.3)
NOT_MERGING = ThreadingSettings(merge_threshold=None)


def _members(threader: Threader) -> dict[int, tuple[str, ...]]:
    return {info.id: info.entry_ids for info in threader.threads()}


def test_without_merging_the_suburb_stays_a_thread_of_its_own() -> None:
    threader = Threader(NOT_MERGING)
    ids = [threader.assign(d) for d in wildfire_docs()]
    assert ids == [1, 1, 2, 2, 1, 1]
    assert _members(threader) == {1: ("a1", "a2", "c1", "c2"), 2: ("b1", "b2")}
    assert threader.take_automatic_merges() == []


def test_threads_that_grow_together_fold_into_the_larger() -> None:
    threader = Threader(MERGING)
    for d in wildfire_docs():
        threader.assign(d)
    assert _members(threader) == {1: ("a1", "a2", "c1", "c2", "b1", "b2")}
    assert threader.thread_of("b1") == 1
    assert threader.info(2) is not None and threader.info(2) == threader.info(1)
    assert threader.take_automatic_merges() == [(2, 1)]
    assert threader.take_automatic_merges() == []  # taken once
    assert threader.active_thread_count == 1


def test_a_thread_the_user_placed_entries_in_is_never_merged() -> None:
    docs = wildfire_docs()
    threader = Threader(MERGING)
    for d in docs[:2]:
        threader.assign(d)
    for d in docs[2:4]:
        threader.assign_to(d, 2)  # the user's choice: the suburb is a story of its own
    for d in docs[4:]:
        threader.assign(d)
    assert _members(threader) == {1: ("a1", "a2", "c1", "c2"), 2: ("b1", "b2")}
    assert threader.take_automatic_merges() == []


def test_restored_threader_decisions_may_still_merge() -> None:
    docs = wildfire_docs()
    threader = Threader(MERGING)
    for d, thread_id in zip(docs[:4], [1, 1, 2, 2], strict=True):
        threader.assign_to(d, thread_id, by_user=False)
    for d in docs[4:]:
        threader.assign(d)
    assert _members(threader) == {1: ("a1", "a2", "c1", "c2", "b1", "b2")}


def test_a_thread_split_off_by_the_user_is_never_merged_back() -> None:
    docs = wildfire_docs()
    threader = Threader(MERGING)
    for d in docs[:2]:
        threader.assign(d)
    threader.assign_to(docs[2], 1, by_user=False)
    threader.assign_to(docs[3], 1, by_user=False)
    suburb = threader.split(1, ["b1", "b2"])
    for d in docs[4:]:
        threader.assign(d)
    members = _members(threader)
    assert members[suburb] == ("b1", "b2")
    assert threader.take_automatic_merges() == []
