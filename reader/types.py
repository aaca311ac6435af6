"""Frozen values handed to callers of the core. Datetimes are timezone-aware UTC."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, NewType

SourceId = NewType("SourceId", int)
EntryId = NewType("EntryId", int)
ThreadId = NewType("ThreadId", int)

SourceKind = Literal["feed", "liveblog"]
EntryKind = Literal["article", "liveblog-update"]
RefreshStatus = Literal["updated", "unchanged", "not-modified", "error", "skipped"]


@dataclass(frozen=True)
class ParsedEntry:
    """One item or live-blog update as a parser read it, before it is stored.

    `key` is the publisher's own id (GUID, post id), else the link, else a content hash.
    `html` has already passed the sanitizer; `text` is plain text of the same content.
    """

    key: str
    kind: EntryKind
    title: str
    authors: tuple[str, ...] = ()
    published: datetime | None = None
    updated: datetime | None = None
    url: str | None = None
    html: str = ""
    text: str = ""
    image_urls: tuple[str, ...] = ()
    pinned: bool = False


@dataclass(frozen=True)
class ParsedPage:
    """What a parser found in one fetched document: a feed or a live-blog page."""

    kind: SourceKind
    title: str
    url: str | None
    entries: tuple[ParsedEntry, ...]
    warnings: tuple[str, ...] = ()
    # A feed that could only partly be read keeps its entries and sets this.
    error: str | None = None
    # Live blogs: the blog's own standfirst and summary / key points (sanitized HTML).
    standfirst: str = ""
    summary_html: str = ""
    is_live: bool = False
    # Live blogs: links to older pages of the same blog (pagination), absolute URLs.
    older_pages: tuple[str, ...] = ()
    # Live blogs: True when the page shows only a window of the newest updates.
    windowed: bool = False


@dataclass(frozen=True)
class Source:
    id: SourceId
    kind: SourceKind
    url: str
    title: str
    folder: str | None
    unread: int
    entries: int
    last_refreshed: datetime | None
    last_error: str | None
    is_live: bool = False
    notify: bool = True
    gone: bool = False


@dataclass(frozen=True)
class Revision:
    seen_at: datetime
    title: str
    text: str
    html: str


@dataclass(frozen=True)
class Image:
    url: str
    cached: bool
    sha256: str | None = None  # the key of its bytes in the image store, once cached


@dataclass(frozen=True)
class Entry:
    id: EntryId
    source_id: SourceId
    kind: EntryKind
    title: str
    authors: tuple[str, ...]
    published: datetime | None
    updated: datetime | None
    url: str | None
    text: str
    html: str
    thread_id: ThreadId | None
    read: bool
    starred: bool
    pinned: bool
    withdrawn: bool
    revisions: int
    source_title: str = ""
    key: str = ""
    # Where lists sort it: published, else when it was first seen (None: not read from the
    # archive, e.g. an Entry built by hand).
    sort_time: datetime | None = None


@dataclass(frozen=True)
class Thread:
    id: ThreadId
    label: str
    size: int
    unread: int
    last_activity: datetime | None
    entry_ids: tuple[EntryId, ...] = ()


@dataclass(frozen=True)
class SelectionThread:
    """A thread as a selection of entries (some sources, unread, starred) sees it: size,
    unread count, sources and last activity count only the selection's entries."""

    id: ThreadId
    label: str
    size: int
    unread: int
    last_activity: datetime  # the newest sort time among the selection's entries
    sources: tuple[str, ...] = ()  # names of the sources of those entries, sorted
    # Its newest entries among those that chose the threads, newest first (a few at most).
    entry_ids: tuple[EntryId, ...] = ()


@dataclass(frozen=True)
class SelectionThreads:
    """The threads a selection's newest entries are in, and those entries no thread holds."""

    threads: tuple[SelectionThread, ...]  # newest activity first
    unthreaded: tuple[EntryId, ...] = ()  # newest first


@dataclass(frozen=True)
class SearchHit:
    entry_id: EntryId
    title: str  # HTML-escaped, matches wrapped in <mark>
    snippet: str  # HTML-escaped, matches wrapped in <mark>
    score: float
    published: datetime | None = None
    source_title: str = ""


@dataclass(frozen=True)
class SearchResults:
    total: int
    total_is_estimate: bool
    hits: tuple[SearchHit, ...]
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceResult:
    """How one source fared in a refresh, and what changed (ids, for views to reload)."""

    source_id: SourceId
    status: RefreshStatus
    new: int = 0
    edited: int = 0
    withdrawn: int = 0
    error: str | None = None
    new_entry_ids: tuple[EntryId, ...] = ()
    changed_entry_ids: tuple[EntryId, ...] = ()


@dataclass(frozen=True)
class RefreshResult:
    sources: tuple[SourceResult, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> bool:
        return any(r.status == "error" for r in self.sources)
