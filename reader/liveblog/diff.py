"""The pure decision step of a live-blog refresh: what is new, edited, withdrawn, restored.

Pages often carry only their newest updates, so absence is not deletion: an update is
withdrawn only when it is missing, twice in a row, from a page that should contain it
(its time is not older than the page's oldest update, or the page is known complete).
Nothing is ever deleted; an update that comes back is restored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from reader.liveblog._common import normalize_for_compare
from reader.types import ParsedEntry, ParsedPage

# Polls in a row an update must be missing from its window before it counts as withdrawn.
MISSING_POLLS_TO_WITHDRAW = 2


@dataclass(frozen=True)
class StoredUpdate:
    """What the archive holds about one update of a live blog."""

    key: str
    title: str
    text: str
    published: datetime | None
    withdrawn: bool
    missing_polls: int


@dataclass(frozen=True)
class PollWindow:
    """What a fetched page covered: its update keys and the time of its oldest update."""

    keys: frozenset[str]
    oldest: datetime | None
    complete: bool


@dataclass(frozen=True)
class UpdateDiff:
    """The outcome of one poll, for the store to apply in one transaction."""

    new: tuple[ParsedEntry, ...] = ()
    edited: tuple[ParsedEntry, ...] = ()  # title or text changed (normalized)
    withdrawn: tuple[str, ...] = ()  # keys
    restored: tuple[str, ...] = ()  # keys
    missing_polls: Mapping[str, int] = field(default_factory=dict)  # only changed counts

    @property
    def changed(self) -> bool:
        """True when the poll changed anything the user can see."""
        return bool(self.new or self.edited or self.withdrawn or self.restored)


def window_of(page: ParsedPage) -> PollWindow:
    """The window a page covers.

    The oldest time ignores pinned updates: an old pinned post at the top must not stretch
    the window over updates the page no longer carries. A page is never taken to be
    complete on its own say-so (a windowed page looks like any other); callers that know
    better may build a complete PollWindow themselves.
    """
    dated = [e.published for e in page.entries if e.published is not None and not e.pinned]
    if not dated:
        dated = [e.published for e in page.entries if e.published is not None]
    return PollWindow(
        keys=frozenset(e.key for e in page.entries),
        oldest=min(dated) if dated else None,
        complete=False,
    )


def _normalized(title: str, text: str) -> tuple[str, str]:
    return normalize_for_compare(title), normalize_for_compare(text)


def _should_be_in(update: StoredUpdate, window: PollWindow) -> bool:
    if window.complete:
        return True
    if update.published is None or window.oldest is None:
        return False
    return update.published >= window.oldest


def _absences(
    stored: Sequence[StoredUpdate], window: PollWindow
) -> tuple[list[str], list[str], dict[str, int]]:
    """(withdrawn, restored, changed missing counts) for one poll that saw `window`."""
    withdrawn: list[str] = []
    restored: list[str] = []
    counts: dict[str, int] = {}
    for update in stored:
        if update.key in window.keys:
            if update.withdrawn:
                restored.append(update.key)
            if update.missing_polls:
                counts[update.key] = 0
        elif not update.withdrawn and _should_be_in(update, window):
            missing = update.missing_polls + 1
            counts[update.key] = missing
            if missing >= MISSING_POLLS_TO_WITHDRAW:
                withdrawn.append(update.key)
    return withdrawn, restored, counts


def diff_updates(stored: Sequence[StoredUpdate], page: ParsedPage) -> UpdateDiff:
    """Compare a freshly extracted page with the archive's updates for the same blog."""
    by_key = {u.key: u for u in stored}
    new: list[ParsedEntry] = []
    edited: list[ParsedEntry] = []
    for entry in page.entries:
        old = by_key.get(entry.key)
        if old is None:
            new.append(entry)
        elif (old.title, old.text) != (entry.title, entry.text) and _normalized(
            old.title, old.text
        ) != _normalized(entry.title, entry.text):
            # Identical strings (the common, unchanged case) skip the normalizing.
            edited.append(entry)
    withdrawn, restored, counts = _absences(stored, window_of(page))
    return UpdateDiff(
        new=tuple(new),
        edited=tuple(edited),
        withdrawn=tuple(withdrawn),
        restored=tuple(restored),
        missing_polls=counts,
    )


def confirm_unchanged(stored: Sequence[StoredUpdate], window: PollWindow) -> UpdateDiff:
    """A poll that returned the last window again (304 or the same body).

    Nothing can be new or edited, but it still counts toward the "missing on two polls"
    rule for updates the last window should have held and did not.
    """
    withdrawn, restored, counts = _absences(stored, window)
    return UpdateDiff(withdrawn=tuple(withdrawn), restored=tuple(restored), missing_polls=counts)
