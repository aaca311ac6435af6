"""The `newsdesk` subcommands: a Qt-free client of the Archive facade (see CLI.md).

Results go to stdout, progress and errors to stderr. Exit codes: 0 success; 1 some
sources failed or `check` found problems; 2 bad usage or refused input, with a one-line
reason on stderr and never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from reader import __version__
from reader.errors import NewsdeskError
from reader.timeparse import format_utc
from reader.types import Entry, ParsedEntry, ParsedPage, SearchResults, Source, SourceResult

SUBCOMMANDS = (
    "add",
    "remove",
    "refresh",
    "sources",
    "entries",
    "show",
    "mark",
    "search",
    "threads",
    "import-opml",
    "export-opml",
    "export",
    "import",
    "check",
    "parse",
    "cluster",
)

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad usage found after argparse: reported as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"newsdesk: error: {message} (see 'newsdesk --help')\n")


# -- JSON shapes -----------------------------------------------------------------------
def _time(value: Any) -> str | None:
    return None if value is None else format_utc(value)


def _content_json(entry: Entry | ParsedEntry) -> dict[str, Any]:
    """The keys an entry has whether or not it is stored."""
    return {
        "kind": entry.kind,
        "title": entry.title,
        "authors": list(entry.authors),
        "published": _time(entry.published or entry.updated),
        "updated": _time(entry.updated),
        "url": entry.url,
        "text": entry.text,
        "html": entry.html,
    }


def entry_json(entry: Entry) -> dict[str, Any]:
    return {
        "id": str(entry.id),
        "source_id": str(entry.source_id),
        **_content_json(entry),
        "thread_id": None if entry.thread_id is None else str(entry.thread_id),
        "read": entry.read,
        "starred": entry.starred,
        "pinned": entry.pinned,
        "withdrawn": entry.withdrawn,
        "revisions": entry.revisions,
    }


def parsed_entry_json(entry: ParsedEntry) -> dict[str, Any]:
    """An entry as a parser read it; `id` is the publisher's own id (GUID, post id)."""
    return {
        "id": entry.key,
        **_content_json(entry),
        "pinned": entry.pinned,
        "images": list(entry.image_urls),
    }


def source_json(source: Source) -> dict[str, Any]:
    return {
        "id": str(source.id),
        "kind": source.kind,
        "url": source.url,
        "title": source.title,
        "folder": source.folder,
        "unread": source.unread,
        "entries": source.entries,
        "last_refreshed": _time(source.last_refreshed),
        "last_error": source.last_error,
    }


def refresh_json(result: SourceResult) -> dict[str, Any]:
    return {
        "id": str(result.source_id),
        "status": result.status,
        "new": result.new,
        "edited": result.edited,
        "withdrawn": result.withdrawn,
        "error": result.error,
    }


def search_json(results: SearchResults) -> dict[str, Any]:
    return {
        "total": results.total,
        "total_is_estimate": results.total_is_estimate,
        "hits": [
            {
                "entry_id": str(hit.entry_id),
                "title": hit.title,
                "snippet": hit.snippet,
                "score": hit.score,
            }
            for hit in results.hits
        ],
    }


def page_json(page: ParsedPage) -> dict[str, Any]:
    return {
        "kind": page.kind,
        "title": page.title,
        "url": page.url,
        "entries": [parsed_entry_json(entry) for entry in page.entries],
        "warnings": list(page.warnings) + ([page.error] if page.error else []),
    }


def _print_json(value: Any, out: TextIO) -> None:
    json.dump(value, out, ensure_ascii=False, indent=2)
    out.write("\n")


