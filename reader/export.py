"""Exporting the archive (all of it, a source, a thread or chosen entries) to a file or folder.

Three formats: a self-contained HTML folder that opens offline in any browser, one
Markdown file with an `images/` folder beside it, and a versioned JSON document that
`reader.importer` reads back into another archive with nothing lost. Entries are streamed
in batches, so memory stays flat however large the archive is.
"""
from __future__ import annotations

import html as html_lib
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Connection, Table, and_, func, or_, select, text

from reader.assets import rewrite_images_for_offline
from reader.errors import InvalidInput
from reader.markdown import html_to_markdown
from reader.store.folders import folder_paths
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

ExportFormat = Literal["html", "md", "json"]
ProgressCallback = Callable[[int, int, str], None]

FORMAT_NAME = "newsdesk-archive"
FORMAT_VERSION = 1
BATCH = 500
_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/avif": ".avif",
}


@dataclass(frozen=True)
class ExportReport:
    path: Path
    entries: int
    sources: int
    images: int  # image files copied beside the export


@dataclass(frozen=True)
class _Scope:
    source_id: int | None = None
    thread_id: int | None = None
    entry_ids: Sequence[int] | None = None


# -- selecting what to export -----------------------------------------------------------

_SELECTED = "export_selected_ids"


@contextmanager
def _selection(connection: Connection, scope: _Scope) -> Iterator[Any]:
    """A filter on entries for the scope; chosen ids go through a temporary table."""
    if scope.entry_ids is None:
        conditions: list[Any] = []
        if scope.source_id is not None:
            conditions.append(entries.c.source_id == scope.source_id)
        if scope.thread_id is not None:
            conditions.append(entries.c.thread_id == scope.thread_id)
        yield and_(True, *conditions)
        return
    connection.exec_driver_sql(
        f"CREATE TEMP TABLE IF NOT EXISTS {_SELECTED} (id INTEGER PRIMARY KEY)"
    )
    connection.exec_driver_sql(f"DELETE FROM {_SELECTED}")
    ids = list(dict.fromkeys(int(i) for i in scope.entry_ids))
    for start in range(0, len(ids), BATCH):
        connection.exec_driver_sql(
            f"INSERT INTO {_SELECTED} (id) VALUES (?)", [(i,) for i in ids[start : start + BATCH]]
        )
    try:
        yield entries.c.id.in_(text(f"SELECT id FROM {_SELECTED}"))
    finally:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {_SELECTED}")
        connection.commit()


