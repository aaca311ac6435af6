"""Compact rows the list models hold: only what a list shows, never the article body."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from PySide6.QtCore import QDateTime, QLocale, Qt

from reader.types import Entry

# Roles shared by the entry models and their delegate.
ENTRY_ID_ROLE = Qt.ItemDataRole.UserRole + 1
READ_ROLE = Qt.ItemDataRole.UserRole + 2
STARRED_ROLE = Qt.ItemDataRole.UserRole + 3
WITHDRAWN_ROLE = Qt.ItemDataRole.UserRole + 4
IS_THREAD_ROLE = Qt.ItemDataRole.UserRole + 5
THREAD_ID_ROLE = Qt.ItemDataRole.UserRole + 6
UNREAD_COUNT_ROLE = Qt.ItemDataRole.UserRole + 7
KIND_ROLE = Qt.ItemDataRole.UserRole + 8

COLUMNS = ("Title", "Source", "Time")
TITLE_COLUMN, SOURCE_COLUMN, TIME_COLUMN = 0, 1, 2


@dataclass(slots=True)
class EntryRow:
    id: int
    source_id: int
    title: str
    source_title: str
    published: datetime | None
    sort_time: int
    read: bool
    starred: bool
    withdrawn: bool
    pinned: bool
    kind: str
    thread_id: int | None
    url: str | None

    @classmethod
    def from_entry(cls, entry: Entry, sort_time: int | None = None) -> EntryRow:
        published = entry.published
        if sort_time is None:
            sort_time = int(published.timestamp()) if published is not None else 0
        return cls(
            id=int(entry.id),
            source_id=int(entry.source_id),
            title=entry.title.strip() or _untitled(entry),
            source_title=entry.source_title,
            published=published,
            sort_time=sort_time,
            read=entry.read,
            starred=entry.starred,
            withdrawn=entry.withdrawn,
            pinned=entry.pinned,
            kind=entry.kind,
            thread_id=None if entry.thread_id is None else int(entry.thread_id),
            url=entry.url,
        )

    def with_flags(self, *, read: bool | None = None, starred: bool | None = None) -> EntryRow:
        return replace(
            self,
            read=self.read if read is None else read,
            starred=self.starred if starred is None else starred,
        )


def _untitled(entry: Entry) -> str:
    words = entry.text.split()
    if words:
        head = " ".join(words[:12])
        return head + ("…" if len(words) > 12 else "")
    return "(untitled)"


_locale = QLocale()


def local_time_text(moment: datetime | None, *, now: datetime | None = None) -> str:
    """A short local time: "14:05" today, "Tue 14:05" this week, else a short date."""
    if moment is None:
        return ""
    local = QDateTime.fromSecsSinceEpoch(int(moment.timestamp())).toLocalTime()
    today = (
        QDateTime.currentDateTime().date()
        if now is None
        else QDateTime.fromSecsSinceEpoch(int(now.timestamp())).toLocalTime().date()
    )
    date = local.date()
    if date == today:
        return local.toString("HH:mm")
    if 0 < date.daysTo(today) < 7:
        return _locale.toString(local, "ddd HH:mm")
    if date.year() == today.year():
        return _locale.toString(local, "d MMM HH:mm")
    return _locale.toString(local, "d MMM yyyy")


def full_local_time_text(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = QDateTime.fromSecsSinceEpoch(int(moment.timestamp())).toLocalTime()
    return _locale.toString(local, "dddd d MMMM yyyy, HH:mm")
