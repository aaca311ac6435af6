"""Storing threader test stories in an archive, as one feed's entries."""

from __future__ import annotations

from collections.abc import Sequence

from reader.core import Archive
from reader.store.convert import now_epoch
from reader.store.writer import insert_entries
from reader.topics import TopicDoc
from reader.types import ParsedEntry


def store_docs(
    archive: Archive, feed_url: str, title: str, docs: Sequence[TopicDoc]
) -> dict[str, int]:
    """Store `docs` in the feed at `feed_url` (subscribed on first use); archive ids by doc id."""
    source = archive.subscribe(feed_url, "feed", title=title)
    items = [
        ParsedEntry(key=d.id, kind="article", title=d.title, published=d.published, text=d.text)
        for d in docs
    ]
    with archive.writing() as connection:
        ids = insert_entries(connection, source.id, items, now_epoch())
    return {d.id: int(i) for d, i in zip(docs, ids, strict=True)}
