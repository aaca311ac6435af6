"""The online threader: assignment, time windows, user control, duplicates, JSONL input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reader.errors import InvalidInput
from reader.topics import Threader, ThreadingSettings, TopicDoc, cluster_documents, read_jsonl
from reader.topics._duplicates import DuplicateIndex

T0 = datetime(2025, 3, 14, 8, 0, tzinfo=UTC)


def doc(doc_id: str, title: str, text: str = "", hours: float = 0.0, source: str = "s") -> TopicDoc:
    return TopicDoc(doc_id, title, text, T0 + timedelta(hours=hours), source)


QUAKE = [
    doc("q1", "Earthquake strikes Izmir", "A strong earthquake hit the Turkish city of Izmir."),
    doc("q2", "Izmir earthquake death toll rises", "Rescuers in Izmir search rubble.", 1),
    doc("q3", "Aftershocks rattle Izmir after earthquake", "Turkish officials in Izmir.", 2),
]
ELECTION = [
    doc("e1", "Dutch election: Rutte party leads", "Mark Rutte's VVD leads the Dutch vote.", 0.5),
    doc("e2", "Rutte claims victory in Dutch election", "The VVD of Mark Rutte won.", 1.5),
]


def test_related_entries_share_a_thread_and_unrelated_do_not() -> None:
    threader = Threader()
    ids = {d.id: threader.assign(d) for d in sorted(QUAKE + ELECTION, key=lambda d: d.published)}
    assert ids["q1"] == ids["q2"] == ids["q3"]
    assert ids["e1"] == ids["e2"]
    assert ids["q1"] != ids["e1"]


def test_thread_ids_are_stable_and_never_reused() -> None:
    threader = Threader()
    first = threader.assign(QUAKE[0])
    second = threader.assign(ELECTION[0])
    assert threader.assign(QUAKE[0]) == first  # the same entry again keeps its thread
    merged = threader.merge(first, second)
    assert merged == first
    fresh = threader.assign(doc("x", "Völlig anderes Thema Fußball", "Bundesliga Tabelle", 3))
    assert fresh not in (first, second)
    assert threader.thread_of("e1") == first


def test_a_story_goes_cold_after_the_window() -> None:
    settings = ThreadingSettings(window=timedelta(days=2))
    threader = Threader(settings)
    old = threader.assign(QUAKE[0])
    later = doc("q9", "Izmir earthquake: one year on", "Izmir earthquake survivors.", 24 * 5)
    assert threader.assign(later) != old
    assert threader.active_thread_count == 1  # the cold thread left the candidate set


def test_label_is_a_member_headline_and_follows_growth() -> None:
    threader = Threader()
    thread = threader.assign(QUAKE[0])
    assert threader.label(thread) == QUAKE[0].title
    for d in QUAKE[1:]:
        threader.assign(d)
    assert threader.label(thread) in {d.title for d in QUAKE}
    infos = threader.threads()
    assert [i.id for i in infos] == [thread]
    assert infos[0].entry_ids == ("q1", "q2", "q3")


def test_assign_to_restores_state_and_later_entries_follow_it() -> None:
    threader = Threader()
    threader.assign_to(QUAKE[0], 41)
    threader.assign_to(QUAKE[1], 41)
    assert threader.assign(QUAKE[2]) == 41
    assert threader.assign(ELECTION[0]) == 42  # new ids continue after restored ones


def test_moved_entry_counts_for_its_new_thread() -> None:
    threader = Threader()
    quake = threader.assign(QUAKE[0])
    election = threader.assign(ELECTION[0])
    threader.assign_to(QUAKE[1], election)  # the user's (odd) choice
    assert threader.thread_of("q2") == election
    assert "q2" not in threader.threads()[0].entry_ids or threader.threads()[0].id == election
    members = {i.id: i.entry_ids for i in threader.threads()}
    assert members[election] == ("e1", "q2")
    assert members[quake] == ("q1",)


def test_entry_moved_out_does_not_pull_its_lookalikes_back() -> None:
    threader = Threader()
    base = threader.assign(doc("a", "Storm floods Valencia", "Valencia streets flooded by storm."))
    threader.assign(doc("b", "Valencia storm: football match called off", "Valencia CF match off."))
    assert threader.thread_of("b") == base
    moved_to = threader.split(base, ["b"])
    assert moved_to != base
    lookalike = doc("c", "Valencia CF match called off after storm", "Valencia CF football.", 1)
    assert threader.assign(lookalike) != base


def test_split_and_merge_keep_every_entry_once() -> None:
    threader = Threader()
    for d in QUAKE:
        threader.assign(d)
    thread = threader.thread_of("q1")
    assert thread is not None
    new = threader.split(thread, ["q3"])
    members = {i.id: i.entry_ids for i in threader.threads()}
    assert members == {thread: ("q1", "q2"), new: ("q3",)}
    assert threader.merge(thread, new) == thread
    assert sorted(threader.threads()[0].entry_ids) == ["q1", "q2", "q3"]
    assert threader.label(new) == threader.label(thread)  # a merged id resolves to its survivor


def test_near_duplicate_from_another_feed_is_detected_and_threaded_together() -> None:
    wire = (
        "Firefighters battled a large blaze at a warehouse in the port of Rotterdam on "
        "Tuesday night, sending thick smoke over the city, the fire brigade said."
    )
    threader = Threader()
    first = threader.assign(doc("w1", "Warehouse fire in Rotterdam port", wire, source="feed-a"))
    copy = doc("w2", "Huge warehouse fire in Rotterdam", wire + " More follows.", 0.2, "feed-b")
    assert threader.assign(copy) == first
    assert threader.duplicate_of("w2") == "w1"
    assert threader.duplicate_of("w1") is None


def test_duplicate_signatures_do_not_depend_on_earlier_indexes() -> None:
    """Threading the same entries twice in one process must give the same threads."""
    text = "Dockworkers at the port of Rotterdam walked out on Monday over pay and hours."
    first = DuplicateIndex().signature(text)
    DuplicateIndex()  # another index made in between must not change how the next one hashes
    second = DuplicateIndex().signature(text)
    assert first is not None and second is not None
    assert (first == second).all()


def test_cluster_documents_covers_every_input_once_in_published_order() -> None:
    docs = list(reversed(QUAKE + ELECTION)) + [TopicDoc("undated", "Izmir quake", "", None, "s")]
    threads = cluster_documents(docs)
    seen = [entry for t in threads for entry in t.entry_ids]
    assert sorted(seen) == sorted(d.id for d in docs)
    assert threads[0].entry_ids[0] == "q1"  # the earliest entry opens the first thread
    assert all(t.label for t in threads)


def test_read_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    rows = [
        {"id": 1, "title": "A", "text": "x", "published": "2024-08-05T20:00:18Z", "source": "m"},
        {"id": "b", "title": "B", "text": "", "published": "2024-08-05T21:00:18+01:00"},
        {"id": "c", "title": "C", "published": None},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    docs = read_jsonl(path)
    assert [d.id for d in docs] == ["1", "b", "c"]
    assert docs[0].published == docs[1].published == datetime(2024, 8, 5, 20, 0, 18, tzinfo=UTC)
    assert docs[2].published is None and docs[2].source == ""


def test_read_jsonl_reports_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a"}\n{not json\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="line 2"):
        read_jsonl(path)


def test_restoring_thread_ids_in_any_order() -> None:
    threader = Threader()
    threader.assign_to(ELECTION[0], 10)
    threader.assign_to(QUAKE[0], 3)  # lower than an id already restored
    threader.assign_to(QUAKE[1], 3)
    assert threader.assign(QUAKE[2]) == 3
    assert threader.assign(doc("n", "Fußball Bundesliga Tabelle", "Bayern", 3)) == 11
    with pytest.raises(KeyError):
        threader.label(99)


def test_another_outlet_needs_less_likeness_to_join_than_the_same_source() -> None:
    """The same story in another outlet's words joins at a likeness that, within one source
    (whose entries share its writers' words and subject), is not enough."""
    settings = ThreadingSettings(threshold=0.5, cross_source_threshold=0.1)
    first = doc("a", "Earthquake strikes Izmir", "A strong earthquake hit Izmir.", source="wire")
    related = "Rescue teams search collapsed buildings in Izmir overnight."
    same_source = doc("b", "Rescuers dig through rubble", related, 1, source="wire")
    other_source = doc("c", "Rescuers dig through rubble", related, 1, source="courier")

    alone = Threader(settings)
    alone.assign(first)
    assert alone.assign(same_source) != alone.thread_of("a")

    across = Threader(settings)
    across.assign(first)
    assert across.assign(other_source) == across.thread_of("a")


def test_a_thread_told_mostly_by_other_outlets_counts_as_theirs() -> None:
    settings = ThreadingSettings(threshold=0.5, cross_source_threshold=0.1)
    threader = Threader(settings)
    threader.assign(doc("a", "Earthquake strikes Izmir", "A strong earthquake hit Izmir."))
    threader.assign(doc("b", "Izmir earthquake toll rises", "Rescuers in Izmir.", 1, "courier"))
    threader.assign(doc("c", "Izmir quake: toll rises again", "Rescuers in Izmir.", 2, "daily"))
    assert threader.thread_of("c") == threader.thread_of("a")
    # The wire told one of the thread's three entries: its next update counts as another
    # outlet's and joins at the lower threshold.
    late = doc("d", "Aftershocks", "Aftershocks shook Izmir again.", 3, source="s")
    assert threader.assign(late) == threader.thread_of("a")