def _rows_by_id(connection: Connection, condition: Any) -> Iterator[Sequence[Any]]:
    """Batches of entry rows in id order (keyset pagination)."""
    last = 0
    while True:
        rows = connection.execute(
            select(entries)
            .where(condition, entries.c.id > last)
            .order_by(entries.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _rows_newest_first(
    connection: Connection, condition: Any, source_id: int
) -> Iterator[Sequence[Any]]:
    """Batches of one source's entry rows, newest first (keyset on sort_time, id)."""
    cursor: tuple[int, int] | None = None
    while True:
        query = select(entries).where(condition, entries.c.source_id == source_id)
        if cursor is not None:
            query = query.where(
                or_(
                    entries.c.sort_time < cursor[0],
                    and_(entries.c.sort_time == cursor[0], entries.c.id < cursor[1]),
                )
            )
        rows = connection.execute(
            query.order_by(entries.c.sort_time.desc(), entries.c.id.desc()).limit(BATCH)
        ).all()
        if not rows:
            return
        yield rows
        cursor = (rows[-1].sort_time, rows[-1].id)


def _children(
    connection: Connection, table: Table, ids: list[int], order: Any
) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {i: [] for i in ids}
    for row in connection.execute(select(table).where(table.c.entry_id.in_(ids)).order_by(*order)):
        grouped[row.entry_id].append(row)
    return grouped


def _cached_images(connection: Connection, ids: list[int]) -> dict[int, dict[str, tuple[str, str]]]:
    """entry id -> {url: (sha256, content_type)} for cached images whose asset row exists."""
    found: dict[int, dict[str, tuple[str, str]]] = {i: {} for i in ids}
    query = (
        select(entry_images.c.entry_id, entry_images.c.url, assets.c.sha256, assets.c.content_type)
        .join(assets, assets.c.sha256 == entry_images.c.sha256)
        .where(entry_images.c.entry_id.in_(ids), entry_images.c.status == "cached")
    )
    for entry_id, url, sha, content_type in connection.execute(query):
        found[entry_id][url] = (sha, content_type)
    return found


class _ImageCopier:
    """Writes cached images into an export folder once each; returns their relative paths."""

    def __init__(self, archive: Archive, folder: Path, prefix: str) -> None:
        self.archive = archive
        self.folder = folder
        self.prefix = prefix
        self.copied: dict[str, str | None] = {}

    def local_path(self, sha: str, content_type: str) -> str | None:
        if sha not in self.copied:
            name = sha + _EXTENSIONS.get(content_type, "")
            data = self.archive.image_bytes(sha)
            if data is not None:
                self.folder.mkdir(parents=True, exist_ok=True)
                (self.folder / name).write_bytes(data)
                self.copied[sha] = f"{self.prefix}{name}"
            else:
                self.copied[sha] = None
        return self.copied[sha]

    def mapping(self, images: dict[str, tuple[str, str]]) -> dict[str, str]:
        result: dict[str, str] = {}
        for url, (sha, content_type) in images.items():
            local = self.local_path(sha, content_type)
            if local is not None:
                result[url] = local
        return result

    @property
    def count(self) -> int:
        return sum(1 for value in self.copied.values() if value is not None)


def export_archive(
    archive: Archive,
    out: Path,
    fmt: ExportFormat,
    *,
    source_id: int | None = None,
    thread_id: int | None = None,
    entry_ids: Sequence[int] | None = None,
    progress: ProgressCallback | None = None,
) -> ExportReport:
    """Export the whole archive, or one source, one thread, or the given entries.

    `out` is a folder for "html", a file for "md" (images go to `images/` beside it) and
    for "json" (cached images, if any, go to `<name>.assets/` beside it).
    """
    scope = _Scope(source_id, thread_id, entry_ids)
    out = Path(out)
    if fmt == "html":
        return _export_html(archive, out, scope, progress)
    if fmt == "md":
        return _export_markdown(archive, out, scope, progress)
    if fmt == "json":
        return _export_json(archive, out, scope, progress)
    raise InvalidInput(f"unknown export format {fmt!r}: use html, md or json")


def _count(connection: Connection, condition: Any) -> int:
    return int(
        connection.execute(select(func.count()).select_from(entries).where(condition)).scalar() or 0
    )


def _source_ids(connection: Connection, condition: Any) -> list[int]:
    return [
        int(i)
        for i in connection.execute(
            select(entries.c.source_id).where(condition).distinct().order_by(entries.c.source_id)
        ).scalars()
    ]


def _source_names(connection: Connection) -> dict[int, Any]:
    return {row.id: row for row in connection.execute(select(sources))}


def _iso(epoch: int | None) -> str:
    if epoch is None:
        return ""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- JSON ------------------------------------------------------------------------------


def _entry_record(
    row: Any, history: list[Any], marks: list[Any], images: list[Any]
) -> dict[str, Any]:
    record = {name: row._mapping[name] for name in entries.c.keys()}
    record["authors"] = json.loads(record["authors"] or "[]")
    record["images"] = json.loads(record["images"] or "[]")
    for flag in ("thread_locked", "read", "starred", "pinned", "withdrawn"):
        record[flag] = bool(record[flag])
    record["revision_history"] = [
        {"seen_at": r.seen_at, "title": r.title, "text": r.text, "html": r.html} for r in history
    ]
    record["highlights"] = [
        {name: h._mapping[name] for name in highlights.c.keys() if name not in ("id", "entry_id")}
        for h in marks
    ]
    record["image_states"] = [
        {"url": i.url, "status": i.status, "sha256": i.sha256, "error": i.error} for i in images
    ]
    return record


def _export_json(
    archive: Archive, out: Path, scope: _Scope, progress: ProgressCallback | None
) -> ExportReport:
    out.parent.mkdir(parents=True, exist_ok=True)
    asset_folder = out.with_suffix(".assets")
    copier = _ImageCopier(archive, asset_folder, "")
    written = 0
    with archive.reading() as connection, _selection(connection, scope) as condition:
        total = _count(connection, condition)
        used_sources = set(_source_ids(connection, condition))
        paths = folder_paths(connection)
        source_records = []
        for row in connection.execute(select(sources).order_by(sources.c.id)):
            if scope == _Scope() or row.id in used_sources:
                record = {n: row._mapping[n] for n in sources.c.keys() if n != "folder_id"}
                record["folder"] = paths.get(row.folder_id) if row.folder_id else None
                source_records.append(record)
        thread_query = select(threads).order_by(threads.c.id)
        if scope != _Scope():
            thread_query = thread_query.where(
                threads.c.id.in_(select(entries.c.thread_id).where(condition))
            )
        header = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "exported_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "entry_count": total,
            "folders": sorted(set(paths.values())),
            "sources": source_records,
            "threads": [dict(row._mapping) for row in connection.execute(thread_query)],
            "saved_searches": [
                {"name": r.name, "query": r.query, "position": r.position}
                for r in connection.execute(select(saved_searches).order_by(saved_searches.c.id))
            ],
            "assets": [],  # filled per entry in image_states; kept for readers of the format
        }
        # The layout (header on line one, one entry per line) lets import_json stream it.
        with out.open("w", encoding="utf-8") as stream:
            head = json.dumps(header, ensure_ascii=False)
            stream.write(head[:-1] + ",\n" + '"entries": [\n')
            for rows in _rows_by_id(connection, condition):
                ids = [row.id for row in rows]
                history = _children(
                    connection, revisions, ids, (revisions.c.seen_at, revisions.c.id)
                )
                marks = _children(connection, highlights, ids, (highlights.c.id,))
                images = _children(connection, entry_images, ids, (entry_images.c.url,))
                cached = _cached_images(connection, ids)
                for row in rows:
                    record = _entry_record(row, history[row.id], marks[row.id], images[row.id])
                    for state in record["image_states"]:
                        found = cached[row.id].get(state["url"])
                        if found is not None and copier.local_path(*found) is not None:
                            state["content_type"] = found[1]
                    stream.write(
                        ("" if written == 0 else ",\n") + json.dumps(record, ensure_ascii=False)
                    )
                    written += 1
                if progress is not None:
                    progress(written, total, "entries")
            stream.write("\n]}\n")
    return ExportReport(out, written, len(source_records), copier.count)


# -- HTML folder -----------------------------------------------------------------------

_CSS = """body{font:16px/1.55 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;
color:#1d1d1f;background:#fff}a{color:#0b57d0}h1{font-size:1.6rem}
h2{font-size:1.25rem;margin-bottom:.2rem}.meta{color:#666;font-size:.85rem;margin-top:0}
article{border-bottom:1px solid #ddd;padding-bottom:1rem}img{max-width:100%;height:auto}
blockquote{border-left:3px solid #ccc;margin-left:0;padding-left:1rem;color:#444}
.withdrawn{opacity:.6}.tag{font-size:.75rem;background:#eee;border-radius:3px;padding:0 .3rem}
mark{background:#fff3a3}.missing-image{color:#888;font-style:italic}
@media (prefers-color-scheme:dark){body{background:#1e1e1e;color:#ddd}a{color:#8ab4f8}
article{border-color:#444}.tag{background:#333}mark{background:#665c00;color:#fff}}
"""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f'<title>{html_lib.escape(title)}</title><link rel="stylesheet" href="style.css">'
        f"</head><body>\n{body}\n</body></html>\n"
    )


