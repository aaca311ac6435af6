"""Publisher times into timezone-aware UTC datetimes.

Feeds and live blogs write times as ISO 8601 (`Z`, `+01:00`, `+0000`, fractions),
RFC 822 (RSS), epoch seconds or milliseconds, or naive local time. Everything here
returns aware UTC datetimes or None, and never raises on bad input: a garbled date
must not cost us the entry it belongs to.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

__all__ = ["format_utc", "parse_datetime", "to_utc"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Epoch values above this many seconds (about year 5138) are milliseconds; above the
# next bound (year 5138 in ms) microseconds. No real publication date is that far out.
_MAX_EPOCH_SECONDS = 1e11
_MAX_EPOCH_MILLIS = 1e14

_NUMERIC = re.compile(r"[+-]?\d+(?:\.\d*)?\Z")
# ISO 8601 with a space or lower-case separator and other near misses we tidy up
# before handing the string to datetime.fromisoformat.
_ISO_HINT = re.compile(r"\d{4}-?\d{2}-?\d{2}")
_ISO_TIDY_OFFSET = re.compile(r"\s*(?:([+-]\d{2}):?(\d{2})?|([zZ])|\s*(?:UTC|GMT))\Z")
_ISO_FRACTION = re.compile(r"([.,]\d{6})\d+")


def to_utc(dt: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is taken to be UTC already."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def format_utc(dt: datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SSZ` in UTC; fractions of a second are dropped, not rounded."""
    u = to_utc(dt)
    return f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}Z"


def parse_datetime(
    value: str | int | float | None, *, default_tz: tzinfo | None = None
) -> datetime | None:
    """Read a publisher's time; naive times are in `default_tz` (else UTC).

    Accepts ISO 8601, RFC 822, and epoch seconds or milliseconds (numbers or numeric
    strings, told apart by magnitude). Returns an aware UTC datetime, or None for
    anything that is not a recognisable time.
    """
    try:
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            return _from_epoch(float(value))
        if not isinstance(value, str):
            return None
        text = value.strip()
        if not text or len(text) > 100:
            return None
        if _NUMERIC.match(text):
            return _from_epoch(float(text))
        parsed = _parse_iso(text)
        if parsed is None:
            parsed = _parse_textual(text)
        if parsed is None:
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=default_tz or UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError, OSError, TypeError, ArithmeticError):
        return None


def _from_epoch(seconds: float) -> datetime | None:
    if not math.isfinite(seconds):
        return None
    magnitude = abs(seconds)
    if magnitude >= _MAX_EPOCH_MILLIS:
        seconds /= 1_000_000
    elif magnitude >= _MAX_EPOCH_SECONDS:
        seconds /= 1000
    # timedelta arithmetic avoids the platform limits of fromtimestamp (Windows, year 2038).
    return _EPOCH + timedelta(seconds=seconds)


