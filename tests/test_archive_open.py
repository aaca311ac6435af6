"""Opening archives: migrations with a backup, newer and damaged files refused clearly."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from reader.core import open_archive
from reader.errors import ArchiveError, ArchiveTooNew
from reader.store.database import head_revision


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


def test_older_archive_is_backed_up_then_migrated(tmp_path: Path) -> None:
    archive = open_archive(tmp_path)
    archive.subscribe("https://example.org/feed", "feed", title="Kept")
    archive.close()
    if head_revision() == "0001":
        pytest.skip("only one schema version exists so far")
    with sqlite3.connect(tmp_path / "archive.sqlite") as db:
        db.execute("UPDATE alembic_version SET version_num = '0001'")
    archive = open_archive(tmp_path)
    assert [s.title for s in archive.sources()] == ["Kept"]
    assert list((tmp_path / "backups").glob("archive-before-*.sqlite"))
    archive.close()


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