def _entry_html(row: Any, body: str, marks: list[Any]) -> str:
    authors = ", ".join(json.loads(row.authors or "[]"))
    when = _iso(row.published or row.sort_time).replace("T", " ").replace("Z", " UTC")
    meta = " · ".join(html_lib.escape(part) for part in (authors, when) if part)
    if row.url:
        meta += f' · <a href="{html_lib.escape(row.url)}">original</a>'
    tags = "".join(
        f' <span class="tag">{name}</span>'
        for name, flag in (
            ("starred", row.starred),
            ("pinned", row.pinned),
            ("withdrawn", row.withdrawn),
        )
        if flag
    )
    kept = ""
    if marks:
        items = "".join(
            f"<li><mark>{html_lib.escape(m.quote)}</mark>"
            + (f" — {html_lib.escape(m.note)}" if m.note else "")
            + "</li>"
            for m in marks
        )
        kept = f"<h3>Highlights</h3><ul>{items}</ul>"
    css = ' class="withdrawn"' if row.withdrawn else ""
    title = html_lib.escape(row.title or "(untitled)")
    return (
        f'<article id="e{row.id}"{css}><h2>{title}{tags}</h2><p class="meta">{meta}</p>'
        f"{body}{kept}</article>\n"
    )


def _export_html(
    archive: Archive, out: Path, scope: _Scope, progress: ProgressCallback | None
) -> ExportReport:
    out.mkdir(parents=True, exist_ok=True)
    (out / "style.css").write_text(_CSS, encoding="utf-8")
    copier = _ImageCopier(archive, out / "images", "images/")
    index_parts: list[str] = []
    written = 0
    with archive.reading() as connection, _selection(connection, scope) as condition:
        total = _count(connection, condition)
        names = _source_names(connection)
        source_ids = _source_ids(connection, condition)
        for source_id in source_ids:
            source = names[source_id]
            source_title = source.user_title or source.title or source.url
            page_name = f"source-{source_id}.html"
            toc: list[str] = []
            with (out / page_name).open("w", encoding="utf-8") as stream:
                stream.write(_page(source_title, "").split("\n</body>")[0])
                stream.write(
                    '<p><a href="index.html">← all sources</a></p>'
                    f"<h1>{html_lib.escape(source_title)}</h1>"
                    f'<p class="meta"><a href="{html_lib.escape(source.url)}">'
                    f"{html_lib.escape(source.url)}</a></p>\n"
                )
                for rows in _rows_newest_first(connection, condition, source_id):
                    ids = [row.id for row in rows]
                    marks = _children(connection, highlights, ids, (highlights.c.id,))
                    cached = _cached_images(connection, ids)
                    for row in rows:
                        body = rewrite_images_for_offline(row.html, copier.mapping(cached[row.id]))
                        stream.write(_entry_html(row, body, marks[row.id]))
                        toc.append(
                            f'<li><a href="{page_name}#e{row.id}">'
                            f"{html_lib.escape(row.title or '(untitled)')}</a></li>"
                        )
                        written += 1
                    if progress is not None:
                        progress(written, total, source_title)
                stream.write("\n</body></html>\n")
            index_parts.append(
                f'<h2><a href="{page_name}">{html_lib.escape(source_title)}</a> '
                f'<span class="meta">({len(toc)})</span></h2><ul>{"".join(toc)}</ul>'
            )
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    index = (
        f'<h1>Newsdesk export</h1><p class="meta">{written} entries from {len(index_parts)} '
        f"sources, exported {stamp}</p>\n" + "\n".join(index_parts)
    )
    (out / "index.html").write_text(_page("Newsdesk export", index), encoding="utf-8")
    return ExportReport(out, written, len(index_parts), copier.count)


