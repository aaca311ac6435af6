"""Time handling the shared timeparse module leaves to live blogs.

Visible live-blog markup often gives only a wall-clock time ("14:05") or a naive
ISO string; these helpers turn them into aware UTC datetimes.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

from reader.timeparse import parse_datetime

_OFFSET_AT_END = re.compile(r"(?:[zZ]|[+-]\d\d:?\d\d)\s*$")
_ISO_OFFSET = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?([+-])(\d\d):?(\d\d)")
_CLOCK = re.compile(r"(?<![\d:])([01]?\d|2[0-3])[:.h]([0-5]\d)\s*([ap]\.?m\.?)?(?![\d:])", re.I)
_NUMERIC = re.compile(r"^\d{9,13}(?:\.\d+)?$")


def has_offset(value: str) -> bool:
    """True when an ISO-like string names its own offset (Z, +01:00, +0000)."""
    return bool(_OFFSET_AT_END.search(value.strip()))


def to_datetime(value: str | int | float | None, default_tz: tzinfo | None) -> datetime | None:
    """Any machine time (ISO, epoch s or ms, numeric string) as aware UTC, else None."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if _NUMERIC.match(value):
            return parse_datetime(float(value))
    try:
        return parse_datetime(value, default_tz=default_tz)
    except (ValueError, OverflowError, TypeError):  # defensive: never let a bad time crash
        return None


def offset_from_text(text: str) -> tzinfo | None:
    """The first explicit UTC offset found in ISO timestamps in `text` (a page's own zone)."""
    match = _ISO_OFFSET.search(text)
    if not match:
        return None
    sign = -1 if match.group(1) == "-" else 1
    minutes = int(match.group(2)) * 60 + int(match.group(3))
    if minutes > 18 * 60:
        return None
    return timezone(sign * timedelta(minutes=minutes))


def clock_of(text: str) -> tuple[int, int] | None:
    """(hour, minute) of the first wall-clock time in a short label like "14:05" or "2.05pm"."""
    match = _CLOCK.search(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    meridiem = (match.group(3) or "").lower().replace(".", "")
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    return hour, minute


def date_clock_times(
    clocks: list[tuple[int, int] | None], reference: datetime, tz: tzinfo
) -> list[datetime | None]:
    """Give clock-only times (newest first, as pages list them) their dates.

    The newest is taken to be on the reference day (in `tz`), or the day before when it
    would lie in the future; walking down the list, a time more than 12 hours later than
    the one above it means the list crossed midnight, so the day steps back (a smaller
    jump is a pinned or out-of-order post, not a new day).
    """
    local_ref = reference.astimezone(tz)
    day: date = local_ref.date()
    previous: datetime | None = None
    out: list[datetime | None] = []
    for clock in clocks:
        if clock is None:
            out.append(None)
            continue
        candidate = datetime(day.year, day.month, day.day, clock[0], clock[1], tzinfo=tz)
        if previous is None:
            if candidate > local_ref + timedelta(minutes=5):
                candidate -= timedelta(days=1)
        else:
            while candidate > previous + timedelta(hours=12):
                candidate -= timedelta(days=1)
        day = candidate.date()
        previous = candidate
        out.append(candidate.astimezone(UTC))
    return out