def _parse_iso(text: str) -> datetime | None:
    if not _ISO_HINT.match(text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    # Common deviations: "2024-03-01 10:00:00 +0100", "... UTC", lower-case "t"/"z",
    # nanosecond fractions, "24:00".
    tidy = text.replace("t", "T", 1) if "t" in text[8:12] else text
    tidy = _ISO_FRACTION.sub(r"\1", tidy)
    match = _ISO_TIDY_OFFSET.search(tidy)
    if match:
        head = tidy[: match.start()]
        if match.group(1):
            tidy = f"{head}{match.group(1)}:{match.group(2) or '00'}"
        else:
            tidy = f"{head}+00:00"
    rollover = False
    if "T24:00" in tidy or " 24:00" in tidy:
        tidy = tidy.replace("T24:00", "T00:00").replace(" 24:00", " 00:00")
        rollover = True
    try:
        parsed = datetime.fromisoformat(tidy)
    except ValueError:
        return None
    return parsed + timedelta(days=1) if rollover else parsed


def _parse_textual(text: str) -> datetime | None:
    """RFC 822 and the prose forms pages print: "July 2, 2024 10:00 AM EDT",
    "2 July 2024 10.15 BST", "Tue Jul 02 2024 10:00:00 GMT+0100 (British Summer Time)".

    The zone is read here too (offsets and common abbreviations); with none, or one we
    do not know, the time is local. email.utils is not used: it reads a zone it does not
    know as UTC and accepts shapes it then misreads.
    """
    date = _find_date(text)
    if date is None:
        return None
    year, month, day, date_end = date
    hour = minute = second = 0
    rest = text[date_end:]
    clock = _CLOCK.search(rest) or _CLOCK.search(text[:date_end])
    if clock is not None:
        hour, minute = int(clock.group(1)), int(clock.group(2))
        second = min(int(clock.group(3) or 0), 59)
        meridiem = (clock.group(4) or "").lower()
        if meridiem and not 1 <= hour <= 12:
            return None
        if meridiem == "p" and hour != 12:
            hour += 12
        elif meridiem == "a" and hour == 12:
            hour = 0
        if clock.string is rest:
            rest = rest[clock.end() :]
    parsed = datetime(year, month, day, hour, minute, second)
    zone = _find_zone(rest)
    return parsed if zone is None else parsed.replace(tzinfo=zone)


def _find_date(text: str) -> tuple[int, int, int, int] | None:
    """(year, month, day, end of the date in text) from a date written with a month name."""
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy")):
        for match in pattern.finditer(text):
            fields = dict(zip(order, match.groups(), strict=True))
            month = _MONTHS.get(fields["m"][:3].lower())
            if month is None:
                continue
            year = int(fields["y"])
            if len(fields["y"]) == 2:
                year += 2000 if year < 50 else 1900  # RFC 2822, 4.3
            return year, month, int(fields["d"]), match.end()
    numeric = _YEAR_MONTH_DAY.search(text)
    if numeric is not None:
        return int(numeric.group(1)), int(numeric.group(2)), int(numeric.group(3)), numeric.end()
    return None


def _find_zone(rest: str) -> tzinfo | None:
    offset = _ZONE_OFFSET.search(rest)
    if offset is not None:
        sign = -1 if offset.group(1) in "-\u2212" else 1
        hours, minutes = int(offset.group(2)), int(offset.group(3) or 0)
        if hours > 14 or minutes > 59:
            return None
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    for word in _ZONE_WORD.findall(rest):
        word = word.upper()
        zone_hours = _ZONE_HOURS.get(word)
        if zone_hours is not None:
            return timezone(timedelta(hours=zone_hours))
        if word in _REGION_ZONES:
            # "ET" and the like follow daylight saving; the date decides the offset.
            return ZoneInfo(_REGION_ZONES[word])
    return None


_MONTHS = {
    name: number
    for number, name in enumerate(
        "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1
    )
}
_DAY_MONTH_YEAR = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?[\s-]+(?:of\s+)?([A-Za-z]{3,9})\.?,?[\s-]+(\d{4}|\d{2})\b"
)
_MONTH_DAY_YEAR = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_YEAR_MONTH_DAY = re.compile(r"\b(\d{4})[/.](\d{1,2})[/.](\d{1,2})\b")
_CLOCK = re.compile(
    r"\b(\d{1,2})[:.](\d{2})(?::(\d{2}))?(?:\.\d+)?(?:\s*([ap])\.?m\.?(?![a-z]))?", re.IGNORECASE
)
_ZONE_OFFSET = re.compile(r"(?:\b(?:GMT|UTC|UT)\s*)?([+\-\u2212])(\d{1,2}):?(\d{2})?\b")
_ZONE_WORD = re.compile(r"\b([A-Za-z]{1,5})\b")
# Abbreviations news sites print, with their offsets in hours. Ambiguous ones (IST:
# India or Ireland, CST: China or Central US is kept as the US one) are left out or
# resolved the way English-language news uses them.
_ZONE_HOURS: dict[str, float] = {
    "Z": 0, "UT": 0, "UTC": 0, "GMT": 0, "WET": 0, "BST": 1, "WEST": 1, "CET": 1, "WAT": 1,
    "CEST": 2, "EET": 2, "SAST": 2, "CAT": 2, "EEST": 3, "MSK": 3, "EAT": 3, "GST": 4,
    "PKT": 5, "HKT": 8, "SGT": 8, "AWST": 8, "JST": 9, "KST": 9, "ACST": 9.5,
    "AEST": 10, "ACDT": 10.5, "AEDT": 11, "NZST": 12, "NZDT": 13, "HST": -10, "AKST": -9,
    "AKDT": -8, "PST": -8, "PDT": -7, "MST": -7, "MDT": -6, "CST": -6, "CDT": -5,
    "EST": -5, "EDT": -4, "AST": -4, "ADT": -3, "NST": -3.5, "NDT": -2.5,
}  # fmt: skip
_REGION_ZONES = {
    "ET": "America/New_York",
    "CT": "America/Chicago",
    "MT": "America/Denver",
    "PT": "America/Los_Angeles",
}
