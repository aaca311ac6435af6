"""Small helpers: wall-clock dating across midnight, headlines from bodies, lenient JSON."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from reader.liveblog._common import headline_from_text, key_aliases, normalize_for_compare
from reader.liveblog._jsonld import loads_lenient
from reader.liveblog._times import clock_of, date_clock_times


def test_clock_of_reads_common_spellings() -> None:
    assert clock_of("14:05") == (14, 5)
    assert clock_of("Posted at 2.05pm") == (14, 5)
    assert clock_of("12:30 a.m. ET") == (0, 30)
    assert clock_of("09.15 BST") == (9, 15)
    assert clock_of("no time here") is None
    assert clock_of("2024") is None


def test_clock_times_cross_midnight_going_down_the_page() -> None:
    london = ZoneInfo("Europe/London")
    reference = datetime(2025, 6, 2, 0, 30, tzinfo=london)
    dated = date_clock_times([(0, 20), (23, 50), None, (23, 10)], reference, london)
    assert dated == [
        datetime(2025, 6, 2, 0, 20, tzinfo=london).astimezone(UTC),
        datetime(2025, 6, 1, 23, 50, tzinfo=london).astimezone(UTC),
        None,
        datetime(2025, 6, 1, 23, 10, tzinfo=london).astimezone(UTC),
    ]


def test_newest_clock_time_after_the_reference_is_yesterday() -> None:
    tz = timezone(timedelta(hours=1))
    reference = datetime(2025, 6, 2, 8, 0, tzinfo=tz)
    (dated,) = date_clock_times([(22, 0)], reference, tz)
    assert dated == datetime(2025, 6, 1, 21, 0, tzinfo=UTC)


def test_pinned_out_of_order_time_does_not_start_a_new_day() -> None:
    tz = UTC
    reference = datetime(2025, 6, 2, 16, 0, tzinfo=tz)
    dated = date_clock_times([(14, 28), (15, 2), (13, 0)], reference, tz)
    assert [d.day for d in dated if d] == [2, 2, 2]


def test_headline_from_text() -> None:
    assert headline_from_text("Short body.") == "Short body."
    words = "one two three four five six seven eight nine ten, eleven twelve"
    assert headline_from_text(words) == "one two three four five six seven eight nine ten\u2026"
    assert headline_from_text("   ") == ""


def test_key_aliases_and_normalization() -> None:
    assert key_aliases("post-7148") == {"post-7148", "7148"}
    assert key_aliases("751105") == {"751105"}
    assert normalize_for_compare("It\u2019s  \u201cfine\u201d\n") == 'It\'s "fine"'


def test_loads_lenient_survives_broken_json() -> None:
    assert loads_lenient('{"a": [1, 2,], /* c */ "b": "x//y",}') == [{"a": [1, 2], "b": "x//y"}]
    assert loads_lenient('<!-- {"a": 1} -->') == [{"a": 1}]
    assert loads_lenient('{"a": 1}{"b": 2}') == [{"a": 1}, {"b": 2}]
    assert loads_lenient("not json at all") == []
    assert loads_lenient('{"a": "unterminated') == []
