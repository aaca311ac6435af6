"""Importing a JSON export (see reader.export) into an archive, merging with what is there.

Sources match by URL and entries by (source URL, entry key), so importing twice adds nothing.
Records stream in batches; images come back from the export's `.assets` folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, bindparam, select

from reader.errors import InvalidInput
from reader.export import _EXTENSIONS, BATCH, FORMAT_NAME, FORMAT_VERSION, ProgressCallback
from reader.store.schema import (
    assets,
    entries,
    entry_images,
    highlights,
    revisions,
    saved_searches,
    sources,
    threads,
)

if TYPE_CHECKING:
    from reader.core import Archive


@dataclass(frozen=True)
class ImportReport:
    sources_added: int
    sources_merged: int  # already in the archive (same URL)
    entries_added: int
    entries_merged: int  # already in the archive (same source URL and entry key)
    images_restored: int  # image files copied from the export's .assets folder


def _read_export(path: Path) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
    """The header and a stream of entry records of a JSON export.

    Files laid out as export_json writes them are read line by line; any other valid
    JSON document with the same content is loaded whole.
    """
    try:
        stream = path.open("r", encoding="utf-8")
    except OSError as error:
        raise InvalidInput(f"cannot read {path}: {error.strerror}") from error
    first = stream.readline().rstrip("\n")
    second = stream.readline().strip()
    header: dict[str, Any] | None = None
    if first.startswith("{") and first.endswith(",") and second == '"entries": [':
        try:
            header = json.loads(first[:-1] + "}")
        except ValueError:
            header = None
    if header is None:
        stream.seek(0)
        try:
            whole = json.load(stream)
        except ValueError as error:
            stream.close()
            raise InvalidInput(f"{path.name} is not valid JSON ({error})") from error
        stream.close()
        if not isinstance(whole, dict):
            raise InvalidInput(f"{path.name} is not a Newsdesk archive export")
        records = whole.pop("entries", [])
        _check_header(whole, path)
        return whole, iter(records if isinstance(records, list) else [])
    _check_header(header, path)

    def lines() -> Iterator[dict[str, Any]]:
        with stream:
            for line in stream:
                stripped = line.strip()
                if not stripped or stripped == "]}":
                    continue
                try:
                    yield json.loads(stripped.removesuffix(","))
                except ValueError as error:
                    raise InvalidInput(f"{path.name}: a damaged entry record ({error})") from error

    return header, lines()


def _check_header(header: dict[str, Any], path: Path) -> None:
    if header.get("format") != FORMAT_NAME:
        raise InvalidInput(f"{path.name} is not a Newsdesk archive export")
    version = header.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise InvalidInput(
            f"{path.name} was written by a newer Newsdesk (format version {version}); "
            "please update Newsdesk to import it"
        )


def _columns(table: Table, record: dict[str, Any], leave_out: set[str]) -> dict[str, Any]:
    names = set(table.c.keys()) - leave_out
    return {name: value for name, value in record.items() if name in names}


_FIND_ENTRY = select(entries.c.id, entries.c.read, entries.c.starred).where(
    entries.c.source_id == bindparam("find_source"), entries.c.key == bindparam("find_key")
)


class _Importer:
    """Maps the export's ids onto the target archive's while records stream in."""

    def __init__(self, archive: Archive, header: dict[str, Any], asset_folder: Path) -> None:
        self.archive = archive
        self.asset_folder = asset_folder
        self.threads_in_file = {int(t["id"]): t for t in header.get("threads", [])}
        self.source_ids: dict[int, int] = {}
        self.thread_ids: dict[int, int] = {}
        self.entry_ids: dict[int, int] = {}
        self.duplicates: list[tuple[int, int]] = []  # (new entry id, old duplicate_of)
        self.sources_added = self.sources_merged = 0
        self.entries_added = self.entries_merged = self.images_restored = 0

    def add_sources(self, connection: Connection, header: dict[str, Any]) -> None:
        from reader.store.folders import ensure_folder

        for folder in header.get("folders", []):
            ensure_folder(connection, folder)
        for record in header.get("sources", []):
            existing = connection.execute(
                select(sources.c.id)
                .where(sources.c.url == record["url"])
                .order_by(sources.c.removed_at.is_not(None), sources.c.id)
            ).scalar()
            if existing is not None:
                self.source_ids[int(record["id"])] = int(existing)
                self.sources_merged += 1
                continue
            values = _columns(sources, record, {"id", "folder_id"})
            values["folder_id"] = (
                ensure_folder(connection, record["folder"]) if record.get("folder") else None
            )
            new_id = connection.execute(sources.insert().values(**values)).inserted_primary_key[0]  # type: ignore[index]
            self.source_ids[int(record["id"])] = int(new_id)
            self.sources_added += 1
        known = {(row.name, row.query) for row in connection.execute(select(saved_searches))}
        for search in header.get("saved_searches", []):
            if (search["name"], search["query"]) not in known:
                connection.execute(
                    saved_searches.insert().values(
                        name=search["name"],
                        query=search["query"],
                        position=int(search.get("position", 0)),
                    )
                )
                known.add((search["name"], search["query"]))

    def _thread(self, connection: Connection, old_id: int | None) -> int | None:
        if old_id is None or old_id not in self.threads_in_file:
            return None
        if old_id not in self.thread_ids:
            record = self.threads_in_file[old_id]
            new_id = connection.execute(
                threads.insert().values(**_columns(threads, record, {"id"}))
            ).inserted_primary_key[0]  # type: ignore[index]
            self.thread_ids[old_id] = int(new_id)
        return self.thread_ids[old_id]

    def add_entry(self, connection: Connection, record: dict[str, Any]) -> None:
        source_id = self.source_ids.get(int(record["source_id"]))
        if source_id is None:
            raise InvalidInput(f"entry {record.get('id')} names a source the file does not hold")
        existing = connection.execute(
            _FIND_ENTRY, {"find_source": source_id, "find_key": record["key"]}
        ).first()
        if existing is not None:
            self._merge_entry(connection, existing, record)
            return
        values = _columns(entries, record, {"id", "source_id", "thread_id", "duplicate_of"})
        values.update(
            source_id=source_id,
            authors=json.dumps(record.get("authors", []), ensure_ascii=False),
            images=json.dumps(record.get("images", []), ensure_ascii=False),
            thread_id=self._thread(connection, record.get("thread_id")),
        )
        # Parameters rather than .values(): the statement compiles once for all entries.
        new_id = int(connection.execute(entries.insert(), values).inserted_primary_key[0])  # type: ignore[index]
        self.entry_ids[int(record["id"])] = new_id
        self.entries_added += 1
        if record.get("duplicate_of") is not None:
            self.duplicates.append((new_id, int(record["duplicate_of"])))
        history = [
            {"entry_id": new_id, **_columns(revisions, r, {"id", "entry_id"})}
            for r in record.get("revision_history", [])
        ]
        if history:
            connection.execute(revisions.insert(), history)
        marks = [
            {"entry_id": new_id, **_columns(highlights, h, {"id", "entry_id"})}
            for h in record.get("highlights", [])
        ]
        if marks:
            connection.execute(highlights.insert(), marks)
        states = [self._image_state(connection, new_id, s) for s in record.get("image_states", [])]
        if states:
            connection.execute(entry_images.insert(), states)

    def _merge_entry(self, connection: Connection, existing: Any, record: dict[str, Any]) -> None:
        """The entry is already here: keep its content, add the file's states and highlights."""
        self.entry_ids[int(record["id"])] = int(existing.id)
        self.entries_merged += 1
        connection.execute(
            entries.update()
            .where(entries.c.id == existing.id)
            .values(
                read=bool(existing.read) or bool(record.get("read")),
                starred=bool(existing.starred) or bool(record.get("starred")),
            )
        )
        have = {
            (h.quote, h.start, h.created)
            for h in connection.execute(
                select(highlights).where(highlights.c.entry_id == existing.id)
            )
        }
        for mark in record.get("highlights", []):
            if (mark["quote"], mark["start"], mark["created"]) not in have:
                values = _columns(highlights, mark, {"id", "entry_id"})
                connection.execute(highlights.insert().values(entry_id=existing.id, **values))

    def _image_state(
        self, connection: Connection, entry_id: int, state: dict[str, Any]
    ) -> dict[str, Any]:
        row = {
            "entry_id": entry_id,
            "url": state["url"],
            "status": state.get("status", "pending"),
            "sha256": None,
            "error": state.get("error"),
        }
        sha = state.get("sha256")
        if row["status"] != "cached" or not sha:
            if row["status"] == "cached":
                row["status"] = "pending"
            return row
        present = connection.execute(select(assets.c.sha256).where(assets.c.sha256 == sha)).scalar()
        if present is not None and self.archive.image_store.has(sha):
            row["sha256"] = sha
            return row
        content_type = state.get("content_type", "")
        packed = self.asset_folder / (sha + _EXTENSIONS.get(content_type, ""))
        if packed.is_file():
            data = packed.read_bytes()
            if self.archive.image_store.put(data) == sha:
                connection.execute(
                    assets.insert()
                    .prefix_with("OR IGNORE")
                    .values(
                        sha256=sha,
                        content_type=content_type or "application/octet-stream",
                        size=len(data),
                        fetched_at=int(datetime.now(UTC).timestamp()),
                    )
                )
                self.images_restored += 1
                row["sha256"] = sha
                return row
        row["status"] = "pending"  # not in the file: fetch it again on the next refresh
        row["error"] = None
        return row

    def link_duplicates(self, connection: Connection) -> None:
        for new_id, old_target in self.duplicates:
            target = self.entry_ids.get(old_target)
            if target is not None:
                connection.execute(
                    entries.update().where(entries.c.id == new_id).values(duplicate_of=target)
                )


