"""The polling schedule: a minute while active, backing off to 15 minutes, stop when over."""

from __future__ import annotations

from reader.liveblog import next_poll_delay

HOUR = 3600.0


def test_active_blog_polls_every_base_interval() -> None:
    assert (
        next_poll_delay(is_live=True, seconds_since_last_change=30, consecutive_unchanged=0) == 60
    )
    assert (
        next_poll_delay(
            is_live=True, seconds_since_last_change=30, consecutive_unchanged=0, base=20
        )
        == 20
    )


def test_quiet_blog_backs_off_by_doubling_up_to_fifteen_minutes() -> None:
    delays = [
        next_poll_delay(is_live=True, seconds_since_last_change=HOUR, consecutive_unchanged=n)
        for n in range(0, 12)
    ]
    assert delays[:6] == [60, 60, 120, 240, 480, 900]
    assert all(d == 900 for d in delays[5:])
    assert delays == sorted(delays)  # never speeds up while nothing changes


def test_live_blog_never_stops() -> None:
    assert (
        next_poll_delay(
            is_live=True, seconds_since_last_change=48 * HOUR, consecutive_unchanged=500
        )
        == 900
    )


def test_ended_blog_stops_after_six_quiet_hours() -> None:
    assert (
        next_poll_delay(is_live=False, seconds_since_last_change=6 * HOUR, consecutive_unchanged=40)
        is None
    )
    late = next_poll_delay(is_live=False, seconds_since_last_change=HOUR, consecutive_unchanged=1)
    assert late is not None and 300 <= late <= 900