# -- argument parsing -------------------------------------------------------------------
def _id(kind: str) -> Callable[[str], int]:
    def convert(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{kind} id must be a number, not {value!r}") from None
        if number < 1:
            raise argparse.ArgumentTypeError(f"unknown {kind} id {value}")
        return number

    convert.__name__ = f"{kind} id"
    return convert


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, not {value}")
    return number


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="keep the archive in DIR (default: $NEWSDESK_DATA_DIR or the per-user folder)",
    )
    parser = _Parser(
        prog="newsdesk",
        description="Newsdesk: feeds and live blogs in an offline archive, threaded and "
        "searchable. Without a command, opens the desktop app.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"newsdesk {__version__}")
    parser.add_argument("--demo", action="store_true", help="open the app on the demo archive")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="open the main window offscreen on a temporary demo archive, search, exit 0",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, parents=[common])

    p = command("add", "subscribe to a feed, a site (feed discovery) or a live blog")
    p.add_argument("url", metavar="URL")
    p.add_argument("--folder", metavar="NAME", help="put it in this folder (a/b for nested)")
    p.add_argument("--json", action="store_true")

    p = command("remove", "unsubscribe from a source")
    p.add_argument("source_id", metavar="SOURCE_ID", type=_id("source"))
    p.add_argument("--keep-entries", action="store_true", help="keep its entries in the archive")

    p = command("refresh", "fetch sources now (all when none is named)")
    p.add_argument("source_ids", metavar="SOURCE_ID", nargs="*", type=_id("source"))
    p.add_argument("--json", action="store_true")

    p = command("sources", "list the subscriptions")
    p.add_argument("--json", action="store_true")

    p = command("entries", "list entries, newest first")
    p.add_argument("--source", metavar="ID", type=_id("source"))
    p.add_argument("--thread", metavar="ID", type=_id("thread"))
    p.add_argument("--unread", action="store_true")
    p.add_argument("--limit", metavar="N", type=_positive)
    p.add_argument("--json", action="store_true")

    p = command("show", "show one entry with its revisions and images")
    p.add_argument("entry_id", metavar="ENTRY_ID", type=_id("entry"))
    p.add_argument("--json", action="store_true")

    p = command("mark", "mark entries read, unread, starred or unstarred")
    p.add_argument("entry_ids", metavar="ENTRY_ID", nargs="+", type=_id("entry"))
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--read", dest="state", action="store_const", const="read")
    group.add_argument("--unread", dest="state", action="store_const", const="unread")
    group.add_argument("--star", dest="state", action="store_const", const="star")
    group.add_argument("--unstar", dest="state", action="store_const", const="unstar")

    p = command("search", "search everything stored (see the query language in the README)")
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--limit", metavar="N", type=_positive, default=20)
    p.add_argument("--json", action="store_true")

    p = command("threads", "list topic threads, newest activity first")
    p.add_argument("--limit", metavar="N", type=_positive)
    p.add_argument("--json", action="store_true")

    p = command("import-opml", "subscribe to the feeds in an OPML file (without fetching)")
    p.add_argument("file", metavar="FILE", type=Path)

    p = command("export-opml", "write the subscriptions as OPML")
    p.add_argument("file", metavar="FILE", type=Path)

    p = command("export", "export entries as an HTML folder, Markdown or JSON")
    p.add_argument("--format", required=True, choices=("html", "md", "json"))
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--source", metavar="ID", type=_id("source"))
    scope.add_argument("--thread", metavar="ID", type=_id("thread"))
    scope.add_argument("--query", metavar="Q")
    p.add_argument("out", metavar="OUT", type=Path)

    p = command("import", "import a JSON export into this archive")
    p.add_argument("file", metavar="FILE.json", type=Path)

    p = command("check", "verify the database, the search index and the asset store")
    p.add_argument("--repair", action="store_true", help="fix what can be fixed")

    p = command("parse", "show what would be extracted from a URL or saved file; stores nothing")
    p.add_argument("target", metavar="URL_OR_FILE")
    p.add_argument("--base-url", metavar="URL", help="where the file was served from")
    p.add_argument("--json", action="store_true")

    p = command("cluster", "topic-thread the entries of a JSON Lines file; stores nothing")
    p.add_argument("file", metavar="FILE.jsonl", type=Path)
    p.add_argument("--json", action="store_true")
    return parser


def parse_gui_args(argv: Sequence[str]) -> argparse.Namespace:
    """Options of the GUI form (`newsdesk [--data-dir DIR] [--demo] [--self-test]`)."""
    options = build_parser().parse_args(list(argv))
    if not hasattr(options, "data_dir"):
        options.data_dir = None
    return options


# -- the commands -----------------------------------------------------------------------
def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    stdout = out or sys.stdout
    parser = build_parser()
    try:
        options = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as done:  # --help, --version, or a usage error already reported
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    if options.command is None:
        parser.print_help(stdout)
        return EXIT_OK
    from reader.commands import run_command

    try:
        return run_command(options, stdout)
    except (NewsdeskError, UsageError) as error:
        print(f"newsdesk: error: {_one_line(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("newsdesk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (`newsdesk ... | head`): not an error of ours.
        _silence_stdout()
        return EXIT_OK


def _silence_stdout() -> None:
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _one_line(message: str) -> str:
    return " ".join(message.split()) or "unknown error"
