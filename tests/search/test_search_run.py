"""Searching a real archive: every query form finds the right entries, ranked sensibly."""

from __future__ import annotations

from pathlib import Path

import pytest
from search_archive import NOW, build, put_in_thread, set_flags

from reader.core import Archive
from reader.errors import InvalidQuery
from reader.highlights import add_highlight
from reader.search import count_matches, matching_entry_ids, search_entries
from reader.search import run as search_run


@pytest.fixture()
def archive(tmp_path: Path) -> tuple[Archive, dict[str, int]]:
    built = build(tmp_path)
    yield built
    built[0].close()


def titles(archive: Archive, query: str, **options: object) -> list[str]:
    with archive.reading() as connection:
        results = search_entries(connection, query, now=NOW, **options)  # type: ignore[arg-type]
    by_id = {e.id: e.title for e in archive.entries()}
    return [by_id[hit.entry_id] for hit in results.hits]


def test_stemming_finds_plural_and_singular(archive: tuple[Archive, dict[str, int]]) -> None:
    store, _ = archive
    assert titles(store, "ceasefires") == ["Ceasefire talks resume in Geneva"]
    assert titles(store, "ceasefire") == ["Ceasefire talks resume in Geneva"]


def test_all_words_must_match(archive: tuple[Archive, dict[str, int]]) -> None:
    store, _ = archive
    assert titles(store, "football election") == [
        "Election of the new football association president"
    ]


def test_diacritics_are_folded_both_ways(archive: tuple[Archive, dict[str, int]]) -> None:
    store, _ = archive
    assert titles(store, "cafe") == ["Prime minister visits the café district"]
    assert titles(store, "café") == ["Prime minister visits the café district"]
    assert titles(store, "author:muller") == titles(store, "author:Müller")
    assert len(titles(store, "author:muller")) == 2


def test_phrase_needs_the_words_together(archive: tuple[Archive, dict[str, int]]) -> None:
    store, _ = archive
    assert titles(store, '"prime minister"') == ["Prime minister visits the café district"]
    assert titles(store, '"minister prime"') == []


def test_or_and_exclusion(archive: tuple[Archive, dict[str, int]]) -> None:
    store, _ = archive
    assert sorted(titles(store, "storm OR geneva")) == [
        "Ceasefire talks resume in Geneva",
        "Storm warning for the coast",
    ]
    assert "Election of the new football association president" not in titles(
        store, "minister -football"
    )
    assert len(titles(store, "minister -football")) == 2


def test_prefix(archive: tuple[Archive, dict[str, int]]) -> None:
    store, _ = archive
    assert titles(store, "gover*") == ["Government announces budget"]


def test_fields(archive: tuple[Archive, dict[str, int]]) -> None:
    store, _ = archive
    assert titles(store, "title:budget") == ["Government announces budget"]
    assert sorted(titles(store, "source:sports")) == [
        "Election of the new football association president",
        "Football final ends in a draw",
    ]
    # "minister" is in the text of several entries but in only one title.
    assert titles(store, "title:minister") == ["Prime minister visits the café district"]


def test_state_filters(archive: tuple[Archive, dict[str, int]]) -> None:
    store, ids = archive
    set_flags(store, ids["Storm warning for the coast"], starred=True)
    set_flags(store, ids["Football final ends in a draw"], read=True)
    assert titles(store, "is:starred") == ["Storm warning for the coast"]
    assert titles(store, "is:starred minister") == ["Storm warning for the coast"]
    assert titles(store, "is:read") == ["Football final ends in a draw"]
    assert "Football final ends in a draw" not in titles(store, "is:unread")
    assert len(titles(store, "is:unread")) == 5
    assert titles(store, "-is:starred storm") == []


def test_only_filters_list_newest_first(archive: tuple[Archive, dict[str, int]]) -> None:
    store, _ = archive
    listed = titles(store, "is:unread")
    assert listed[0] == "Ceasefire talks resume in Geneva"  # one day old
    assert listed[-1] == "Government announces budget"  # 400 days old


def test_dates(archive: tuple[Archive, dict[str, int]]) -> None:
    store, _ = archive
    assert titles(store, "before:2025-01 budget") == ["Government announces budget"]
    assert titles(store, "after:2025-06-01 budget") == ["Prime minister visits the café district"]
    assert titles(store, "after:2025-06 before:2025-06-14 football") == [
        "Football final ends in a draw"
    ]


def test_thread_field(archive: tuple[Archive, dict[str, int]]) -> None:
    store, ids = archive
    put_in_thread(store, [ids["Storm warning for the coast"]], "Autumn storms batter coast")
    assert titles(store, "thread:storms") == ["Storm warning for the coast"]
    assert titles(store, "thread:storms minister") == ["Storm warning for the coast"]
    assert titles(store, "thread:volcano") == []


def test_highlights_filter_and_notes(archive: tuple[Archive, dict[str, int]]) -> None:
    store, ids = archive
    entry_id = ids["Football final ends in a draw"]
    with store.writing() as connection:
        add_highlight(connection, entry_id, "a replay is planned", 47, note="check the replay date")
    assert titles(store, "is:highlighted") == ["Football final ends in a draw"]
    assert titles(store, "note:replay") == ["Football final ends in a draw"]
    assert titles(store, "note:volcano") == []