def import_json(
    archive: Archive, path: Path, *, progress: ProgressCallback | None = None
) -> ImportReport:
    """Read a JSON export into `archive`, merging with what is already there.

    Sources are matched by URL and entries by (source URL, entry key), so importing the
    same file twice adds nothing. Raises InvalidInput for a file that is not an export
    (or is from a newer Newsdesk).
    """
    path = Path(path)
    header, records = _read_export(path)
    importer = _Importer(archive, header, path.with_suffix(".assets"))
    total = int(header.get("entry_count", 0))
    with archive.writing() as connection:
        importer.add_sources(connection, header)
    done = 0
    batch: list[dict[str, Any]] = []

    def write(batch: list[dict[str, Any]]) -> None:
        with archive.writing() as connection:
            for record in batch:
                importer.add_entry(connection, record)

    for record in records:
        batch.append(record)
        if len(batch) >= BATCH:
            write(batch)
            done += len(batch)
            batch = []
            if progress is not None:
                progress(done, total, "entries")
    write(batch)
    done += len(batch)
    if progress is not None:
        progress(done, total, "entries")
    with archive.writing() as connection:
        importer.link_duplicates(connection)
    return ImportReport(
        importer.sources_added,
        importer.sources_merged,
        importer.entries_added,
        importer.entries_merged,
        importer.images_restored,
    )
