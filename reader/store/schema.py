"""The archive's tables (SQLAlchemy Core). Migrations create them; this module names them.

Times are stored as integer UTC epoch seconds: compact, sortable, and index-friendly on a
million-entry archive. JSON columns hold short lists (authors, image URLs).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
)

metadata = MetaData()

folders = Table(
    "folders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("parent_id", Integer, ForeignKey("folders.id", ondelete="CASCADE")),
    Column("position", Integer, nullable=False, default=0),
)

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", Text, nullable=False),  # "feed" | "liveblog"
    Column("url", Text, nullable=False),
    Column("title", Text, nullable=False, default=""),
    Column("user_title", Text),  # a rename by the user wins over the publisher's title
    Column("site_url", Text),
    Column("folder_id", Integer, ForeignKey("folders.id", ondelete="SET NULL")),
    Column("position", Integer, nullable=False, default=0),
    Column("added_at", Integer, nullable=False),
    Column("removed_at", Integer),  # removed with --keep-entries: hidden, entries kept
    # Fetch state.
    Column("etag", Text),
    Column("last_modified", Text),
    Column("body_hash", Text),
    Column("last_refreshed", Integer),
    Column("last_error", Text),
    Column("gone", Boolean, nullable=False, default=False),
    Column("retry_after", Integer),
    Column("redirect_url", Text),  # a 301/308 target seen once; the URL moves when seen again
    # Live blogs.
    Column("is_live", Boolean, nullable=False, default=False),
    Column("standfirst", Text, nullable=False, default=""),
    Column("summary_html", Text, nullable=False, default=""),
    Column("poll_window", Text),  # JSON: keys and oldest time of the last page seen
    Column("last_change", Integer),
    Column("unchanged_polls", Integer, nullable=False, default=0),
    Column("next_poll", Integer),
    # Preferences.
    Column("notify", Boolean, nullable=False, default=True),
    Column("cache_images", Boolean, nullable=False, default=True),
    Column("full_text", Boolean, nullable=False, default=False),
    Column("retention", Text),  # JSON: {"keep_newest": N} or {"keep_days": D}, keep unread flag
)

entries = Table(
    "entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("key", Text, nullable=False),  # the publisher's id: GUID, post id, link or hash
    Column("kind", Text, nullable=False),  # "article" | "liveblog-update"
    Column("title", Text, nullable=False, default=""),
    Column("authors", Text, nullable=False, default="[]"),  # JSON list
    Column("published", Integer),
    Column("updated", Integer),
    Column("sort_time", Integer, nullable=False),  # published, else first seen: list order
    Column("first_seen", Integer, nullable=False),
    Column("content_seen", Integer, nullable=False),  # when the current version appeared
    Column("url", Text),
    Column("html", Text, nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    Column("summary_html", Text),  # the feed's summary when full text replaced the content
    Column("images", Text, nullable=False, default="[]"),  # JSON list of absolute URLs
    Column("thread_id", Integer, ForeignKey("threads.id", ondelete="SET NULL")),
    Column("thread_locked", Boolean, nullable=False, default=False),  # placed by the user
    Column("duplicate_of", Integer, ForeignKey("entries.id", ondelete="SET NULL")),
    Column("read", Boolean, nullable=False, default=False),
    Column("starred", Boolean, nullable=False, default=False),
    Column("pinned", Boolean, nullable=False, default=False),
    Column("withdrawn", Boolean, nullable=False, default=False),
    Column("missing_polls", Integer, nullable=False, default=0),
    Column("revisions", Integer, nullable=False, default=1),
)

revisions = Table(
    "revisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("entry_id", Integer, ForeignKey("entries.id", ondelete="CASCADE"), nullable=False),
    Column("seen_at", Integer, nullable=False),  # when this (older) version was first seen
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("html", Text, nullable=False),
)

threads = Table(
    "threads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("label", Text, nullable=False, default=""),
    Column("created", Integer, nullable=False),
    Column("last_activity", Integer, nullable=False),
    # The user split, merged or moved entries into or out of it: never merged automatically.
    Column("user_shaped", Boolean, nullable=False, default=False, server_default="0"),
)

# Where each merged-away thread id went (the threads row itself is deleted). Survivors are
# kept current: when a survivor is merged in turn, rows pointing at it are rewritten.
thread_merges = Table(
    "thread_merges",
    metadata,
    Column("gone_id", Integer, primary_key=True),
    Column("survivor_id", Integer, nullable=False),
    Column("merged_at", Integer, nullable=False),
    Column("by_user", Boolean, nullable=False),
)
Index("ix_thread_merges_survivor", thread_merges.c.survivor_id)

assets = Table(
    "assets",
    metadata,
    Column("sha256", Text, primary_key=True),
    Column("content_type", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("fetched_at", Integer, nullable=False),
)

entry_images = Table(
    "entry_images",
    metadata,
    Column("entry_id", Integer, ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
    Column("url", Text, primary_key=True),
    Column("sha256", Text, ForeignKey("assets.sha256", ondelete="SET NULL")),
    Column("status", Text, nullable=False, default="pending"),  # pending|cached|skipped|failed
    Column("error", Text),
)

highlights = Table(
    "highlights",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("entry_id", Integer, ForeignKey("entries.id", ondelete="CASCADE"), nullable=False),
    Column("quote", Text, nullable=False),
    Column("prefix", Text, nullable=False, default=""),
    Column("suffix", Text, nullable=False, default=""),
    Column("start", Integer, nullable=False),  # offset in the entry's plain text when made
    Column("color", Text, nullable=False, default="yellow"),
    Column("note", Text, nullable=False, default=""),
    Column("created", Integer, nullable=False),
)

saved_searches = Table(
    "saved_searches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("query", Text, nullable=False),
    Column("position", Integer, nullable=False, default=0),
)

settings = Table(
    "settings",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),  # JSON
)
