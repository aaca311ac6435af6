"""A thread that drifts from one story into another splits in two, in memory and in the archive."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from reader.core import Archive, open_archive
from reader.store.schema import entries, threads
from reader.topics import Threader, ThreadingSettings
from tests.topics._drift import drift_docs
from tests.topics._stored import store_docs

TRAM = ("t1", "t2", "t3")
HOUSING = ("h1", "h2", "h3", "h4")


def _members(threader: Threader) -> dict[int, tuple[str, ...]]:
    return {info.id: info.entry_ids for info in threader.threads()}


def test_without_splitting_the_mayor_chains_two_stories_into_one_thread() -> None:
    threader = Threader(ThreadingSettings(split_threshold=None))
    assert {threader.assign(d) for d in drift_docs()} == {1}
    assert threader.take_automatic_splits() == []


def test_the_drifted_part_becomes_a_thread_of_its_own() -> None:
    threader = Threader()
    for d in drift_docs():
        threader.assign(d)
    members = _members(threader)
    assert len(members) == 2
    assert set(TRAM) <= set(members[1])  # the story the thread started as keeps its id
    (housing,) = (thread_id for thread_id in members if thread_id != 1)
    assert set(HOUSING) <= set(members[housing])
    assert sorted(members[1] + members[housing]) == sorted(d.id for d in drift_docs())
    ((split_from, split_to, moved),) = threader.take_automatic_splits()
    assert (split_from, split_to) == (1, housing)
    assert {"h1", "h2"} <= set(moved) and not set(moved) & set(TRAM)
    assert threader.take_automatic_splits() == []  # taken once
    assert "Moedas" in threader.label(housing) or "housing" in threader.label(housing)


def test_a_thread_the_user_shaped_is_never_split() -> None:
    docs = drift_docs()
    threader = Threader()
    threader.assign(docs[0])
    threader.assign_to(docs[1], 1)  # the user's choice: this is the thread to keep
    for d in docs[2:]:
        threader.assign(d)
    assert _members(threader) == {1: tuple(d.id for d in docs)}
    assert threader.take_automatic_splits() == []


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    opened = open_archive(tmp_path / "archive")
    yield opened
    opened.close()


def _store(archive: Archive, first: int, last: int) -> dict[str, int]:
    """Store updates [first:last] in one feed; returns archive ids by story id."""
    return store_docs(archive, "https://example.invalid/lisbon.xml", "Lisbon", drift_docs()[first:last])


def _stored(archive: Archive) -> tuple[dict[int, int | None], dict[int, str]]:
    """Thread id of every entry, and the label of every thread row."""
    with archive.reading() as connection:
        by_entry = {row.id: row.thread_id for row in connection.execute(select(entries))}
        rows = {row.id: row.label for row in connection.execute(select(threads))}
    return by_entry, rows


def _assert_split(archive: Archive, ids: dict[str, int]) -> None:
    by_entry, rows = _stored(archive)
    tram = {by_entry[ids[i]] for i in TRAM}
    housing = {by_entry[ids[i]] for i in HOUSING}
    assert len(tram) == 1 and len(housing) == 1 and tram != housing
    assert set(rows) == set(by_entry.values())  # a row for each thread, none left over
    (housing_id,) = housing
    assert "housing" in rows[housing_id].lower() or "Moedas" in rows[housing_id]


@pytest.mark.parametrize("restart", [False, True])
def test_a_split_moves_entries_stored_by_earlier_batches(archive: Archive, restart: bool) -> None:
    ids = _store(archive, 0, 5)
    archive.thread_entries(list(ids.values()))
    by_entry, _ = _stored(archive)
    assert len(set(by_entry.values())) == 1  # one thread so far: too small to tell a drift
    if restart:
        archive.forget_thread_state()  # the threader is rebuilt from the database
    later = _store(archive, 5, 8)
    touched = archive.thread_entries(list(later.values()))
    ids.update(later)
    _assert_split(archive, ids)
    by_entry, _ = _stored(archive)
    assert set(touched) == set(by_entry.values())  # both threads changed: the GUI redraws them


def test_rethread_stores_a_split_across_batches(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reader.store.threads as archive_threads

    monkeypatch.setattr(archive_threads, "BATCH", 3)  # the split moves earlier batches' entries
    ids = _store(archive, 0, 8)
    assert archive.rethread() == 8
    _assert_split(archive, ids)


def test_cluster_lists_the_threads_splits_made() -> None:
    from reader.topics import cluster_documents

    threads = cluster_documents(list(reversed(drift_docs())))  # published order decides
    assert len(threads) == 2
    assert sorted(e for t in threads for e in t.entry_ids) == sorted(d.id for d in drift_docs())
    assert set(TRAM) <= set(threads[0].entry_ids)  # in order of their first entry
