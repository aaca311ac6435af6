"""`newsdesk check`: verify the database, the search index and the asset store, and repair.

Each problem is one readable line. With `repair=True` what can be fixed is fixed: the
search index is rebuilt, images whose bytes are gone or damaged are fetched again later
(marked pending), stray images and files are deleted and rows pointing at nothing are dropped.
A damaged database file itself cannot be repaired here; restore a backup instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, exists, func, select, text, update
from sqlalchemy.exc import DatabaseError

from reader.store.blobs import remove_empty_folders
from reader.store.schema import assets, entries, entry_images

if TYPE_CHECKING:
    from reader.core import Archive

@dataclass
class CheckReport:
    """Problems found (one line each) and, after a repair, what was done about them."""

    problems: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    unrepairable: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        if self.ok:
            return ["archive OK: database, search index and asset store are consistent"]
        out = [f"problem: {line}" for line in self.problems]
        out += [f"repaired: {line}" for line in self.repairs]
        out += [f"not repaired: {line}" for line in self.unrepairable]
        return out


def _database_problems(connection: Connection, report: CheckReport) -> list[tuple[str, int]]:
    """integrity_check and foreign_key_check; returns the dangling (table, rowid) pairs."""
    try:
        results = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
    except DatabaseError as error:
        results = [str(error.orig)]
    if results != ["ok"]:
        for line in results[:20]:
            report.problems.append(f"database: {line}")
            report.unrepairable.append(f"database: {line} (restore a backup from backups/)")
    dangling: list[tuple[str, int]] = []
    for table, rowid, parent, _fk in connection.exec_driver_sql("PRAGMA foreign_key_check"):
        report.problems.append(f"database: {table} row {rowid} points to a missing {parent} row")
        dangling.append((str(table), int(rowid)))
    return dangling


def _index_problems(connection: Connection, report: CheckReport) -> bool:
    """FTS5's own integrity check plus a count of indexed rows; True when a rebuild is due."""
    broken = False
    try:
        connection.exec_driver_sql(
            "INSERT INTO entries_fts (entries_fts, rank) VALUES ('integrity-check', 1)"
        )
    except DatabaseError as error:
        report.problems.append(f"search index: fails its integrity check ({error.orig})")
        broken = True
    stored = int(connection.execute(select(func.count()).select_from(entries)).scalar() or 0)
    indexed = int(
        connection.exec_driver_sql("SELECT count(*) FROM entries_fts_docsize").scalar() or 0
    )
    if indexed != stored:
        report.problems.append(f"search index: holds {indexed} entries, the archive {stored}")
        broken = True
    return broken


def _stray_files(root: Path) -> Iterator[Path]:
    """Files left in the folder of the older one-file-per-image store (moved in on open)."""
    if root.is_dir():
        yield from (path for path in sorted(root.rglob("*")) if path.is_file())


@dataclass
class _AssetFindings:
    missing: set[str] = field(default_factory=set)  # referenced, not (intact) in the store
    orphans: set[str] = field(default_factory=set)  # stored bytes nothing refers to, or damaged
    stray_files: list[Path] = field(default_factory=list)
    cached_without_file: int = 0


def _asset_problems(
    archive: Archive, connection: Connection, report: CheckReport
) -> _AssetFindings:
    findings = _AssetFindings()
    known = set(connection.execute(select(assets.c.sha256)).scalars())
    referenced = set(
        connection.execute(
            select(entry_images.c.sha256).where(entry_images.c.sha256.is_not(None)).distinct()
        ).scalars()
    )
    cached_null = int(
        connection.execute(
            select(func.count())
            .select_from(entry_images)
            .where(entry_images.c.status == "cached", entry_images.c.sha256.is_(None))
        ).scalar()
        or 0
    )
    if cached_null:
        report.problems.append(f"asset store: {cached_null} images marked cached without bytes")
        findings.cached_without_file = cached_null
    for path in _stray_files(archive.paths.legacy_assets):
        report.problems.append(f"asset store: stray file {path.relative_to(archive.paths.root)}")
        findings.stray_files.append(path)
    store = archive.image_store
    stored = set(store.sizes())
    damaged = set(store.damaged())
    for sha in sorted(referenced | known):
        if sha not in stored:
            report.problems.append(f"asset store: image {sha[:12]}… is missing")
            findings.missing.add(sha)
        elif sha in damaged:
            report.problems.append(f"asset store: image {sha[:12]}… is damaged (hash mismatch)")
            findings.missing.add(sha)
            findings.orphans.add(sha)
    for sha in sorted(stored - referenced):
        report.problems.append(f"asset store: unreferenced image {sha[:12]}…")
        findings.orphans.add(sha)
    return findings


def check_archive(archive: Archive, *, repair: bool = False) -> CheckReport:
    """Verify the archive; with `repair` fix what can be fixed. Problems stay listed."""
    report = CheckReport()
    with archive.reading() as connection:
        dangling = _database_problems(connection, report)
        rebuild = _index_problems(connection, report)
        findings = _asset_problems(archive, connection, report)
    if repair and report.problems:
        _repair(archive, report, dangling, rebuild, findings)
    return report


def _repair(
    archive: Archive,
    report: CheckReport,
    dangling: list[tuple[str, int]],
    rebuild: bool,
    findings: _AssetFindings,
) -> None:
    with archive.writing() as connection:
        for table, rowid in dangling:
            if table == "entry_images":
                # An image pointing at a lost asset row: fetch it again rather than forget it.
                connection.execute(
                    text(
                        "UPDATE entry_images SET sha256 = NULL, status = 'pending', error = NULL "
                        "WHERE rowid = :rowid"
                    ),
                    {"rowid": rowid},
                )
            else:
                connection.exec_driver_sql(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))
        if dangling:
            report.repairs.append(f"fixed {len(dangling)} rows that pointed at nothing")
        missing = sorted(findings.missing)
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            connection.execute(
                update(entry_images)
                .where(entry_images.c.sha256.in_(chunk))
                .values(sha256=None, status="pending", error=None)
            )
            connection.execute(delete(assets).where(assets.c.sha256.in_(chunk)))
        if findings.cached_without_file:
            connection.execute(
                update(entry_images)
                .where(entry_images.c.status == "cached", entry_images.c.sha256.is_(None))
                .values(status="pending", error=None)
            )
        if missing or findings.cached_without_file:
            count = len(missing) + findings.cached_without_file
            report.repairs.append(f"{count} missing or damaged images will be downloaded again")
        # Asset rows that no image refers to any more go with their files.
        connection.execute(
            delete(assets).where(~exists().where(entry_images.c.sha256 == assets.c.sha256))
        )
        if rebuild:
            connection.execute(text("INSERT INTO entries_fts (entries_fts) VALUES ('rebuild')"))
            report.repairs.append("rebuilt the search index")
    if findings.orphans:
        archive.image_store.delete(findings.orphans)
        report.repairs.append(f"deleted {len(findings.orphans)} unreferenced or damaged images")
    removed = 0
    for path in findings.stray_files:
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass
        except OSError as error:
            report.unrepairable.append(f"cannot delete {path}: {error.strerror}")
    if removed:
        report.repairs.append(f"deleted {removed} stray files")
    remove_empty_folders(archive.paths.legacy_assets)
