"""Keeping the archive's size in check: per-source retention, asset clean-up, compaction.

A source's `retention` column holds JSON such as `{"keep_newest": 500, "keep_unread": true}`
or `{"keep_days": 30}`. Starred entries and entries with highlights are never deleted;
unread ones are kept unless `keep_unread` is false (it defaults to true: deleting what the
user has not read yet would surprise them).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Connection, delete, exists, func, not_, or_, select, text

from reader.store.convert import time_now, to_epoch
from reader.store.schema import assets, entries, entry_images, highlights, revisions, sources
from reader.types import SourceId

if TYPE_CHECKING:
    from reader.core import Archive

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionRule:
    keep_newest: int | None = None
    keep_days: int | None = None
    keep_unread: bool = True


def parse_rule(value: str | None) -> RetentionRule | None:
    """The rule stored in `sources.retention`, or None when there is none (keep all)."""
    if not value:
        return None
    try:
        data = json.loads(value)
    except ValueError:
        log.warning("ignoring an unreadable retention rule: %r", value)
        return None
    if not isinstance(data, dict):
        return None
    newest = data.get("keep_newest")
    days = data.get("keep_days")
    rule = RetentionRule(
        keep_newest=int(newest) if isinstance(newest, int) and newest >= 0 else None,
        keep_days=int(days) if isinstance(days, int | float) and days >= 0 else None,
        keep_unread=bool(data.get("keep_unread", True)),
    )
    if rule.keep_newest is None and rule.keep_days is None:
        return None
    return rule


def rule_to_json(rule: RetentionRule) -> str:
    """The JSON text to store in `sources.retention` (via Archive.set_source_options)."""
    data: dict[str, Any] = {"keep_unread": rule.keep_unread}
    if rule.keep_newest is not None:
        data["keep_newest"] = rule.keep_newest
    if rule.keep_days is not None:
        data["keep_days"] = rule.keep_days
    return json.dumps(data)


@dataclass(frozen=True)
class RetentionReport:
    deleted_entries: int
    per_source: dict[SourceId, int]
    deleted_assets: int
    freed_asset_bytes: int


def _protected(rule: RetentionRule) -> list[Any]:
    """Conditions under which an entry is kept whatever its age."""
    conditions: list[Any] = [
        entries.c.starred == True,  # noqa: E712 - SQL expression
        exists().where(highlights.c.entry_id == entries.c.id),
    ]
    if rule.keep_unread:
        conditions.append(entries.c.read == False)  # noqa: E712
    return conditions


def _doomed_ids(
    connection: Connection, source_id: int, rule: RetentionRule, now: int
) -> list[int]:
    keep = or_(*_protected(rule))
    doomed: set[int] = set()
    if rule.keep_newest is not None:
        newest = (
            select(entries.c.id)
            .where(entries.c.source_id == source_id)
            .order_by(entries.c.sort_time.desc(), entries.c.id.desc())
            .limit(rule.keep_newest)
        )
        query = select(entries.c.id).where(
            entries.c.source_id == source_id, entries.c.id.not_in(newest), not_(keep)
        )
        doomed.update(connection.execute(query).scalars())
    if rule.keep_days is not None:
        cutoff = now - int(rule.keep_days * 86400)
        query = select(entries.c.id).where(
            entries.c.source_id == source_id, entries.c.sort_time < cutoff, not_(keep)
        )
        doomed.update(connection.execute(query).scalars())
    return sorted(doomed)


def delete_entries(connection: Connection, entry_ids: Sequence[int]) -> int:
    """Delete entries; the triggers keep the search index in sync, cascades take the rest."""
    deleted = 0
    for start in range(0, len(entry_ids), 500):
        chunk = list(entry_ids[start : start + 500])
        deleted += int(connection.execute(delete(entries).where(entries.c.id.in_(chunk))).rowcount)
    return deleted


def remove_unreferenced_assets(archive: Archive) -> tuple[int, int]:
    """Delete asset rows and bytes that no entry image points to; returns (count, bytes)."""
    with archive.writing() as connection:
        orphans = connection.execute(
            select(assets.c.sha256, assets.c.size).where(
                ~exists().where(entry_images.c.sha256 == assets.c.sha256)
            )
        ).all()
        shas = [row.sha256 for row in orphans]
        for start in range(0, len(shas), 500):
            connection.execute(delete(assets).where(assets.c.sha256.in_(shas[start : start + 500])))
    freed = archive.image_store.delete(shas) if shas else 0
    return len(orphans), freed


def apply_retention(archive: Archive, now: datetime | None = None) -> RetentionReport:
    """Apply every source's retention rule, then drop assets nothing refers to any more."""
    now_s = to_epoch(now or time_now())
    assert now_s is not None
    with archive.reading() as connection:
        rules = [
            (int(row.id), rule)
            for row in connection.execute(select(sources.c.id, sources.c.retention))
            if (rule := parse_rule(row.retention)) is not None
        ]
    per_source: dict[SourceId, int] = {}
    for source_id, rule in rules:
        # One short transaction per source: the refresh may want to write in between.
        with archive.writing() as connection:
            doomed = _doomed_ids(connection, source_id, rule, now_s)
            if doomed:
                per_source[SourceId(source_id)] = delete_entries(connection, doomed)
    count, freed = remove_unreferenced_assets(archive)
    return RetentionReport(
        deleted_entries=sum(per_source.values()),
        per_source=per_source,
        deleted_assets=count,
        freed_asset_bytes=freed,
    )


