"""A small real archive for search tests: a few sources and entries with known words."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, update

from reader.core import Archive, open_archive
from reader.store.schema import entries, threads
from reader.store.writer import insert_entries
from reader.types import ParsedEntry

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)

# (source, title, text, authors, days old)
ENTRIES = [
    (
        "World Desk",
        "Ceasefire talks resume in Geneva",
        "Negotiators met again to discuss a ceasefire. Ceasefires have failed before.",
        ("Anna Müller",),
        1,
    ),
    (
        "World Desk",
        "Prime minister visits the café district",
        "The prime minister stopped at a café and spoke about the budget.",
        ("Ben Okafor",),
        3,
    ),
    (
        "Sports Daily",
        "Football final ends in a draw",
        "The football final in Paris ended without a winner; a replay is planned.",
        ("Chloé García",),
        2,
    ),
    (
        "Sports Daily",
        "Election of the new football association president",
        "Members voted in the election; the minister congratulated the winner.",
        ("Anna Müller",),
        40,
    ),
    (
        "World Desk",
        "Government announces budget",
        "The government said the budget would cut taxes. Governance experts disagreed.",
        ("David Rossi",),
        400,
    ),
    (
        "World Desk",
        "Storm warning for the coast",
        "Forecasters expect a storm; the minister of the interior urged caution.",
        (),
        10,
    ),
]


def epoch_days_ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def build(tmp_path: Path) -> tuple[Archive, dict[str, int]]:
    """An archive holding ENTRIES; returns it and the entry ids by title."""
    archive = open_archive(tmp_path / "data")
    world = archive.subscribe("https://world.example/feed", "feed", title="World Desk")
    sports = archive.subscribe("https://sports.example/feed", "feed", title="Sports Daily")
    source_ids = {"World Desk": world.id, "Sports Daily": sports.id}
    ids: dict[str, int] = {}
    with archive.writing() as connection:
        for number, (source, title, text, authors, days) in enumerate(ENTRIES):
            item = ParsedEntry(
                key=f"k{number}",
                kind="article",
                title=title,
                authors=authors,
                published=epoch_days_ago(days),
                url=f"https://example.org/{number}",
                html=f"<p>{text}</p>",
                text=text,
            )
            [entry_id] = insert_entries(
                connection, source_ids[source], [item], int(NOW.timestamp())
            )
            ids[title] = entry_id
    return archive, ids


def set_flags(archive: Archive, entry_id: int, **values: object) -> None:
    with archive.writing() as connection:
        connection.execute(update(entries).where(entries.c.id == entry_id).values(**values))


def put_in_thread(archive: Archive, entry_ids: list[int], label: str) -> int:
    with archive.writing() as connection:
        stamp = int(NOW.timestamp())
        thread_id = int(
            connection.execute(
                threads.insert().values(label=label, created=stamp, last_activity=stamp)
            ).inserted_primary_key[0]  # type: ignore[index]
        )
        connection.execute(
            update(entries).where(entries.c.id.in_(entry_ids)).values(thread_id=thread_id)
        )
    return thread_id


@contextmanager
def reading(archive: Archive) -> Iterator[Connection]:
    with archive.reading() as connection:
        yield connection
