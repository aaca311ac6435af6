"""When to poll a live blog again: often while it moves, less when quiet, never once over."""

from __future__ import annotations

# The longest wait between polls of a blog that may still change.
MAX_DELAY = 15 * 60.0
# A blog whose coverage ended is dropped after this long without a change.
STOP_AFTER_QUIET = 6 * 60 * 60.0
# Polls that find nothing new before the delay starts doubling (a short lull is normal).
_GRACE_POLLS = 1


def next_poll_delay(
    *,
    is_live: bool,
    seconds_since_last_change: float,
    consecutive_unchanged: int,
    base: float = 60.0,
) -> float | None:
    """Seconds until the next poll, or None to stop polling.

    `base` while the blog is changing; each further unchanged poll doubles the wait up to
    15 minutes; once coverage has ended and nothing changed for 6 hours, None.
    """
    if not is_live and seconds_since_last_change >= STOP_AFTER_QUIET:
        return None
    cap = max(MAX_DELAY, base)
    if is_live and seconds_since_last_change < 5 * base:
        return base
    steps = max(0, consecutive_unchanged - _GRACE_POLLS)
    delay = base * 2.0 ** min(steps, 32)
    if not is_live:
        # Ended but recently changed (late corrections): no need for minute-by-minute polls.
        delay = max(delay, 5 * base)
    return min(delay, cap)
