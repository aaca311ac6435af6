"""The reader's own highlights: storing, listing, re-anchoring after edits, Markdown export."""

from __future__ import annotations

from pathlib import Path

import pytest
from search_archive import NOW, build

from reader.errors import InvalidInput, NotFound
from reader.highlights import (
    add_highlight,
    all_highlights,
    anchored_highlights,
    highlights_for_entry,
    highlights_to_markdown,
    locate_highlight,
    remove_highlight,
    update_highlight,
)
from reader.store.schema import entries

TEXT = "Negotiators met again to discuss a ceasefire. Ceasefires have failed before."


def test_add_list_update_remove(tmp_path: Path) -> None:
    archive, ids = build(tmp_path)
    entry_id = ids["Ceasefire talks resume in Geneva"]
    with archive.writing() as connection:
        made = add_highlight(
            connection,
            entry_id,
            "discuss a ceasefire",
            25,
            color="green",
            note="key point",
            now=NOW,
        )
        assert made.quote == "discuss a ceasefire" and made.start == 25
        assert made.prefix == "Negotiators met again to "
        assert made.suffix.startswith(". Ceasefires")
        assert made.entry_title == "Ceasefire talks resume in Geneva"
        assert made.source_title == "World Desk"
        update_highlight(connection, made.id, note="changed", color="pink")
        [listed] = highlights_for_entry(connection, entry_id)
        assert (listed.note, listed.color) == ("changed", "pink")
        with pytest.raises(InvalidInput, match="unknown highlight color"):
            update_highlight(connection, made.id, color="red")
        with pytest.raises(InvalidInput, match="not in this entry"):
            add_highlight(connection, entry_id, "no such words here", 0)
        with pytest.raises(NotFound):
            add_highlight(connection, 9999, "x", 0)
        remove_highlight(connection, made.id)
        assert highlights_for_entry(connection, entry_id) == []
        with pytest.raises(NotFound):
            remove_highlight(connection, made.id)
    archive.close()


def test_wrong_offset_is_corrected(tmp_path: Path) -> None:
    archive, ids = build(tmp_path)
    with archive.writing() as connection:
        made = add_highlight(
            connection, ids["Ceasefire talks resume in Geneva"], "failed before", 0
        )
    assert made.start == TEXT.index("failed before")
    archive.close()


def test_all_highlights_newest_first(tmp_path: Path) -> None:
    archive, ids = build(tmp_path)
    with archive.writing() as connection:
        add_highlight(
            connection,
            ids["Storm warning for the coast"],
            "expect a storm",
            17,
            now=NOW.replace(day=1),
        )
        add_highlight(
            connection, ids["Football final ends in a draw"], "a replay is planned", 47, now=NOW
        )
        listed = all_highlights(connection)
    assert [h.quote for h in listed] == ["a replay is planned", "expect a storm"]
    archive.close()


def test_locate_exact_at_old_offset() -> None:
    assert locate_highlight(TEXT, "a ceasefire", "", "", 33) == (33, 44)


def test_locate_after_text_inserted_before() -> None:
    edited = "UPDATE: talks moved. " + TEXT
    begin, end = locate_highlight(edited, "a ceasefire", "discuss ", ". Ceasefires", 33)  # type: ignore[misc]
    assert edited[begin:end] == "a ceasefire"


def test_locate_picks_the_occurrence_with_matching_context() -> None:
    text = "The minister spoke. Later the minister resigned. Then the minister left."
    second = text.index("minister", 20)
    found = locate_highlight(text, "minister", "Later the ", " resigned.", 0)
    assert found == (second, second + len("minister"))


def test_locate_with_changed_whitespace() -> None:
    edited = TEXT.replace("a ceasefire", "a\n  ceasefire")
    begin, end = locate_highlight(edited, "discuss a ceasefire", "", "", 25)  # type: ignore[misc]
    assert edited[begin:end] == "discuss a\n  ceasefire"


def test_locate_after_a_typo_fix() -> None:
    original = "The prime minster said the talks would continue next week in Geneva."
    quote = "prime minster said the talks would continue"
    fixed = "Breaking: " + original.replace("minster", "minister")
    begin, end = locate_highlight(fixed, quote, "The ", " next week", 4)  # type: ignore[misc]
    assert fixed[begin:end] == "prime minister said the talks would continue"


def test_locate_returns_none_when_the_passage_is_gone() -> None:
    assert (
        locate_highlight("Completely different text now.", "a ceasefire was agreed", "", "", 5)
        is None
    )


def test_anchored_highlights_follow_edits(tmp_path: Path) -> None:
    archive, ids = build(tmp_path)
    entry_id = ids["Ceasefire talks resume in Geneva"]
    with archive.writing() as connection:
        add_highlight(connection, entry_id, "failed before", TEXT.index("failed before"))
        connection.execute(
            entries.update().where(entries.c.id == entry_id).values(text="Update. " + TEXT)
        )
        [(highlight, where)] = anchored_highlights(connection, entry_id)
    assert where == (TEXT.index("failed before") + 8, TEXT.index("failed before") + 21)
    archive.close()


def test_markdown_export_groups_by_entry_with_links(tmp_path: Path) -> None:
    archive, ids = build(tmp_path)
    storm = ids["Storm warning for the coast"]
    with archive.writing() as connection:
        add_highlight(connection, storm, "urged caution", 60, note="good advice", now=NOW)
        add_highlight(connection, storm, "expect a storm", 17, now=NOW)
        add_highlight(
            connection,
            ids["Football final ends in a draw"],
            "a replay is planned",
            47,
            now=NOW.replace(day=1),
        )
        markdown = highlights_to_markdown(connection)
        only_storm = highlights_to_markdown(connection, entry_ids=[storm])
    assert markdown.startswith("# Highlights\n")
    assert "## [Storm warning for the coast](<https://example.org/5>)" in markdown
    assert f"newsdesk://entry/{storm}" in markdown
    # Newest entry first; within an entry, reading order.
    assert markdown.index("Storm warning") < markdown.index("Football final")
    assert markdown.index("> expect a storm") < markdown.index("> urged caution")
    assert "— good advice" in markdown
    assert "Football final" not in only_storm
    archive.close()
