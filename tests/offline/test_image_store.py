"""The image store: bytes by SHA-256 in one SQLite file, safe across threads, calm when damaged."""

from __future__ import annotations

import hashlib
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from offline_support import add_entries, add_source, entry, new_archive, png_bytes
from sqlalchemy import select, update

from reader.check import check_archive
from reader.errors import ArchiveTooNew
from reader.store.blobs import BlobStore
from reader.store.schema import assets, entry_images


def test_put_get_delete(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "images.sqlite")
    try:
        data = png_bytes(3, 3)
        sha = store.put(data)
        assert sha == hashlib.sha256(data).hexdigest()
        assert store.put(data) == sha  # stored once however often it is put
        assert store.get(sha) == data and store.has(sha)
        assert store.sizes() == {sha: len(data)}
        assert store.get("0" * 64) is None and not store.has("0" * 64)
        assert list(store.damaged()) == []
        assert store.delete([sha, "0" * 64]) == len(data)
        assert store.get(sha) is None and store.sizes() == {}
        store.vacuum()
    finally:
        store.close()


def test_many_threads_write_at_once(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "images.sqlite")
    try:
        blobs = [png_bytes(2 + n % 7, 2 + n // 7) for n in range(60)]
        with ThreadPoolExecutor(max_workers=12) as pool:
            keys = list(pool.map(store.put, blobs))
        assert len(set(keys)) == 60
        assert all(store.get(key) == data for key, data in zip(keys, blobs, strict=True))
    finally:
        store.close()


def test_a_newer_store_is_refused(tmp_path: Path) -> None:
    new_archive(tmp_path / "data").close()
    with sqlite3.connect(tmp_path / "data" / "images.sqlite") as raw:
        raw.execute("PRAGMA user_version = 99")
    with pytest.raises(ArchiveTooNew, match="newer Newsdesk"):
        new_archive(tmp_path / "data")


def test_a_damaged_store_is_kept_aside_and_its_images_fetched_again(tmp_path: Path) -> None:
    root = tmp_path / "data"
    url = "https://img.example/a.png"
    with new_archive(root) as archive:
        source = add_source(archive, "https://a.example/feed")
        (entry_id,) = add_entries(archive, source, [entry("a", images=[url])])
        data = png_bytes(4, 4)
        sha = archive.image_store.put(data)
        with archive.writing() as connection:
            connection.execute(
                assets.insert().values(
                    sha256=sha, content_type="image/png", size=len(data), fetched_at=0
                )
            )
            connection.execute(
                update(entry_images)
                .where(entry_images.c.entry_id == entry_id)
                .values(status="cached", sha256=sha)
            )
    (root / "images.sqlite").write_bytes(b"this is not a database" * 100)

    with new_archive(root) as archive:
        kept = list(root.glob("images.sqlite.damaged-*"))
        assert len(kept) == 1 and kept[0].read_bytes().startswith(b"this is not")
        assert [image.cached for image in archive.images(entry_id)] == [False]
        with archive.reading() as connection:
            status = connection.execute(select(entry_images.c.status)).scalar()
        assert status == "pending"  # downloaded again on the next refresh
        assert check_archive(archive).ok


def test_images_of_the_older_file_store_move_in(tmp_path: Path) -> None:
    root = tmp_path / "data"
    new_archive(root).close()
    good = png_bytes(5, 5)
    sha = hashlib.sha256(good).hexdigest()
    legacy = root / "assets"
    (legacy / sha[:2]).mkdir(parents=True)
    (legacy / sha[:2] / sha).write_bytes(good)
    wrong = "f" * 64
    (legacy / "ff").mkdir()
    (legacy / "ff" / wrong).write_bytes(b"not what the name says")

    with new_archive(root) as archive:
        assert archive.image_bytes(sha) == good
        assert not (legacy / sha[:2]).exists()  # moved, not copied
        report = check_archive(archive)
        assert any("stray file assets/ff/" in line for line in report.problems)
        check_archive(archive, repair=True)
        assert check_archive(archive).ok
    assert not legacy.exists()
