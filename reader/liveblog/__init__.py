"""Live blogs: extracting updates from a page, diffing them against the archive, and
deciding when to poll again."""

from reader.liveblog.diff import (
    PollWindow,
    StoredUpdate,
    UpdateDiff,
    confirm_unchanged,
    diff_updates,
    window_of,
)
from reader.liveblog.extract import extract_liveblog, looks_like_liveblog
from reader.liveblog.schedule import next_poll_delay

__all__ = [
    "PollWindow",
    "StoredUpdate",
    "UpdateDiff",
    "confirm_unchanged",
    "diff_updates",
    "extract_liveblog",
    "looks_like_liveblog",
    "next_poll_delay",
    "window_of",
]
