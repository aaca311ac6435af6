"""Publisher times in every shape the feeds and live blogs use, read as aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from reader.timeparse import format_utc, parse_datetime, to_utc

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-07-02T10:00:00Z", "2024-07-02T10:00:00Z"),
        ("2024-07-02T10:00:00+01:00", "2024-07-02T09:00:00Z"),
        ("2024-07-02T10:00:00+0100", "2024-07-02T09:00:00Z"),
        ("2024-07-02T10:00:00-05:30", "2024-07-02T15:30:00Z"),
        ("2024-07-02T10:00:00.987654321Z", "2024-07-02T10:00:00Z"),
        ("2024-07-02 10:00:00 +0100", "2024-07-02T09:00:00Z"),
        ("2024-07-02 10:00:00 UTC", "2024-07-02T10:00:00Z"),
        ("2024-07-02t10:00:00z", "2024-07-02T10:00:00Z"),
        ("20240702T100000Z", "2024-07-02T10:00:00Z"),
        ("2024-07-02T24:00:00Z", "2024-07-03T00:00:00Z"),
        ("Tue, 02 Jul 2024 10:00:00 GMT", "2024-07-02T10:00:00Z"),
        ("Tue, 02 Jul 2024 10:00:00 +0200", "2024-07-02T08:00:00Z"),
        ("Tue, 02 Jul 2024 10:00:00 -0000", "2024-07-02T10:00:00Z"),
        ("02 Jul 24 10:00:00 EDT", "2024-07-02T14:00:00Z"),
        ("1719914400", "2024-07-02T10:00:00Z"),
        ("1719914400000", "2024-07-02T10:00:00Z"),
        (1719914400, "2024-07-02T10:00:00Z"),
        (1719914400123, "2024-07-02T10:00:00Z"),
        (1719914400.75, "2024-07-02T10:00:00Z"),
    ],
)
def test_aware_and_epoch_times_become_utc(value: str | int | float, expected: str) -> None:
    parsed = parse_datetime(value)
    assert parsed is not None
    assert parsed.tzinfo is UTC
    assert format_utc(parsed) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("July 2, 2024 10:00 AM EDT", "2024-07-02T14:00:00Z"),
        ("2 July 2024 10.15 BST", "2024-07-02T09:15:00Z"),
        ("Tue Jul 02 2024 10:00:00 GMT+0100 (British Summer Time)", "2024-07-02T09:00:00Z"),
        ("Tuesday 2 July 2024 10.15pm CEST", "2024-07-02T20:15:00Z"),
        ("2nd July 2024, 9:05 am GMT", "2024-07-02T09:05:00Z"),
        ("Jul. 2, 2024 12:30 p.m. ET", "2024-07-02T16:30:00Z"),  # daylight saving: -4
        ("Jan. 2, 2024 12:30 p.m. ET", "2024-01-02T17:30:00Z"),  # standard time: -5
        ("2 July 2024 12:00 AEST", "2024-07-02T02:00:00Z"),
        ("2024/07/02 10:00 UTC", "2024-07-02T10:00:00Z"),
    ],
)
def test_prose_times_with_zone_words(value: str, expected: str) -> None:
    parsed = parse_datetime(value, default_tz=LONDON)
    assert parsed is not None and format_utc(parsed) == expected


def test_epoch_seconds_and_milliseconds_are_told_apart_by_magnitude() -> None:
    assert parse_datetime(1_719_914_400) == parse_datetime(1_719_914_400_000)
    millis = parse_datetime("1719914400123")
    assert millis is not None and millis.microsecond == 123_000


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-07-02T10:00:00", "2024-07-02T09:00:00Z"),  # summer: BST
        ("2024-01-02T10:00:00", "2024-01-02T10:00:00Z"),  # winter: GMT
        ("Tue, 02 Jul 2024 10:00:00", "2024-07-02T09:00:00Z"),  # RFC 822 without a zone
        ("Tue, 02 Jul 2024 10:00:00 BST", "2024-07-02T09:00:00Z"),  # a zone name we lack
        ("2024-07-02", "2024-07-01T23:00:00Z"),
    ],
)
def test_naive_times_are_read_in_the_default_zone(value: str, expected: str) -> None:
    parsed = parse_datetime(value, default_tz=LONDON)
    assert parsed is not None and format_utc(parsed) == expected


def test_naive_times_without_a_default_zone_are_utc() -> None:
    assert parse_datetime("2024-07-02T10:00:00") == datetime(2024, 7, 2, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "garbage",
        "yesterday",
        "2024-13-45T00:00:00Z",
        "Thu, 31 Feb 2024 10:00:00",
        "nan",
        "inf",
        float("nan"),
        float("inf"),
        True,
        "9" * 40,
        "x" * 500,
        "12 34",
    ],
)
def test_garbage_is_none_and_never_raises(value: object) -> None:
    assert parse_datetime(value) is None  # type: ignore[arg-type]


def test_format_utc_drops_fractions_instead_of_rounding() -> None:
    assert (
        format_utc(datetime(2024, 7, 2, 9, 59, 59, 999_999, tzinfo=UTC)) == "2024-07-02T09:59:59Z"
    )


def test_format_utc_converts_other_zones() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert format_utc(datetime(2024, 7, 2, 1, 30, tzinfo=plus_two)) == "2024-07-01T23:30:00Z"


def test_to_utc_keeps_the_instant_and_takes_naive_as_utc() -> None:
    aware = datetime(2024, 7, 2, 10, tzinfo=LONDON)
    assert to_utc(aware) == aware and to_utc(aware).tzinfo is UTC
    assert to_utc(datetime(2024, 7, 2, 10)) == datetime(2024, 7, 2, 10, tzinfo=UTC)