def test_title_matches_rank_above_text_matches(archive: tuple[Archive, dict[str, int]]) -> None:
    store, _ = archive
    found = titles(store, "election")
    assert found[0] == "Election of the new football association president"
    minister = titles(store, "minister")
    assert minister[0] == "Prime minister visits the café district"


def test_recency_breaks_near_ties(archive: tuple[Archive, dict[str, int]]) -> None:
    store, _ = archive
    # Both mention "the minister" once in their text; the 10-day-old one beats the 40-day-old.
    found = titles(store, "minister -prime")
    assert found.index("Storm warning for the coast") < found.index(
        "Election of the new football association president"
    )


def test_date_order(archive: tuple[Archive, dict[str, int]]) -> None:
    store, _ = archive
    assert titles(store, "minister", order="date") == [
        "Prime minister visits the café district",
        "Storm warning for the coast",
        "Election of the new football association president",
    ]


def test_results_are_escaped_and_marked(archive: tuple[Archive, dict[str, int]]) -> None:
    store, _ = archive
    with store.reading() as connection:
        results = search_entries(connection, "ceasefires", now=NOW)
    assert results.total == 1 and not results.total_is_estimate
    assert results.terms == ("ceasefires",)
    [hit] = results.hits
    assert hit.title == "<mark>Ceasefire</mark> talks resume in Geneva"
    assert "<mark>ceasefire</mark>" in hit.snippet and "<mark>Ceasefires</mark>" in hit.snippet
    assert hit.source_title == "World Desk"
    assert hit.score > 0


def test_markup_in_text_is_escaped(tmp_path: Path) -> None:
    store, _ = build(tmp_path)
    try:
        from reader.store.writer import insert_entries
        from reader.types import ParsedEntry

        source = store.sources()[0]
        with store.writing() as connection:
            insert_entries(
                connection,
                source.id,
                [
                    ParsedEntry(
                        key="x",
                        kind="article",
                        title="<b>Tags</b> & quirks",
                        text="A <script>alert(1)</script> zebra",
                    )
                ],
                int(NOW.timestamp()),
            )
        with store.reading() as connection:
            [hit] = search_entries(connection, "zebra", now=NOW).hits
        assert hit.title == "&lt;b&gt;Tags&lt;/b&gt; &amp; quirks"
        assert "&lt;script&gt;" in hit.snippet and "<mark>zebra</mark>" in hit.snippet
    finally:
        store.close()


def test_paging(archive: tuple[Archive, dict[str, int]]) -> None:
    store, _ = archive
    everything = titles(store, "the")
    assert titles(store, "the", limit=2) == everything[:2]
    assert titles(store, "the", limit=2, offset=2) == everything[2:4]


def test_big_result_sets_rank_only_the_newest(
    archive: tuple[Archive, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _ = archive
    monkeypatch.setattr(search_run, "CANDIDATES", 2)
    with store.reading() as connection:
        results = search_entries(connection, "the", limit=2, now=NOW)
        filtered = search_entries(connection, "the is:unread", limit=2, now=NOW)
    assert results.total == 5 and not results.total_is_estimate  # counted exactly
    assert len(results.hits) == 2
    assert filtered.total_is_estimate and filtered.total >= 2


@pytest.mark.parametrize(
    "query",
    ['"unbalanced', "NEAR(", "title:", "foo:bar", "OR", "x" * 10_000, "*", "-"],
)
def test_hostile_queries_raise_invalid_query_not_sqlite_errors(
    archive: tuple[Archive, dict[str, int]], query: str
) -> None:
    store, _ = archive
    with store.reading() as connection, pytest.raises(InvalidQuery):
        search_entries(connection, query, now=NOW)


@pytest.mark.parametrize(
    "query",
    [
        "NEAR",
        "AND ceasefire",
        "ceasefire AND",
        "content:x1",
        "rank",
        "^ceasefire",
        "col:title",
        "{title}",
        "ceasefire NOT",
        "a'b",
        "\\",
        "\u202eceasefire",
        "’quoted’",
    ],
)
def test_fts5_syntax_typed_by_the_user_is_just_text(
    archive: tuple[Archive, dict[str, int]], query: str
) -> None:
    store, _ = archive
    with store.reading() as connection:
        try:
            search_entries(connection, query, now=NOW)
        except InvalidQuery as error:
            assert str(error)  # a clear message, never an sqlite3 error


def test_count_matches_and_unread(archive: tuple[Archive, dict[str, int]]) -> None:
    store, ids = archive
    set_flags(store, ids["Storm warning for the coast"], read=True)
    with store.reading() as connection:
        assert count_matches(connection, "minister") == 3
        assert count_matches(connection, "minister", unread_only=True) == 2
        assert count_matches(connection, "is:unread") == 5
        assert count_matches(connection, "minister is:read") == 1
        assert count_matches(connection, "minister after:2025-06-01") == 2


def test_matching_entry_ids_pages_newest_first(archive: tuple[Archive, dict[str, int]]) -> None:
    store, ids = archive
    with store.reading() as connection:
        first = matching_entry_ids(connection, "minister", limit=2)
        rest = matching_entry_ids(connection, "minister", limit=2, after=first[-1])
        unread = matching_entry_ids(connection, "is:unread", limit=10)
    assert first == [
        ids["Prime minister visits the café district"],
        ids["Storm warning for the coast"],
    ]
    assert rest == [ids["Election of the new football association president"]]
    assert unread[0] == ids["Ceasefire talks resume in Geneva"] and len(unread) == 6
