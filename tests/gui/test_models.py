"""Every model passes qtmodeltester; the entry list pages lazily and merges changes by id."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QModelIndex, Qt
from sqlalchemy import update

from reader.core import Archive
from reader.store.schema import entries, threads
from reader.types import EntryId, SearchHit, SearchResults
from tests.gui.conftest import add_entries
from ui.models.entries import EntryListModel, EntryQuery
from ui.models.rows import ENTRY_ID_ROLE, IS_THREAD_ROLE, READ_ROLE
from ui.models.search import SearchResultsModel
from ui.models.sources import LIVE_ROLE, NODE_KIND_ROLE, SourcesModel, read_snapshot
from ui.models.stories import StoryQuery
from ui.models.threads import ThreadedEntriesModel


def _load_all(model: EntryListModel) -> None:
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())


def test_flat_model_passes_modeltester(qtmodeltester, archive: Archive) -> None:
    model = EntryListModel(archive, page_size=10)
    model.fetchMore(QModelIndex())
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() >= 10  # the tester itself asks for more pages


def test_flat_model_pages_through_everything_newest_first(archive: Archive) -> None:
    model = EntryListModel(archive, page_size=7)
    _load_all(model)
    ids = [model.data(model.index(row, 0), ENTRY_ID_ROLE) for row in range(model.rowCount())]
    assert len(ids) == 43 == len(set(ids))
    times = [model.entry_row(row).sort_time for row in range(model.rowCount())]
    assert times == sorted(times, reverse=True)
    assert model.is_exhausted()


def test_flat_model_filters_in_sql(archive: Archive) -> None:
    science = next(s for s in archive.sources() if s.title == "Science")
    model = EntryListModel(archive)
    model.set_query(EntryQuery(source_ids=(science.id,)))
    _load_all(model)
    assert model.rowCount() == 5
    assert {model.entry_row(r).source_title for r in range(5)} == {"Science"}
    model.set_query(EntryQuery(order="oldest"))
    model.fetchMore(QModelIndex())
    first, second = model.entry_row(0), model.entry_row(1)
    assert first is not None and second is not None and first.sort_time <= second.sort_time


def test_flat_model_inserts_new_rows_where_they_sort(qtbot, archive: Archive) -> None:
    world = next(s for s in archive.sources() if s.title == "World")
    model = EntryListModel(archive)
    _load_all(model)
    before = model.rowCount()
    new_ids = add_entries(
        archive, world.id, 2, prefix="Late", start=datetime(2030, 1, 1, tzinfo=UTC)
    )
    from ui.models.entries import load_rows

    with qtbot.waitSignal(model.rowsInserted):
        model.apply_rows(load_rows(archive, archive.entries_by_ids(new_ids)))
    assert model.rowCount() == before + 2
    assert model.data(model.index(0, 0), ENTRY_ID_ROLE) == new_ids[1]
    assert model.row_for_entry(new_ids[0]) == 1


def test_flat_model_shows_flag_changes_by_id(qtbot, archive: Archive) -> None:
    model = EntryListModel(archive)
    model.fetchMore(QModelIndex())
    entry_id = model.data(model.index(3, 0), ENTRY_ID_ROLE)
    assert model.data(model.index(3, 0), Qt.ItemDataRole.FontRole).bold()
    with qtbot.waitSignal(model.dataChanged):
        model.set_flags([entry_id], read=True)
    assert model.data(model.index(3, 0), READ_ROLE) is True
    assert model.data(model.index(3, 0), Qt.ItemDataRole.FontRole) is None


def _make_threads(archive: Archive) -> list[int]:
    ids = [e.id for e in archive.entries(order="oldest")]
    with archive.writing() as connection:
        thread_ids = []
        for label, start in (("Ceasefire talks", 0), ("Science news", 20)):
            thread_ids.append(
                connection.execute(
                    threads.insert().values(label=label, created=0, last_activity=start + 1)
                ).inserted_primary_key[0]
            )
        connection.execute(
            update(entries).where(entries.c.id.in_(ids[:20])).values(thread_id=thread_ids[0])
        )
        connection.execute(
            update(entries).where(entries.c.id.in_(ids[20:30])).values(thread_id=thread_ids[1])
        )
    return thread_ids


def _thread_rows(model: ThreadedEntriesModel) -> list[int]:
    return [r for r in range(model.rowCount()) if model.data(model.index(r, 0), IS_THREAD_ROLE)]


def test_threaded_model_passes_modeltester(qtmodeltester, archive: Archive) -> None:
    _make_threads(archive)
    model = ThreadedEntriesModel(archive)
    model.load()
    # Two threads, and the 13 entries no thread holds as single rows: nothing is hidden.
    assert model.thread_count() == 2
    assert model.rowCount() == 2 + 13
    first = model.index(_thread_rows(model)[0], 0)
    assert model.data(first, IS_THREAD_ROLE) is True
    assert model.hasChildren(first) and model.canFetchMore(first)
    model.fetchMore(first)
    assert model.rowCount(first) == model.thread_at(first.row()).size
    loose = model.index(0, 0)
    assert model.data(loose, IS_THREAD_ROLE) is False
    assert model.data(loose, ENTRY_ID_ROLE) is not None and not model.hasChildren(loose)
    qtmodeltester.check(model, force_py=True)


def test_threaded_model_counts_unread_as_entries_are_read(archive: Archive) -> None:
    _make_threads(archive)
    model = ThreadedEntriesModel(archive)
    model.load()
    first = model.index(_thread_rows(model)[0], 0)
    model.fetchMore(first)
    child = model.index(0, 0, first)
    entry_id = model.data(child, ENTRY_ID_ROLE)
    unread_before = model.thread_at(first.row()).unread
    model.set_flags([entry_id], read=True)
    assert model.thread_at(first.row()).unread == unread_before - 1
    assert model.index_of_entry(entry_id) == child


def test_threaded_model_for_one_source_counts_within_it(archive: Archive) -> None:
    thread_ids = _make_threads(archive)
    world = next(s for s in archive.sources() if s.title == "World")
    model = ThreadedEntriesModel(archive)
    model.load(query=StoryQuery(source_ids=(int(world.id),)))
    # Threads are counted within the selection: only World's entries.
    expected = {t: len(archive.entries(thread_id=t, source_id=world.id)) for t in thread_ids}
    sizes = {model.thread_at(r).id: model.thread_at(r).size for r in _thread_rows(model)}
    assert sizes == {t: n for t, n in expected.items() if n}
    assert model.thread_at(_thread_rows(model)[0]).sources == ("World",)
    loose = len(archive.entries(source_id=world.id)) - sum(expected.values())
    assert model.rowCount() == len(sizes) + loose
    row = model.thread_row_of(thread_ids[0])
    model.fetchMore(model.index(row, 0))
    model.fetchMore(model.index(row, 0))
    assert model.rowCount(model.index(row, 0)) == expected[thread_ids[0]]
    archive.mark([e.id for e in archive.entries(thread_id=thread_ids[1])], read=True)
    model.load(query=StoryQuery(source_ids=(int(world.id),), unread=True))
    assert model.thread_count() == 1
    assert model.thread_at(_thread_rows(model)[0]).id == thread_ids[0]


def test_sources_model_passes_modeltester(qtmodeltester, archive: Archive) -> None:
    archive.save_search("Ceasefire", "ceasefire")
    model = SourcesModel()
    model.set_snapshot(read_snapshot(archive))
    qtmodeltester.check(model, force_py=True)
    kinds = [model.data(model.index(r, 0), NODE_KIND_ROLE) for r in range(model.rowCount())]
    assert kinds[:3] == ["all", "unread", "starred"]
    assert "folder" in kinds and "liveblog" in kinds and "searches" in kinds
    folder = model.index(kinds.index("folder"), 0)
    assert model.data(model.index(0, 0, folder), Qt.ItemDataRole.DisplayRole) == "World"
    live = model.index(kinds.index("liveblog"), 0)
    assert model.data(live, LIVE_ROLE) is False


def test_sources_model_updates_counts_in_place(qtbot, archive: Archive) -> None:
    model = SourcesModel()
    model.set_snapshot(read_snapshot(archive))
    with qtbot.assertNotEmitted(model.modelReset):
        reset = model.set_snapshot(read_snapshot(archive))
    assert reset is False
    archive.subscribe("https://example.invalid/new.xml", "feed", title="New")
    with qtbot.waitSignal(model.modelReset):
        assert model.set_snapshot(read_snapshot(archive)) is True


def test_search_model_passes_modeltester(qtmodeltester) -> None:
    model = SearchResultsModel()
    hits = tuple(
        SearchHit(EntryId(i), f"<mark>Cease</mark>fire {i}", f"snippet {i}", 1.0 / (i + 1))
        for i in range(5)
    )
    model.set_results("ceasefire", SearchResults(5, False, hits, ("ceasefire",)))
    qtmodeltester.check(model, force_py=True)
    assert model.data(model.index(0, 0), Qt.ItemDataRole.DisplayRole) == "Ceasefire 0"
    assert model.terms() == ("ceasefire",)


def test_flat_model_with_a_runner_knows_its_whole_order(qtbot, qtmodeltester, archive) -> None:
    from ui.workers import TaskRunner

    runner = TaskRunner()
    model = EntryListModel(archive, runner, page_size=10)
    model.set_query(EntryQuery())
    model.fetchMore(QModelIndex())  # the first page, shown while the order loads
    qtbot.waitUntil(model.is_keyed)
    assert model.rowCount() == 43 and not model.canFetchMore(QModelIndex())
    newest_first = [e.id for e in archive.entries()]
    # Any row's id is known at once; its page loads on demand.
    assert model.data(model.index(42, 0), ENTRY_ID_ROLE) == newest_first[42]
    qtbot.waitUntil(lambda: model.entry_row(42) is not None)
    assert model.entry_row(42).id == newest_first[42]
    assert model.row_for_entry(newest_first[30]) == 30
    qtmodeltester.check(model, force_py=True)
    # A new entry is inserted where it sorts; a read flag shows at once.
    world = next(s for s in archive.sources() if s.title == "World")
    new_ids = add_entries(
        archive, world.id, 1, prefix="Late", start=datetime(2030, 1, 1, tzinfo=UTC)
    )
    from ui.models.entries import load_rows

    with qtbot.waitSignal(model.rowsInserted):
        model.apply_rows(load_rows(archive, archive.entries_by_ids(new_ids)))
    assert model.rowCount() == 44 and model.row_for_entry(new_ids[0]) == 0
    qtbot.waitUntil(lambda: model.entry_row(0) is not None)
    model.set_flags([new_ids[0]], read=True)
    assert model.data(model.index(0, 0), READ_ROLE) is True
    runner.wait_for_done(5000)
