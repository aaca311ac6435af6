"""Publisher times into timezone-aware UTC datetimes.

Feeds and live blogs write times as ISO 8601 (`Z`, `+01:00`, `+0000`, fractions),
RFC 822 (RSS), epoch seconds or milliseconds, or naive local time. Everything here
returns aware UTC datetimes or None, and never raises on bad input: a garbled date
must not cost us the entry it belongs to.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import parsedate_tz

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
# parsedate_tz reports offset 0 both for a real UTC zone and for none at all (or an
# unknown name such as "BST"); only the former is UTC, the others are local time.
_RFC822_UTC_ZONE = re.compile(r"(?:\b(?:GMT|UTC|UT|Z)|[+-]0000)\s*\Z", re.IGNORECASE)


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
            parsed = _parse_rfc822(text)
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


def _parse_rfc822(text: str) -> datetime | None:
    fields = parsedate_tz(text)
    if fields is None:
        return None
    year, month, day, hour, minute, second = fields[:6]
    offset = fields[9]
    if not 1 <= year <= 9999:
        return None
    parsed = datetime(year, month, day, hour, minute, min(second, 59))
    if not offset and not _RFC822_UTC_ZONE.search(text):
        return parsed
    return parsed.replace(tzinfo=UTC) - timedelta(seconds=offset or 0)
