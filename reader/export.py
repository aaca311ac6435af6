"""Exporting the archive (all of it, a source, a thread or chosen entries) and importing JSON.

Three formats: a self-contained HTML folder that opens offline in any browser, one
Markdown file with an `images/` folder beside it, and a versioned JSON document that
`import_json` reads back into another archive with nothing lost. Entries are streamed
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

from sqlalchemy import Connection, Table, and_, bindparam, func, or_, select, text

from reader.assets import rewrite_images_for_offline
from reader.errors import InvalidInput
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


_MD_ESCAPE = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#"})


def html_to_markdown(html: str) -> str:
    """Sanitized HTML as Markdown: paragraphs, headings, lists, quotes, code, links, images."""
    if not html.strip():
        return ""
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return html_lib.unescape(html)
    blocks: list[str] = []
    _md_blocks(root, blocks, "")
    return "\n\n".join(block for block in blocks if block.strip())


def _md_inline(element: Any) -> str:
    parts = [(element.text or "").translate(_MD_ESCAPE)]
    for child in element:
        parts.append(_md_inline_element(child))
        parts.append((child.tail or "").translate(_MD_ESCAPE))
    return " ".join("".join(parts).split()) if element.tag != "pre" else "".join(parts)


def _md_inline_element(element: Any) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    inner = _md_inline(element) if tag else ""
    if tag in ("strong", "b"):
        return f"**{inner}**" if inner else ""
    if tag in ("em", "i", "cite"):
        return f"*{inner}*" if inner else ""
    if tag == "code":
        return f"`{element.text_content()}`"
    if tag == "br":
        return "  \n"
    if tag == "a":
        href = element.get("href")
        return f"[{inner}]({href})" if href else inner
    if tag == "img":
        src = element.get("src")
        return f"![{(element.get('alt') or '').translate(_MD_ESCAPE)}]({src})" if src else ""
    if tag == "mark":
        return f"=={inner}=="
    return inner


_MD_BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 ul ol li blockquote pre figure figcaption table tr hr section "
    "article header footer aside details summary dl dt dd".split()
)


def _md_blocks(element: Any, blocks: list[str], quote: str) -> None:
    """Append the Markdown blocks of `element`'s children to `blocks`."""
    pending: list[str] = [(element.text or "").translate(_MD_ESCAPE)]

    def flush() -> None:
        line = " ".join("".join(pending).split())
        if line:
            blocks.append(quote + line)
        pending.clear()

    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag not in _MD_BLOCK_TAGS:
            pending.append(_md_inline_element(child) if tag else "")
            pending.append((child.tail or "").translate(_MD_ESCAPE))
            continue
        flush()
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            level = min(6, int(tag[1]) + 3)  # below the export's own ### entry titles
            blocks.append(quote + "#" * level + " " + _md_inline(child))
        elif tag in ("ul", "ol"):
            items = [li for li in child if isinstance(li.tag, str)]
            lines = [
                quote + (f"{n}. " if tag == "ol" else "- ") + _md_inline(li)
                for n, li in enumerate(items, 1)
            ]
            blocks.append("\n".join(lines))
        elif tag == "blockquote":
            _md_blocks(child, blocks, quote + "> ")
        elif tag == "pre":
            code = child.text_content().rstrip("\n")
            blocks.append("\n".join(quote + line for line in ["```", *code.split("\n"), "```"]))
        elif tag == "hr":
            blocks.append(quote + "---")
        elif tag == "tr":
            cells = [_md_inline(cell) for cell in child if isinstance(cell.tag, str)]
            blocks.append(quote + " | ".join(cells))
        elif tag in ("p", "li", "figcaption", "dt", "dd", "summary") and not any(
            isinstance(c.tag, str) and c.tag in _MD_BLOCK_TAGS for c in child
        ):
            blocks.append(quote + _md_inline(child))
        else:
            _md_blocks(child, blocks, quote)
        pending.append((child.tail or "").translate(_MD_ESCAPE))
    flush()


# -- JSON import -----------------------------------------------------------------------


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
