"""Retention keeps what the user cares about; check finds and repairs a damaged archive."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from offline_support import add_entries, add_source, entry, new_archive, png_bytes
from sqlalchemy import select, text, update

from reader.check import check_archive
from reader.core import Archive
from reader.retention import apply_retention, compact, storage_report
from reader.store.schema import assets, entries, entry_images, highlights

NOW = datetime(2025, 7, 1, tzinfo=UTC)


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with new_archive(tmp_path / "data") as opened:
        yield opened


def _cache(archive: Archive, entry_id: int, url: str, data: bytes) -> str:
    """Put an image straight into the store, as cache_images would have."""
    sha = archive.image_store.put(data)
    with archive.writing() as connection:
        connection.execute(
            assets.insert()
            .prefix_with("OR IGNORE")
            .values(sha256=sha, content_type="image/png", size=len(data), fetched_at=0)
        )
        connection.execute(
            update(entry_images)
            .where(entry_images.c.entry_id == entry_id, entry_images.c.url == url)
            .values(status="cached", sha256=sha)
        )
    return sha


def _aged(archive: Archive, source: int, days: list[int]) -> list[int]:
    items = [
        entry(f"k{n}", text=f"entry number {n}", published=NOW - timedelta(days=d))
        for n, d in enumerate(days)
    ]
    return [int(i) for i in add_entries(archive, source, items)]


def test_keep_newest_spares_starred_highlighted_and_unread(archive: Archive) -> None:
    source = add_source(archive, "https://a.example/feed")
    ids = _aged(archive, source, [1, 2, 3, 4, 5, 6])  # ids[0] newest
    archive.mark(ids, read=True)
    archive.mark([ids[3]], starred=True)
    archive.mark([ids[4]], read=False)
    with archive.writing() as connection:
        connection.execute(
            highlights.insert().values(entry_id=ids[5], quote="entry", start=0, created=0)
        )
    archive.set_source_options(
        source, retention=json.dumps({"keep_newest": 2, "keep_unread": True})
    )
    report = apply_retention(archive, NOW)
    kept = {e.id for e in archive.entries(source_id=source)}
    assert kept == {ids[0], ids[1], ids[3], ids[4], ids[5]}
    assert report.deleted_entries == 1 and report.per_source == {source: 1}
    with archive.reading() as connection:  # the search index forgot it too
        indexed = connection.execute(text("SELECT count(*) FROM entries_fts_docsize")).scalar()
    assert indexed == 5
    assert check_archive(archive).ok


def test_keep_days_and_keep_unread_false(archive: Archive) -> None:
    source = add_source(archive, "https://a.example/feed")
    other = add_source(archive, "https://b.example/feed")
    ids = _aged(archive, source, [1, 10, 40, 50])
    untouched = _aged(archive, other, [100])
    archive.mark([ids[3]], starred=True)
    archive.set_source_options(
        source, retention=json.dumps({"keep_days": 30, "keep_unread": False})
    )
    apply_retention(archive, NOW)
    assert {e.id for e in archive.entries(source_id=source)} == {ids[0], ids[1], ids[3]}
    assert [e.id for e in archive.entries(source_id=other)] == untouched


def test_retention_removes_assets_nobody_uses(archive: Archive) -> None:
    source = add_source(archive, "https://a.example/feed")
    shared, own = "https://img.example/shared.png", "https://img.example/own.png"
    old, new = add_entries(
        archive,
        source,
        [
            entry("old", images=[shared, own], published=NOW - timedelta(days=90)),
            entry("new", images=[shared], published=NOW - timedelta(days=1)),
        ],
    )
    archive.mark([old, new], read=True)
    shared_sha = _cache(archive, old, shared, png_bytes(5, 5))
    _cache(archive, new, shared, png_bytes(5, 5))
    own_sha = _cache(archive, old, own, png_bytes(6, 6))
    rows = {r.source_id: r for r in storage_report(archive)}
    assert rows[source].entries == 2 and rows[source].bytes_assets > 0
    archive.set_source_options(source, retention=json.dumps({"keep_days": 30}))
    report = apply_retention(archive, NOW)
    assert report.deleted_entries == 1 and report.deleted_assets == 1
    assert report.freed_asset_bytes == len(png_bytes(6, 6))
    assert not archive.image_store.has(own_sha)
    assert archive.image_store.has(shared_sha)
    assert compact(archive) >= 0
    assert check_archive(archive).ok


def test_check_finds_and_repairs_damage(archive: Archive) -> None:
    source = add_source(archive, "https://a.example/feed")
    url = "https://img.example/a.png"
    first, second = add_entries(archive, source, [entry("a", images=[url]), entry("b")])
    sha = _cache(archive, first, url, png_bytes(9, 9))
    assert check_archive(archive).ok

    archive.image_store.delete([sha])  # cached bytes lost behind our back
    orphan = archive.image_store.put(b"left over")
    stray = archive.paths.legacy_assets / "ab" / "not-an-image-name"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"stray")
    with archive.writing() as connection:  # the index loses an entry
        row = connection.execute(select(entries).where(entries.c.id == second)).one()
        connection.execute(
            text(
                "INSERT INTO entries_fts (entries_fts, rowid, title, text, authors, source) "
                "VALUES ('delete', :id, :title, :text, :authors, 'Source')"
            ),
            {"id": row.id, "title": row.title, "text": row.text, "authors": row.authors},
        )

    report = check_archive(archive)
    joined = "\n".join(report.problems)
    assert not report.ok
    assert f"image {sha[:12]}… is missing" in joined
    assert f"unreferenced image {orphan[:12]}" in joined
    assert "stray file assets/ab/not-an-image-name" in joined
    assert "search index" in joined
    assert archive.image_store.has(orphan) and stray.exists()  # a plain check changes nothing

    repaired = check_archive(archive, repair=True)
    assert repaired.repairs and not repaired.unrepairable
    assert not archive.image_store.has(orphan) and not stray.exists()
    assert check_archive(archive).ok
    assert [image.cached for image in archive.images(first)] == [False]
    with archive.reading() as connection:
        status = connection.execute(
            select(entry_images.c.status).where(entry_images.c.entry_id == first)
        ).scalar()
        found = (
            connection.execute(text("SELECT rowid FROM entries_fts WHERE entries_fts MATCH 'b'"))
            .scalars()
            .all()
        )
    assert status == "pending"  # fetched again on the next refresh
    assert second in found


def test_check_finds_a_damaged_file(archive: Archive) -> None:
    source = add_source(archive, "https://a.example/feed")
    url = "https://img.example/a.png"
    (first,) = add_entries(archive, source, [entry("a", images=[url])])
    sha = _cache(archive, first, url, png_bytes(9, 9))
    with sqlite3.connect(archive.paths.images) as raw:  # bytes damaged on disk
        raw.execute("UPDATE blobs SET data = ? WHERE sha256 = ?", (b"garbage", sha))
    report = check_archive(archive, repair=True)
    assert any("damaged" in line for line in report.problems)
    assert check_archive(archive).ok
    assert report.lines()[0].startswith("problem:")
