"""Turning rows into the frozen values the core hands out, and times into epoch seconds."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from reader.types import Entry, EntryId, Source, SourceId, ThreadId


def to_epoch(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def from_epoch(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def now_epoch() -> int:
    return int(time_now().timestamp())


def time_now() -> datetime:
    return datetime.now(UTC)


def authors_from_json(value: str) -> tuple[str, ...]:
    loaded = json.loads(value or "[]")
    return tuple(str(name) for name in loaded)


def entry_from_row(row: Any) -> Entry:
    m = row._mapping
    return Entry(
        id=EntryId(m["id"]),
        source_id=SourceId(m["source_id"]),
        kind=m["kind"],
        title=m["title"],
        authors=authors_from_json(m["authors"]),
        published=from_epoch(m["published"]),
        updated=from_epoch(m["updated"]),
        url=m["url"],
        text=m["text"],
        html=m["html"],
        thread_id=None if m["thread_id"] is None else ThreadId(m["thread_id"]),
        read=bool(m["read"]),
        starred=bool(m["starred"]),
        pinned=bool(m["pinned"]),
        withdrawn=bool(m["withdrawn"]),
        revisions=int(m["revisions"]),
        source_title=m.get("source_title") or "",
        key=m["key"],
        sort_time=from_epoch(m.get("sort_time")),
    )


def source_from_row(row: Any, folder_path: str | None, unread: int, total: int) -> Source:
    m = row._mapping
    return Source(
        id=SourceId(m["id"]),
        kind=m["kind"],
        url=m["url"],
        title=m["user_title"] or m["title"] or m["url"],
        folder=folder_path,
        unread=unread,
        entries=total,
        last_refreshed=from_epoch(m["last_refreshed"]),
        last_error=m["last_error"],
        is_live=bool(m["is_live"]),
        notify=bool(m["notify"]),
        gone=bool(m["gone"]),
    )
