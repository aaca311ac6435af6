"""Where merged threads went (thread_merges), and the user's threads kept unmerged on reopen."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from reader.core import Archive, open_archive
from reader.errors import NotFound
from reader.store.convert import now_epoch
from reader.store.schema import thread_merges, threads
from reader.store.writer import insert_entries
from reader.types import ParsedEntry
from tests.topics._wildfire import T0
from tests.topics.test_archive_thread_merges import MERGING, _store, _stored

# An unrelated story, stored alongside the wildfire: (key, title, text, hours after T0).
RATES = [
    (
        "x1",
        "Central bank raises interest rates",
        "The central bank raised its main interest rate by a quarter point to fight inflation.",
        2.5,
    ),
    (
        "x2",
        "Interest rate rise to curb inflation",
        "Economists said the interest rate rise by the central bank would curb inflation.",
        2.6,
    ),
]


def _open(data_dir: Path) -> Archive:
    archive = open_archive(data_dir)
    archive._topic_threads.settings = MERGING  # the wildfire merges at 0.30 (see there)
    return archive


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "archive"


@pytest.fixture
def archive(data_dir: Path) -> Iterator[Archive]:
    opened = _open(data_dir)
    yield opened
    opened.close()


def _store_rates(archive: Archive) -> dict[str, int]:
    source = archive.subscribe("https://example.invalid/economy.xml", "feed", title="Economy")
    items = [
        ParsedEntry(key=key, kind="article", title=title, published=T0 + timedelta(hours=h), text=t)
        for key, title, t, h in RATES
    ]
    with archive.writing() as connection:
        ids = insert_entries(connection, source.id, items, now_epoch())
    return {key: int(i) for (key, *_rest), i in zip(RATES, ids, strict=True)}


def _two_threads(archive: Archive) -> tuple[dict[str, int], int, int]:
    """The city's and the suburb's threads, placed by the threader."""
    ids = _store(archive, 0, 4)
    archive.thread_entries(list(ids.values()))
    by_entry, _rows = _stored(archive)
    city, suburb = by_entry[ids["a1"]], by_entry[ids["b1"]]
    assert city is not None and suburb is not None and city != suburb
    return ids, city, suburb


def _grow_together(archive: Archive, ids: dict[str, int]) -> None:
    """Store and place the updates that name both the city and the suburb."""
    ids.update(_store(archive, 4, 6))
    archive.thread_entries([ids["c1"], ids["c2"]])


def _merges(archive: Archive) -> dict[int, tuple[int, bool]]:
    with archive.reading() as connection:
        rows = connection.execute(select(thread_merges)).all()
    return {row.gone_id: (row.survivor_id, bool(row.by_user)) for row in rows}


def _user_shaped(archive: Archive) -> dict[int, bool]:
    with archive.reading() as connection:
        rows = connection.execute(select(threads.c.id, threads.c.user_shaped)).all()
    return {row.id: bool(row.user_shaped) for row in rows}


def test_an_automatic_merge_is_recorded_and_the_old_id_still_leads_there(
    archive: Archive, data_dir: Path
) -> None:
    ids, city, suburb = _two_threads(archive)
    _grow_together(archive, ids)
    assert _merges(archive) == {suburb: (city, False)}
    assert archive.resolve_thread(suburb) == city
    assert archive.resolve_thread(city) == city
    with pytest.raises(NotFound, match=f"thread {suburb} was merged into {city}"):
        archive.merge_threads(city, suburb)
    with pytest.raises(NotFound, match=f"thread {suburb} was merged into {city}"):
        archive.move_to_thread(ids["b1"], suburb)
    archive.close()

    reopened = _open(data_dir)
    try:
        # A new story after a restart does not take the merged-away id.
        rates = _store_rates(reopened)
        reopened.thread_entries(list(rates.values()))
        by_entry, _rows = _stored(reopened)
        assert by_entry[rates["x1"]] not in {city, suburb}
        assert reopened.resolve_thread(suburb) == city
    finally:
        reopened.close()


def test_a_user_merge_is_recorded_and_shapes_the_survivor(archive: Archive) -> None:
    ids, city, suburb = _two_threads(archive)
    assert archive.merge_threads(city, suburb) == city
    assert _merges(archive) == {suburb: (city, True)}
    assert _user_shaped(archive) == {city: True}
    by_entry, _rows = _stored(archive)
    assert {by_entry[i] for i in ids.values()} == {city}
    assert archive.resolve_thread(suburb) == city


def test_a_chain_of_merges_resolves_to_the_last_survivor(archive: Archive) -> None:
    ids, city, suburb = _two_threads(archive)
    _grow_together(archive, ids)  # the suburb's thread is merged into the city's
    split_off = archive.split_thread(city, [ids["a1"]])
    assert archive.merge_threads(split_off, city) == split_off  # and the city's into that
    assert _merges(archive) == {suburb: (split_off, False), city: (split_off, True)}
    assert archive.resolve_thread(suburb) == archive.resolve_thread(city) == split_off
    with pytest.raises(NotFound, match=f"thread {suburb} was merged into {split_off}"):
        archive.split_thread(suburb, [ids["b1"]])


def test_an_unknown_thread_resolves_to_nothing(archive: Archive) -> None:
    _two_threads(archive)
    assert archive.resolve_thread(999) is None
    with pytest.raises(NotFound, match="no thread with id 999"):
        archive.merge_threads(999, 1)


def test_a_split_shapes_both_threads(archive: Archive) -> None:
    ids, city, suburb = _two_threads(archive)
    split_off = archive.split_thread(suburb, [ids["b2"]])
    assert _user_shaped(archive) == {city: False, suburb: True, split_off: True}


@pytest.mark.parametrize("flag_kept", [True, False])
def test_a_thread_the_user_shaped_is_not_merged_after_a_reopen(
    archive: Archive, data_dir: Path, flag_kept: bool
) -> None:
    """The suburb's thread holds no entry the user placed, only its flag protects it.

    With the flag cleared (as in an archive from before it existed) the same story merges,
    which shows that it is the stored flag that kept the thread apart.
    """
    ids, city, suburb = _two_threads(archive)
    rates = _store_rates(archive)
    archive.thread_entries(list(rates.values()))
    by_entry, _rows = _stored(archive)
    rates_thread = by_entry[rates["x1"]]
    assert rates_thread is not None and by_entry[rates["x2"]] == rates_thread
    # The user tries an entry in the suburb's thread and takes it back out again.
    archive.move_to_thread(rates["x1"], suburb)
    archive.move_to_thread(rates["x1"], rates_thread)
    assert _user_shaped(archive)[suburb]
    archive.close()
    if not flag_kept:
        with sqlite3.connect(data_dir / "archive.sqlite") as db:
            db.execute("UPDATE threads SET user_shaped = 0")
        db.close()

    reopened = _open(data_dir)
    try:
        _grow_together(reopened, ids)
        by_entry, rows = _stored(reopened)
        if flag_kept:
            assert rows == {city, suburb, rates_thread}
            assert by_entry[ids["b1"]] == by_entry[ids["b2"]] == suburb
            assert _merges(reopened) == {}
        else:
            assert rows == {city, rates_thread}
            assert by_entry[ids["b1"]] == by_entry[ids["b2"]] == city
        assert by_entry[ids["c1"]] == by_entry[ids["c2"]] == city
    finally:
        reopened.close()


def test_rethread_forgets_old_merges_and_keeps_the_users_threads_shaped(
    archive: Archive,
) -> None:
    ids, city, suburb = _two_threads(archive)
    _grow_together(archive, ids)
    split_off = archive.split_thread(city, [ids["a1"]])
    assert _merges(archive)
    archive.rethread()
    assert _merges(archive) == {}  # every thread is numbered anew: old ids lead nowhere
    by_entry, _rows = _stored(archive)
    assert by_entry[ids["a1"]] == split_off  # the user's placement stays, and its protection
    assert _user_shaped(archive)[split_off]


def test_the_gui_follows_the_recorded_merge_before_remembered_entries(archive: Archive) -> None:
    from ui.models.thread_moves import HeldThread, where_now  # Qt-free, like the core

    ids, city, suburb = _two_threads(archive)
    rates = _store_rates(archive)
    archive.thread_entries(list(rates.values()))
    rates_thread = archive.entry(rates["x1"]).thread_id
    held = [HeldThread(suburb, "Penteli", (ids["b1"],)), HeldThread(city, "Athens", (ids["a1"],))]
    _grow_together(archive, ids)
    assert where_now(archive, held) == {suburb: city}
    # The user then moves the one entry the GUI remembered elsewhere: the record still holds.
    assert rates_thread is not None
    archive.move_to_thread(ids["b1"], rates_thread)
    assert where_now(archive, held) == {suburb: city}
