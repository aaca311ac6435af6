"""Opening archives: migrations with a backup, newer and damaged files refused clearly."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from reader.core import open_archive
from reader.errors import ArchiveError, ArchiveTooNew
from reader.store.database import _alembic_config, create_archive_engine, head_revision
from reader.store.schema import metadata


def test_new_archive_is_at_the_newest_schema_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    archive = open_archive(tmp_path)
    with archive.reading() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert version == head_revision()
    archive.close()


def test_archive_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    open_archive(tmp_path).close()
    with sqlite3.connect(tmp_path / "archive.sqlite") as db:
        db.execute("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(ArchiveTooNew, match="newer version of Newsdesk"):
        open_archive(tmp_path)


def test_damaged_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    garbage = b"this is not a database" * 100
    (tmp_path / "archive.sqlite").write_bytes(garbage)
    with pytest.raises(ArchiveError, match="damaged or not a Newsdesk archive"):
        open_archive(tmp_path)
    assert (tmp_path / "archive.sqlite").read_bytes() == garbage


def _archive_at_revision(data_dir: Path, revision: str) -> Path:
    """An archive file as an older Newsdesk wrote it: the migrations up to `revision` only."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "archive.sqlite"
    engine = create_archive_engine(path)
    try:
        with engine.begin() as connection:
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()
    return path


def _schema(path: Path) -> list[tuple[str, str, str]]:
    """Every table, index, view and trigger with its SQL, as SQLite keeps them."""
    with closing(sqlite3.connect(path)) as db:
        rows = db.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name"
        ).fetchall()
    return [(str(t), str(n), str(q)) for t, n, q in rows]


def test_older_archive_is_backed_up_then_migrated(tmp_path: Path) -> None:
    path = _archive_at_revision(tmp_path, "0001")
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(
            "INSERT INTO sources (id, kind, url, title, added_at) "
            "VALUES (1, 'feed', 'https://example.org/feed', 'Kept', 0)"
        )
        db.execute("INSERT INTO threads (id, label, created, last_activity) VALUES (4, 'G7', 0, 0)")
        db.execute(
            "INSERT INTO entries (id, source_id, key, kind, title, text, sort_time, first_seen,"
            " content_seen, thread_id) VALUES (9, 1, 'k', 'article', 'Ministers meet',"
            " 'statement on trade', 0, 0, 0, 4)"
        )
    archive = open_archive(tmp_path)
    with archive.reading() as connection:
        version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert version == head_revision() != "0001"
    (backup,) = (tmp_path / "backups").glob("archive-before-*-from-0001-*.sqlite")
    assert [s.title for s in archive.sources()] == ["Kept"]
    (thread,) = archive.threads()
    assert (thread.id, thread.label, list(thread.entry_ids)) == (4, "G7", [9])
    assert [hit.entry_id for hit in archive.search("trade").hits] == [9]  # the index came along
    assert archive.resolve_thread(4) == 4
    archive.close()
    # The backup is the archive as it was: still at 0001, with its data.
    with closing(sqlite3.connect(backup)) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert db.execute("SELECT title FROM entries").fetchall() == [("Ministers meet",)]
        tables = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "thread_merges" not in tables


def test_migrated_archive_has_the_same_schema_as_a_new_one(tmp_path: Path) -> None:
    _archive_at_revision(tmp_path / "old", "0001")
    open_archive(tmp_path / "old").close()
    open_archive(tmp_path / "new").close()
    migrated = _schema(tmp_path / "old" / "archive.sqlite")
    assert migrated == _schema(tmp_path / "new" / "archive.sqlite")
    assert any(name == "thread_merges" for _type, name, _sql in migrated)


def test_schema_module_describes_the_migrated_thread_tables(tmp_path: Path) -> None:
    """reader/store/schema.py names what the migrations create (checked where 0002 changed)."""
    archive = open_archive(tmp_path)
    with archive.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    archive.close()

    def table_of(difference: Any) -> str:
        kind = difference[0]
        if kind in ("add_table", "remove_table"):
            return str(difference[1].name)
        if kind.startswith(("add_", "remove_")) and not kind.endswith("_column"):
            return str(difference[1].table.name)  # indexes, foreign keys, constraints
        return str(difference[2])  # columns: (kind, schema, table, column, ...)

    # Single differences come as tuples, column changes as lists of them. SQLite reports
    # every INTEGER PRIMARY KEY as nullable, whatever the DDL said: that one is noise.
    flat = [d for group in differences for d in (group if isinstance(group, list) else [group])]
    about_threads = [d for d in flat if table_of(d) in {"threads", "thread_merges"}]
    about_threads = [
        d for d in about_threads if d[0] != "modify_nullable" or d[3] not in {"id", "gone_id"}
    ]
    assert about_threads == []


def test_cli_reports_a_newer_archive_in_one_line(tmp_path: Path) -> None:
    open_archive(tmp_path).close()
    with sqlite3.connect(tmp_path / "archive.sqlite") as db:
        db.execute("UPDATE alembic_version SET version_num = '9999_future'")
    done = subprocess.run(
        [sys.executable, "-m", "ui.launcher", "--data-dir", str(tmp_path), "sources"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "newer version" in done.stderr


def test_core_never_imports_qt(tmp_path: Path) -> None:
    """Import the core, refresh and search in a fresh process: no PySide6 module loads."""
    script = f"""
import sys
from reader.core import open_archive
from reader.cli import main
archive = open_archive({str(tmp_path)!r})
archive.subscribe("http://127.0.0.1:9/feed.xml", "feed")
archive.refresh()
try:
    archive.search("anything")
except AttributeError:
    pass
archive.close()
main(["--data-dir", {str(tmp_path)!r}, "sources", "--json"])
import ui.launcher
loaded = [m for m in sys.modules if m.startswith("PySide6") or m.startswith("shiboken")]
assert not loaded, loaded
print("no Qt")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "no Qt" in done.stdout
