"""Storing what a parser found: new entries, edits kept as revisions, live-blog withdrawals.

One call stores one source inside the caller's transaction, so a refresh that dies half
way leaves that source as it was.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select, update

from reader.sanitize import html_to_text
from reader.store.convert import to_epoch
from reader.store.schema import entries, entry_images, revisions
from reader.types import EntryId, ParsedEntry

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})


def normalized(value: str) -> str:
    """Text as compared for edits: re-served pages differ in spacing and quote style."""
    return _SPACE.sub(" ", value.translate(_QUOTES)).strip()


@dataclass
class StoreOutcome:
    new_ids: list[EntryId] = field(default_factory=list)
    edited_ids: list[EntryId] = field(default_factory=list)
    withdrawn_ids: list[EntryId] = field(default_factory=list)
    changed_ids: list[EntryId] = field(default_factory=list)  # any visible change


def _entry_values(item: ParsedEntry) -> dict[str, object]:
    return {
        "kind": item.kind,
        "title": item.title,
        "authors": json.dumps(list(item.authors), ensure_ascii=False),
        "published": to_epoch(item.published or item.updated),
        "updated": to_epoch(item.updated),
        "url": item.url,
        "html": item.html,
        "text": item.text,
        "images": json.dumps(list(item.image_urls), ensure_ascii=False),
        "pinned": item.pinned,
    }


def insert_entries(
    connection: Connection, source_id: int, items: Sequence[ParsedEntry], now: int
) -> list[EntryId]:
    """Insert entries that are not in the archive yet; returns their ids in input order."""
    ids: list[EntryId] = []
    for item in items:
        values = _entry_values(item)
        published = values["published"]
        values.update(
            source_id=source_id,
            key=item.key,
            sort_time=published if isinstance(published, int) else now,
            first_seen=now,
            content_seen=now,
        )
        new_id = connection.execute(entries.insert().values(**values)).inserted_primary_key[0]  # type: ignore[index]
        ids.append(EntryId(int(new_id)))
        if item.image_urls:
            connection.execute(
                entry_images.insert(),
                [{"entry_id": new_id, "url": url, "status": "pending"} for url in item.image_urls],
            )
    return ids


def store_feed_entries(
    connection: Connection, source_id: int, items: Sequence[ParsedEntry], now: int
) -> StoreOutcome:
    """New items are inserted; items whose title or text changed get a revision."""
    outcome = StoreOutcome()
    unique: dict[str, ParsedEntry] = {}
    for item in items:
        unique.setdefault(item.key, item)
    existing = existing_by_key(connection, source_id, list(unique))
    fresh = [item for key, item in unique.items() if key not in existing]
    outcome.new_ids = insert_entries(connection, source_id, fresh, now)
    for key, item in unique.items():
        row = existing.get(key)
        if row is None:
            continue
        # Where the full article replaced a feed's summary, the feed is compared with the
        # summary it sent before; a changed summary brings the feed's version back (and
        # the full text is fetched again).
        stored_text = html_to_text(row.summary_html) if row.summary_html else row.text
        if normalized(row.title) != normalized(item.title) or normalized(
            stored_text
        ) != normalized(item.text):
            record_revision(connection, row, item, now)
            outcome.edited_ids.append(EntryId(row.id))
        elif bool(row.pinned) != item.pinned:
            connection.execute(
                update(entries).where(entries.c.id == row.id).values(pinned=item.pinned)
            )
            outcome.changed_ids.append(EntryId(row.id))
    outcome.changed_ids.extend(outcome.edited_ids)
    return outcome


def existing_by_key(connection: Connection, source_id: int, keys: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    columns = (
        entries.c.id,
        entries.c.key,
        entries.c.title,
        entries.c.text,
        entries.c.html,
        entries.c.content_seen,
        entries.c.summary_html,
        entries.c.pinned,
        entries.c.withdrawn,
        entries.c.revisions,
    )
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        query = select(*columns).where(entries.c.source_id == source_id, entries.c.key.in_(chunk))
        for row in connection.execute(query):
            found[row.key] = row
    return found


def record_revision(connection: Connection, row: Any, item: ParsedEntry, now: int) -> None:
    """Keep the stored version as a revision and make `item` the current one."""
    old = row._mapping
    connection.execute(
        revisions.insert().values(
            entry_id=old["id"],
            seen_at=old["content_seen"],
            title=old["title"],
            text=old["text"],
            html=old["html"],
        )
    )
    values = _entry_values(item)
    values.update(content_seen=now, revisions=old["revisions"] + 1, summary_html=None)
    connection.execute(update(entries).where(entries.c.id == old["id"]).values(**values))
    if item.image_urls:
        known = set(
            connection.execute(
                select(entry_images.c.url).where(entry_images.c.entry_id == old["id"])
            ).scalars()
        )
        added = [url for url in item.image_urls if url not in known]
        if added:
            connection.execute(
                entry_images.insert(),
                [{"entry_id": old["id"], "url": url, "status": "pending"} for url in added],
            )
