"""The first archive schema: sources, entries, revisions, threads, assets, search index.

Written as plain DDL so that it stays a frozen picture of version 1, whatever
`reader/store/schema.py` becomes later.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = """
CREATE TABLE folders (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    parent_id INTEGER REFERENCES folders (id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    user_title TEXT,
    site_url TEXT,
    folder_id INTEGER REFERENCES folders (id) ON DELETE SET NULL,
    position INTEGER NOT NULL DEFAULT 0,
    added_at INTEGER NOT NULL,
    removed_at INTEGER,
    etag TEXT,
    last_modified TEXT,
    body_hash TEXT,
    last_refreshed INTEGER,
    last_error TEXT,
    gone BOOLEAN NOT NULL DEFAULT 0,
    retry_after INTEGER,
    redirect_url TEXT,
    is_live BOOLEAN NOT NULL DEFAULT 0,
    standfirst TEXT NOT NULL DEFAULT '',
    summary_html TEXT NOT NULL DEFAULT '',
    poll_window TEXT,
    last_change INTEGER,
    unchanged_polls INTEGER NOT NULL DEFAULT 0,
    next_poll INTEGER,
    notify BOOLEAN NOT NULL DEFAULT 1,
    cache_images BOOLEAN NOT NULL DEFAULT 1,
    full_text BOOLEAN NOT NULL DEFAULT 0,
    retention TEXT
);
CREATE TABLE threads (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL DEFAULT '',
    created INTEGER NOT NULL,
    last_activity INTEGER NOT NULL
);
CREATE TABLE entries (
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    "key" TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    authors TEXT NOT NULL DEFAULT '[]',
    published INTEGER,
    updated INTEGER,
    sort_time INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    content_seen INTEGER NOT NULL,
    url TEXT,
    html TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL DEFAULT '',
    summary_html TEXT,
    images TEXT NOT NULL DEFAULT '[]',
    thread_id INTEGER REFERENCES threads (id) ON DELETE SET NULL,
    thread_locked BOOLEAN NOT NULL DEFAULT 0,
    duplicate_of INTEGER REFERENCES entries (id) ON DELETE SET NULL,
    read BOOLEAN NOT NULL DEFAULT 0,
    starred BOOLEAN NOT NULL DEFAULT 0,
    pinned BOOLEAN NOT NULL DEFAULT 0,
    withdrawn BOOLEAN NOT NULL DEFAULT 0,
    missing_polls INTEGER NOT NULL DEFAULT 0,
    revisions INTEGER NOT NULL DEFAULT 1,
    UNIQUE (source_id, "key")
);
CREATE INDEX ix_entries_sort ON entries (sort_time DESC, id DESC);
CREATE INDEX ix_entries_source_sort ON entries (source_id, sort_time DESC, id DESC);
CREATE INDEX ix_entries_thread ON entries (thread_id, sort_time DESC);
CREATE INDEX ix_entries_unread ON entries (source_id) WHERE read = 0;
CREATE INDEX ix_entries_starred ON entries (id) WHERE starred = 1;
CREATE INDEX ix_entries_duplicate ON entries (duplicate_of) WHERE duplicate_of IS NOT NULL;
CREATE TABLE revisions (
    id INTEGER PRIMARY KEY,
    entry_id INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    seen_at INTEGER NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    html TEXT NOT NULL
);
CREATE INDEX ix_revisions_entry ON revisions (entry_id, seen_at);
CREATE TABLE assets (
    sha256 TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    fetched_at INTEGER NOT NULL
);
CREATE TABLE entry_images (
    entry_id INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    sha256 TEXT REFERENCES assets (sha256) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    error TEXT,
    PRIMARY KEY (entry_id, url)
);
CREATE INDEX ix_entry_images_sha ON entry_images (sha256);
CREATE INDEX ix_entry_images_url ON entry_images (url);
CREATE TABLE highlights (
    id INTEGER PRIMARY KEY,
    entry_id INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
    quote TEXT NOT NULL,
    prefix TEXT NOT NULL DEFAULT '',
    suffix TEXT NOT NULL DEFAULT '',
    start INTEGER NOT NULL,
    color TEXT NOT NULL DEFAULT 'yellow',
    note TEXT NOT NULL DEFAULT '',
    created INTEGER NOT NULL
);
CREATE INDEX ix_highlights_entry ON highlights (entry_id);
CREATE TABLE saved_searches (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    "query" TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE settings (
    "key" TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

# The search index reads its content from a view (entries joined to their source's
# name), so the text is stored once. Triggers keep it in sync. Entries must be deleted
# before their source (the archive does so): the delete trigger needs the source's name.
SEARCH_INDEX = """
CREATE VIEW entries_search_content AS
    SELECT e.id AS id, e.title AS title, e.text AS text, e.authors AS authors,
           COALESCE(s.user_title, s.title) AS source
    FROM entries e JOIN sources s ON s.id = e.source_id;
CREATE VIRTUAL TABLE entries_fts USING fts5(
    title, text, authors, source,
    content='entries_search_content', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN
    INSERT INTO entries_fts (rowid, title, text, authors, source)
    VALUES (new.id, new.title, new.text, new.authors,
            (SELECT COALESCE(user_title, title) FROM sources WHERE id = new.source_id));
END;
CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, text, authors, source)
    VALUES ('delete', old.id, old.title, old.text, old.authors,
            (SELECT COALESCE(user_title, title) FROM sources WHERE id = old.source_id));
END;
CREATE TRIGGER entries_fts_update AFTER UPDATE OF title, text, authors ON entries
WHEN old.title IS NOT new.title OR old.text IS NOT new.text OR old.authors IS NOT new.authors
BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, text, authors, source)
    VALUES ('delete', old.id, old.title, old.text, old.authors,
            (SELECT COALESCE(user_title, title) FROM sources WHERE id = old.source_id));
    INSERT INTO entries_fts (rowid, title, text, authors, source)
    VALUES (new.id, new.title, new.text, new.authors,
            (SELECT COALESCE(user_title, title) FROM sources WHERE id = new.source_id));
END;
CREATE TRIGGER sources_fts_rename AFTER UPDATE OF title, user_title ON sources
WHEN COALESCE(old.user_title, old.title) IS NOT COALESCE(new.user_title, new.title)
BEGIN
    INSERT INTO entries_fts (entries_fts, rowid, title, text, authors, source)
    SELECT 'delete', e.id, e.title, e.text, e.authors, COALESCE(old.user_title, old.title)
    FROM entries e WHERE e.source_id = old.id;
    INSERT INTO entries_fts (rowid, title, text, authors, source)
    SELECT e.id, e.title, e.text, e.authors, COALESCE(new.user_title, new.title)
    FROM entries e WHERE e.source_id = new.id;
END;
"""


def _run_script(script: str) -> None:
    # Statements end with ';' at a line end; trigger bodies end with 'END;'.
    statement: list[str] = []
    for line in script.strip().splitlines():
        statement.append(line)
        stripped = line.strip()
        in_trigger = statement[0].lstrip().upper().startswith("CREATE TRIGGER")
        if stripped.endswith(";") and (not in_trigger or stripped.upper() == "END;"):
            op.execute("\n".join(statement))
            statement = []


def upgrade() -> None:
    _run_script(TABLES)
    _run_script(SEARCH_INDEX)


def downgrade() -> None:
    raise NotImplementedError("the first schema has nothing to go back to")
