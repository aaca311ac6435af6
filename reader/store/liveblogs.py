"""Applying a live-blog poll to the archive: new updates, edits, withdrawals, pins."""

from __future__ import annotations

import json

from sqlalchemy import Connection, select, update

from reader.liveblog.diff import (
    PollWindow,
    StoredUpdate,
    UpdateDiff,
    confirm_unchanged,
    diff_updates,
    window_of,
)
from reader.store.convert import from_epoch, to_epoch
from reader.store.schema import entries, sources
from reader.store.writer import StoreOutcome, existing_by_key, insert_entries, record_revision
from reader.types import EntryId, ParsedPage


def _stored_updates(
    connection: Connection, source_id: int
) -> tuple[list[StoredUpdate], dict[str, int]]:
    rows = connection.execute(
        select(
            entries.c.id,
            entries.c.key,
            entries.c.title,
            entries.c.text,
            entries.c.published,
            entries.c.withdrawn,
            entries.c.missing_polls,
        ).where(entries.c.source_id == source_id)
    ).all()
    stored = [
        StoredUpdate(
            key=row.key,
            title=row.title,
            text=row.text,
            published=from_epoch(row.published),
            withdrawn=bool(row.withdrawn),
            missing_polls=row.missing_polls,
        )
        for row in rows
    ]
    return stored, {row.key: row.id for row in rows}


def _window_to_json(window: PollWindow) -> str:
    return json.dumps(
        {
            "keys": sorted(window.keys),
            "oldest": to_epoch(window.oldest),
            "complete": window.complete,
        }
    )


def _window_from_json(value: str | None) -> PollWindow | None:
    if not value:
        return None
    data = json.loads(value)
    oldest = from_epoch(data.get("oldest"))
    return PollWindow(
        keys=frozenset(data.get("keys", [])), oldest=oldest, complete=bool(data.get("complete"))
    )


def _apply_states(
    connection: Connection, ids_by_key: dict[str, int], diff: UpdateDiff, outcome: StoreOutcome
) -> None:
    for key in diff.withdrawn:
        entry_id = ids_by_key[key]
        connection.execute(update(entries).where(entries.c.id == entry_id).values(withdrawn=True))
        outcome.withdrawn_ids.append(EntryId(entry_id))
    for key in diff.restored:
        entry_id = ids_by_key[key]
        connection.execute(update(entries).where(entries.c.id == entry_id).values(withdrawn=False))
        outcome.changed_ids.append(EntryId(entry_id))
    for key, count in diff.missing_polls.items():
        if key in ids_by_key:
            connection.execute(
                update(entries).where(entries.c.id == ids_by_key[key]).values(missing_polls=count)
            )
    outcome.changed_ids.extend(outcome.withdrawn_ids)


def store_liveblog_page(
    connection: Connection, source_id: int, page: ParsedPage, now: int
) -> StoreOutcome:
    stored, ids_by_key = _stored_updates(connection, source_id)
    diff = diff_updates(stored, page)
    outcome = StoreOutcome()
    outcome.new_ids = insert_entries(connection, source_id, list(diff.new), now)
    existing = existing_by_key(connection, source_id, [item.key for item in diff.edited])
    for item in diff.edited:
        record_revision(connection, existing[item.key], item, now)
        outcome.edited_ids.append(EntryId(ids_by_key[item.key]))
    # Pins come and go without the text changing.
    for item in page.entries:
        entry_id = ids_by_key.get(item.key)
        if entry_id is None:
            continue
        changed = connection.execute(
            update(entries)
            .where(entries.c.id == entry_id, entries.c.pinned != item.pinned)
            .values(pinned=item.pinned)
        ).rowcount
        if changed:
            outcome.changed_ids.append(EntryId(entry_id))
    _apply_states(connection, ids_by_key, diff, outcome)
    outcome.changed_ids.extend(outcome.edited_ids)
    connection.execute(
        update(sources)
        .where(sources.c.id == source_id)
        .values(
            poll_window=_window_to_json(window_of(page)),
            is_live=page.is_live,
            standfirst=page.standfirst,
            summary_html=page.summary_html,
        )
    )
    return outcome


def confirm_liveblog_poll(connection: Connection, source_id: int) -> StoreOutcome:
    """A 304 or an unchanged body: the last window holds again (counts toward withdrawal)."""
    outcome = StoreOutcome()
    window_json = connection.execute(
        select(sources.c.poll_window).where(sources.c.id == source_id)
    ).scalar()
    window = _window_from_json(window_json)
    if window is None:
        return outcome
    stored, ids_by_key = _stored_updates(connection, source_id)
    _apply_states(connection, ids_by_key, confirm_unchanged(stored, window), outcome)
    return outcome