# -- Markdown --------------------------------------------------------------------------


def _export_markdown(
    archive: Archive, out: Path, scope: _Scope, progress: ProgressCallback | None
) -> ExportReport:
    out.parent.mkdir(parents=True, exist_ok=True)
    copier = _ImageCopier(archive, out.parent / "images", "images/")
    written = 0
    sources_done = 0
    with archive.reading() as connection, _selection(connection, scope) as condition:
        total = _count(connection, condition)
        names = _source_names(connection)
        with out.open("w", encoding="utf-8") as stream:
            stream.write("# Newsdesk export\n\n")
            for source_id in _source_ids(connection, condition):
                source = names[source_id]
                stream.write(
                    f"## {source.user_title or source.title or source.url}\n\n<{source.url}>\n\n"
                )
                sources_done += 1
                for rows in _rows_newest_first(connection, condition, source_id):
                    ids = [row.id for row in rows]
                    marks = _children(connection, highlights, ids, (highlights.c.id,))
                    cached = _cached_images(connection, ids)
                    for row in rows:
                        stream.write(
                            _entry_markdown(
                                row, marks[row.id], copier.mapping(cached[row.id]), html_to_markdown
                            )
                        )
                        written += 1
                    if progress is not None:
                        progress(written, total, "entries")
    return ExportReport(out, written, sources_done, copier.count)


def _entry_markdown(
    row: Any, marks: list[Any], images: dict[str, str], convert: Callable[[str], str]
) -> str:
    authors = ", ".join(json.loads(row.authors or "[]"))
    when = _iso(row.published or row.sort_time)
    meta = " · ".join(part for part in (authors, when) if part)
    if row.url:
        meta += f" · [original]({row.url})"
    flags = " ".join(
        f"*{name}*"
        for name, flag in (("starred", row.starred), ("withdrawn", row.withdrawn))
        if flag
    )
    body = convert(rewrite_images_for_offline(row.html, images))
    parts = [
        f"### {row.title or '(untitled)'}",
        "",
        meta + (f" {flags}" if flags else ""),
        "",
        body,
    ]
    if marks:
        parts += ["", "**Highlights**", ""]
        parts += [f"> {m.quote}" + (f"\n>\n> — {m.note}" if m.note else "") + "\n" for m in marks]
    return "\n".join(parts).rstrip() + "\n\n---\n\n"
