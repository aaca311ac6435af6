"""Opening the archive file: engine settings, migrations, backups, refusing newer files."""

from __future__ import annotations

import logging
import sqlite3
import time
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError, OperationalError

from reader.errors import ArchiveError, ArchiveTooNew

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 15_000


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.execute("PRAGMA cache_size = -8000")  # 8 MB page cache per pooled connection
    finally:
        cursor.close()


def create_archive_engine(path: Path) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        pool_size=8,
        max_overflow=8,
    )
    event.listen(engine, "connect", _on_connect)
    return engine


def _alembic_config() -> Config:
    config = Config()
    location = resources.files("reader.store") / "migrations"
    config.set_main_option("script_location", str(location))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def _current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def backup_database(engine: Engine, target: Path) -> None:
    """Copy the live database with SQLite's online backup (safe while WAL is in use)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    raw = engine.raw_connection()
    try:
        destination = sqlite3.connect(target)
        try:
            raw.driver_connection.backup(destination)  # type: ignore[union-attr]
        finally:
            destination.close()
    finally:
        raw.close()


def migrate(engine: Engine, backups: Path) -> None:
    """Bring the archive to the newest schema, after a backup if it held data.

    Raises ArchiveTooNew when the file was written by a newer Newsdesk, and
    ArchiveError when it is not an archive at all.
    """
    try:
        current = _current_revision(engine)
    except DatabaseError as error:
        raise ArchiveError(
            f"the archive file is damaged or not a Newsdesk archive ({error.orig})"
        ) from error
    config = _alembic_config()
    scripts = ScriptDirectory.from_config(config)
    head = scripts.get_current_head()
    if current == head:
        return
    if current is not None:
        known = {script.revision for script in scripts.walk_revisions()}
        if current not in known:
            raise ArchiveTooNew(
                f"this archive was written by a newer version of Newsdesk (schema {current}); "
                "please update Newsdesk to open it"
            )
        stamp = time.strftime("%Y%m%d-%H%M%S")
        backup = backups / f"archive-before-{head}-from-{current}-{stamp}.sqlite"
        log.info("backing up the archive to %s before migrating", backup)
        backup_database(engine, backup)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except OperationalError as error:
        raise ArchiveError(f"could not update the archive's schema: {error.orig}") from error
