"""What each `newsdesk` subcommand does; `reader.cli` parses the arguments."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from reader.cli import (
    EXIT_OK,
    EXIT_PARTIAL,
    UsageError,
    _print_json,
    entry_json,
    page_json,
    refresh_json,
    search_json,
    source_json,
)
from reader.core import Archive, open_archive
from reader.timeparse import format_utc
from reader.types import SourceResult

Command = Callable[[Archive, argparse.Namespace, TextIO], int]


def run_command(options: argparse.Namespace, out: TextIO) -> int:
    if options.command == "parse":
        return cmd_parse(options, out)
    if options.command == "cluster":
        return cmd_cluster(options, out)
    handler = COMMANDS[options.command]
    with open_archive(getattr(options, "data_dir", None)) as archive:
        return handler(archive, options, out)


class _Progress:
    """A one-line progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.enabled = stream.isatty()

    def __call__(self, done: int, total: int, _result: SourceResult) -> None:
        if not self.enabled:
            return
        width = 30
        filled = int(width * done / max(total, 1))
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\rRefreshing [{bar}] {done}/{total}")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()


def cmd_add(archive: Archive, options: argparse.Namespace, out: TextIO) -> int:
    source = archive.add(options.url, options.folder)
    if options.json:
        _print_json(source_json(source), out)
    else:
        print(
            f"Added {source.kind} {source.id}: {source.title} ({source.entries} entries)", file=out
        )
    return EXIT_OK


def cmd_remove(archive: Archive, options: argparse.Namespace, out: TextIO) -> int:
    archive.remove_source(options.source_id, keep_entries=options.keep_entries)
    kept = " (its entries stay in the archive)" if options.keep_entries else ""
    print(f"Removed source {options.source_id}{kept}", file=out)
    return EXIT_OK


def cmd_refresh(archive: Archive, options: argparse.Namespace, out: TextIO) -> int:
    result = archive.refresh(options.source_ids or None, progress=_Progress())
    if options.json:
        _print_json({"sources": [refresh_json(r) for r in result.sources]}, out)
    else:
        titles = {s.id: s.title for s in archive.sources()}
        for r in result.sources:
            line = f"{r.source_id:>5} {r.status:<12} new {r.new:<4} edited {r.edited:<4} "
            line += f"withdrawn {r.withdrawn:<4} {titles.get(r.source_id, '')}"
            if r.error:
                line += f"  [{r.error}]"
            print(line.rstrip(), file=out)
    return EXIT_PARTIAL if result.failed else EXIT_OK


def cmd_sources(archive: Archive, options: argparse.Namespace, out: TextIO) -> int:
    found = archive.sources()
    if options.json:
        _print_json({"sources": [source_json(s) for s in found]}, out)
        return EXIT_OK
    for s in found:
        folder = f"[{s.folder}] " if s.folder else ""
        error = f"  ! {s.last_error}" if s.last_error else ""
        counts = f"{s.unread:>5}/{s.entries:<6}"
        print(f"{s.id:>5} {s.kind:<8} {counts} {folder}{s.title}  <{s.url}>{error}", file=out)
    return EXIT_OK


def cmd_entries(archive: Archive, options: argparse.Namespace, out: TextIO) -> int:
    if options.source is not None:
        archive.source(options.source)
    found = archive.entries(
        source_id=options.source,
        thread_id=options.thread,
        unread=options.unread,
        limit=options.limit,
    )
    if options.json:
        _print_json({"entries": [entry_json(e) for e in found]}, out)
        return EXIT_OK
    for e in found:
        when = format_utc(e.published) if e.published else "-" * 20
        flags = ("*" if e.starred else " ") + (" " if e.read else "N")
        print(f"{e.id:>7} {flags} {when} {e.title}", file=out)
    return EXIT_OK


def cmd_show(archive: Archive, options: argparse.Namespace, out: TextIO) -> int:
    entry = archive.entry(options.entry_id)
    history = archive.revision_history(entry.id)
    images = archive.images(entry.id)
    if options.json:
        shown = entry_json(entry)
        shown["revision_history"] = [
            {"seen_at": format_utc(r.seen_at), "title": r.title, "text": r.text} for r in history
        ]
        shown["images"] = [{"url": i.url, "cached": i.cached} for i in images]
        _print_json(shown, out)
        return EXIT_OK
    print(entry.title, file=out)
    meta = [entry.source_title, ", ".join(entry.authors)]
    if entry.published:
        meta.append(format_utc(entry.published))
    print(" | ".join(m for m in meta if m), file=out)
    if entry.withdrawn:
        print("[withdrawn by the publisher]", file=out)
    if entry.url:
        print(entry.url, file=out)
    print("", file=out)
    print(entry.text, file=out)
    if len(history) > 1:
        print(f"\n{len(history)} versions seen", file=out)
    return EXIT_OK