def _database_bytes(archive: Archive) -> int:
    total = 0
    for suffix in ("", "-wal"):
        path = archive.paths.database.with_name(archive.paths.database.name + suffix)
        if path.exists():
            total += path.stat().st_size
    return total + archive.image_store.disk_bytes()


def compact(archive: Archive) -> int:
    """Merge the search index's segments and VACUUM both files; returns the bytes reclaimed."""
    before = _database_bytes(archive)
    with archive.writing() as connection:
        connection.execute(text("INSERT INTO entries_fts (entries_fts) VALUES ('optimize')"))
    # VACUUM cannot run inside a transaction; hold the writer lock so no write interleaves.
    with archive.exclusive() as autocommit:
        autocommit.exec_driver_sql("VACUUM")
        autocommit.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    archive.image_store.vacuum()
    return max(0, before - _database_bytes(archive))


class StorageRow(NamedTuple):
    """One line of the settings' storage view."""

    source_id: SourceId
    title: str
    entries: int
    bytes_text: int
    bytes_assets: int


def storage_report(archive: Archive) -> list[StorageRow]:
    """Per source: entries stored, bytes of text (incl. revisions) and of cached images.

    An image shared by several sources counts for each of them.
    """
    text_bytes = (
        func.length(entries.c.html)
        + func.length(entries.c.text)
        + func.coalesce(func.length(entries.c.summary_html), 0)
        + func.length(entries.c.title)
    )
    with archive.reading() as connection:
        names = {
            int(row.id): row.user_title or row.title or row.url
            for row in connection.execute(
                select(sources.c.id, sources.c.title, sources.c.user_title, sources.c.url)
            )
        }
        counts = {
            int(row[0]): (int(row[1]), int(row[2] or 0))
            for row in connection.execute(
                select(entries.c.source_id, func.count(), func.sum(text_bytes)).group_by(
                    entries.c.source_id
                )
            )
        }
        revision_bytes = {
            int(row[0]): int(row[1] or 0)
            for row in connection.execute(
                select(
                    entries.c.source_id,
                    func.sum(
                        func.length(revisions.c.html)
                        + func.length(revisions.c.text)
                        + func.length(revisions.c.title)
                    ),
                )
                .join(entries, entries.c.id == revisions.c.entry_id)
                .group_by(entries.c.source_id)
            )
        }
        per_source_assets = (
            select(entries.c.source_id.label("source_id"), entry_images.c.sha256.label("sha"))
            .join(entries, entries.c.id == entry_images.c.entry_id)
            .where(entry_images.c.status == "cached")
            .distinct()
            .subquery()
        )
        asset_bytes = {
            int(row[0]): int(row[1] or 0)
            for row in connection.execute(
                select(per_source_assets.c.source_id, func.sum(assets.c.size))
                .join(assets, assets.c.sha256 == per_source_assets.c.sha)
                .group_by(per_source_assets.c.source_id)
            )
        }
    return [
        StorageRow(
            SourceId(source_id),
            title,
            counts.get(source_id, (0, 0))[0],
            counts.get(source_id, (0, 0))[1] + revision_bytes.get(source_id, 0),
            asset_bytes.get(source_id, 0),
        )
        for source_id, title in sorted(names.items())
    ]


def retention_cutoff(rule: RetentionRule, now: datetime) -> datetime | None:
    """The oldest time a keep_days rule keeps (for showing in the settings)."""
    return None if rule.keep_days is None else now - timedelta(days=rule.keep_days)
