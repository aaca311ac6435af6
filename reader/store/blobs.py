"""The image store: cached image bytes, named by their SHA-256, in one SQLite file.

Why not one file per image: on many systems creating a file costs far more than writing its
bytes (on this project's CI machine about 0.7 ms of kernel time per file, serialised across
threads; on Windows a virus scanner opens every new file), and a refresh caches thousands of
small images. SQLite stores blobs of this size faster than the file system does, and one file
is easy to back up, move and compact. What an image is (type, size, which entries use it)
stays in the archive database; this file holds only bytes. It is separate from the archive
database so that the archive stays small to back up before a migration, and so that writing
images never waits for, or holds up, the refresh's own writes.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError

from reader.errors import ArchiveError, ArchiveTooNew

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
_SHA = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 500  # keys per IN (...) list


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout = 15000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA cache_size = -2000")  # bytes pass through; little to cache
    finally:
        cursor.close()


class BlobStore:
    """Content-addressed bytes: `put` returns the SHA-256 that `get` takes.

    Safe to use from many threads: reads run side by side, writes take turns in Python
    (so threads never wait in SQLite's sleep-and-retry busy handler).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._write_lock = threading.Lock()
        self._engine = _engine(path)
        try:
            self._prepare()
        except BaseException:
            self._engine.dispose()
            raise

    @classmethod
    def open_or_replace(cls, path: Path) -> tuple[BlobStore, Path | None]:
        """Open the store; a damaged one is kept aside under a new name and a new one made.

        Returns the store and the name the damaged file was kept under (None if it was fine),
        so the caller can mark its images for download again. Nothing is deleted.
        """
        try:
            return cls(path), None
        except DatabaseError as error:
            aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
            log.warning("image store %s is damaged (%s); kept as %s", path, error, aside.name)
            try:
                path.rename(aside)
                for suffix in ("-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
            except OSError as os_error:
                raise ArchiveError(
                    f"the image store {path} is damaged and cannot be moved aside: "
                    f"{os_error.strerror}"
                ) from error
            return cls(path), aside

    def _prepare(self) -> None:
        with self._write_lock, self._engine.begin() as connection:
            version = int(connection.exec_driver_sql("PRAGMA user_version").scalar() or 0)
            if version > SCHEMA_VERSION:
                raise ArchiveTooNew(
                    f"the image store {self.path.name} was written by a newer Newsdesk "
                    f"(format {version}, this version reads {SCHEMA_VERSION})"
                )
            if version == 0:
                connection.exec_driver_sql(
                    "CREATE TABLE IF NOT EXISTS blobs (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL)"
                )
                connection.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
            else:
                connection.exec_driver_sql("SELECT count(*) FROM blobs LIMIT 1").scalar()

    def close(self) -> None:
        self._engine.dispose()

    # -- writing -----------------------------------------------------------------------

    def put(self, data: bytes) -> str:
        """Store `data` (once, however often it is put) and return its SHA-256."""
        sha = sha256_of(data)
        with self._write_lock, self._engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT OR IGNORE INTO blobs (sha256, data) VALUES (?, ?)", (sha, data)
            )
        return sha

    def delete(self, shas: Iterable[str]) -> int:
        """Remove these blobs; returns the bytes they held."""
        keys = list(dict.fromkeys(shas))
        freed = 0
        with self._write_lock, self._engine.begin() as connection:
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                freed += int(
                    connection.exec_driver_sql(
                        f"SELECT coalesce(sum(length(data)), 0) FROM blobs "
                        f"WHERE sha256 IN ({marks})",
                        tuple(chunk),
                    ).scalar()
                    or 0
                )
                connection.exec_driver_sql(
                    f"DELETE FROM blobs WHERE sha256 IN ({marks})", tuple(chunk)
                )
        return freed

    def adopt_folder(self, folder: Path) -> int:
        """Move the files of an older one-file-per-image store (`<sha[:2]>/<sha>`) in here.

        Each file is stored before it is deleted, so an interrupted move just resumes on the
        next call. Files whose bytes do not match their name are left where they are.
        Returns the number of images moved.
        """
        if not folder.is_dir():
            return 0
        moved = 0
        for path in sorted(folder.glob("*/*")):
            if not (path.is_file() and _SHA.match(path.name)):
                continue
            try:
                data = path.read_bytes()
            except OSError:
                continue
            if sha256_of(data) != path.name:
                continue
            self.put(data)
            path.unlink()
            moved += 1
        remove_empty_folders(folder)
        return moved

    def vacuum(self) -> None:
        """Give the space of deleted blobs back to the file system."""
        with self._write_lock, self._engine.connect() as connection:
            raw = connection.connection.driver_connection
            assert raw is not None
            raw.execute("VACUUM")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- reading -----------------------------------------------------------------------

    def get(self, sha: str) -> bytes | None:
        with self._engine.connect() as connection:
            data = connection.exec_driver_sql(
                "SELECT data FROM blobs WHERE sha256 = ?", (sha,)
            ).scalar()
        return None if data is None else bytes(data)

    def has(self, sha: str) -> bool:
        with self._engine.connect() as connection:
            found = connection.exec_driver_sql(
                "SELECT 1 FROM blobs WHERE sha256 = ?", (sha,)
            ).scalar()
        return found is not None

    def sizes(self) -> dict[str, int]:
        """SHA-256 -> size in bytes of every stored blob (the bytes themselves are not read)."""
        with self._engine.connect() as connection:
            return {
                str(sha): int(size)
                for sha, size in connection.exec_driver_sql(
                    "SELECT sha256, length(data) FROM blobs"
                )
            }

    def damaged(self) -> Iterator[str]:
        """Keys whose bytes no longer hash to the key (reads every blob once)."""
        with self._engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT sha256 FROM blobs").scalars()
            keys = [str(key) for key in rows]
        for key in keys:
            data = self.get(key)
            if data is not None and sha256_of(data) != key:
                yield key

    def disk_bytes(self) -> int:
        total = 0
        for suffix in ("", "-wal"):
            try:
                total += Path(f"{self.path}{suffix}").stat().st_size
            except OSError:
                pass
        return total


def _engine(path: Path) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": 15},
        pool_size=4,
        max_overflow=16,
    )
    event.listen(engine, "connect", _on_connect)
    return engine


def remove_empty_folders(folder: Path) -> None:
    """Remove `folder` and its sub-folders where they hold no files."""
    if not folder.is_dir():
        return
    for sub in sorted((p for p in folder.rglob("*") if p.is_dir()), reverse=True):
        _remove_if_empty(sub)
    _remove_if_empty(folder)


def _remove_if_empty(folder: Path) -> None:
    try:
        if not any(folder.iterdir()):
            folder.rmdir()
    except OSError:
        pass