def cmd_mark(archive: Archive, options: argparse.Namespace, out: TextIO) -> int:
    state = options.state
    if state in ("read", "unread"):
        archive.mark(options.entry_ids, read=state == "read")
    else:
        archive.mark(options.entry_ids, starred=state == "star")
    return EXIT_OK


def cmd_search(archive: Archive, options: argparse.Namespace, out: TextIO) -> int:
    results = archive.search(options.query, limit=options.limit)
    if options.json:
        _print_json(search_json(results), out)
        return EXIT_OK
    more = "+" if results.total_is_estimate else ""
    print(f"{results.total}{more} matches", file=out)
    for hit in results.hits:
        print(f"{hit.entry_id:>7} {_plain(hit.title)}", file=out)
        if hit.snippet:
            print(f"        {_plain(hit.snippet)}", file=out)
    return EXIT_OK


def _plain(marked: str) -> str:
    import html

    return html.unescape(marked.replace("<mark>", "[").replace("</mark>", "]"))


def cmd_threads(archive: Archive, options: argparse.Namespace, out: TextIO) -> int:
    found = archive.threads(limit=options.limit)
    if options.json:
        _print_json(
            {
                "threads": [
                    {
                        "id": str(t.id),
                        "label": t.label,
                        "size": t.size,
                        "unread": t.unread,
                        "last_activity": None
                        if t.last_activity is None
                        else format_utc(t.last_activity),
                        "entry_ids": [str(i) for i in t.entry_ids],
                    }
                    for t in found
                ]
            },
            out,
        )
        return EXIT_OK
    for t in found:
        print(f"{t.id:>6} {t.size:>4} entries {t.unread:>4} unread  {t.label}", file=out)
    return EXIT_OK


def cmd_import_opml(archive: Archive, options: argparse.Namespace, out: TextIO) -> int:
    from reader.opml import import_opml

    added = import_opml(archive, _readable(options.file))
    print(f"Imported {added} subscriptions", file=out)
    return EXIT_OK


def cmd_export_opml(archive: Archive, options: argparse.Namespace, out: TextIO) -> int:
    from reader.opml import export_opml

    count = export_opml(archive, options.file)
    print(f"Exported {count} subscriptions to {options.file}", file=out)
    return EXIT_OK


def cmd_export(archive: Archive, options: argparse.Namespace, out: TextIO) -> int:
    report = archive.export(
        options.out,
        options.format,
        source_id=options.source,
        thread_id=options.thread,
        query=options.query,
    )
    print(report, file=out)
    return EXIT_OK


def cmd_import(archive: Archive, options: argparse.Namespace, out: TextIO) -> int:
    report = archive.import_json(_readable(options.file))
    print(report, file=out)
    return EXIT_OK


def cmd_check(archive: Archive, options: argparse.Namespace, out: TextIO) -> int:
    report = archive.check(repair=options.repair)
    for line in report.lines():
        print(line, file=out)
    fixed = options.repair and not report.unrepairable
    return EXIT_OK if report.ok or fixed else EXIT_PARTIAL


def cmd_parse(options: argparse.Namespace, out: TextIO) -> int:
    from reader.inspect import parse_target

    page = parse_target(options.target, base_url=options.base_url)
    if options.json:
        _print_json(page_json(page), out)
        return EXIT_OK
    print(f"{page.kind}: {page.title}  ({len(page.entries)} entries)", file=out)
    for warning in page.warnings:
        print(f"warning: {warning}", file=out)
    for entry in page.entries:
        when = format_utc(entry.published) if entry.published else "-" * 20
        pin = " [pinned]" if entry.pinned else ""
        print(f"{when} {entry.key}: {entry.title}{pin}", file=out)
    return EXIT_OK


def cmd_cluster(options: argparse.Namespace, out: TextIO) -> int:
    from reader.topics import cluster_documents, read_jsonl

    docs = read_jsonl(_readable(options.file))
    threads = cluster_documents(docs)
    if options.json:
        _print_json(
            {
                "threads": [
                    {"id": t.id, "label": t.label, "entry_ids": list(t.entry_ids)} for t in threads
                ]
            },
            out,
        )
        return EXIT_OK
    for t in threads:
        print(f"{t.id}: {t.label} ({len(t.entry_ids)} entries)", file=out)
    return EXIT_OK


def _readable(path: Path) -> Path:
    if not path.is_file():
        raise UsageError(f"cannot read {path}: no such file")
    return path


COMMANDS: dict[str, Command] = {
    "add": cmd_add,
    "remove": cmd_remove,
    "refresh": cmd_refresh,
    "sources": cmd_sources,
    "entries": cmd_entries,
    "show": cmd_show,
    "mark": cmd_mark,
    "search": cmd_search,
    "threads": cmd_threads,
    "import-opml": cmd_import_opml,
    "export-opml": cmd_export_opml,
    "export": cmd_export,
    "import": cmd_import,
    "check": cmd_check,
}
