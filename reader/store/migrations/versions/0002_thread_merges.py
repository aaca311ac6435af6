"""Where merged-away threads went, and which threads the user shaped.

`thread_merges` keeps one row per thread id that a merge (the threader's or the user's)
folded into another, so an id held by a script or a window still leads to its story.
`threads.user_shaped` marks threads the user split, merged or moved entries into or out
of: the threader never merges those on its own, also after a restart.

Plain DDL, like 0001, so it stays a frozen picture of this step.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STATEMENTS = (
    """CREATE TABLE thread_merges (
    gone_id INTEGER PRIMARY KEY,
    survivor_id INTEGER NOT NULL,
    merged_at INTEGER NOT NULL,
    by_user BOOLEAN NOT NULL
)""",
    # A later merge of a survivor rewrites the rows pointing at it (chains stay one step).
    "CREATE INDEX ix_thread_merges_survivor ON thread_merges (survivor_id)",
    # SQLite adds a NOT NULL column in place when it has a constant default: no table copy.
    "ALTER TABLE threads ADD COLUMN user_shaped BOOLEAN NOT NULL DEFAULT 0",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE thread_merges")
    op.execute("ALTER TABLE threads DROP COLUMN user_shaped")
