"""One exception tree for everything the core reports to its callers.

Environment failures (network, bad input, a locked or corrupt archive) are
`NewsdeskError` subclasses whose message a user can act on. Programming errors
are never wrapped into these.
"""

from __future__ import annotations

from datetime import datetime


class NewsdeskError(Exception):
    """Base of every error the core raises on purpose."""


class InvalidInput(NewsdeskError):
    """The caller asked for something that cannot be done (bad id, bad URL, bad query)."""


class UnsupportedURL(InvalidInput):
    """A URL that is not http(s), or that cannot be parsed."""


class NotFound(InvalidInput):
    """An id that names nothing in the archive."""


class InvalidQuery(InvalidInput):
    """A search query that cannot be understood; the message says why."""


class ArchiveError(NewsdeskError):
    """The archive cannot be opened or written (locked, read-only, full, corrupt)."""


class ArchiveTooNew(ArchiveError):
    """The archive was written by a newer Newsdesk than this one."""


class FetchError(NewsdeskError):
    """A request failed; the message is a readable reason."""


class HTTPStatusError(FetchError):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


class Gone(HTTPStatusError):
    """410: the publisher removed the resource; polling stops."""


class RateLimited(HTTPStatusError):
    """429 or 503 with a Retry-After; retry not before `retry_after`."""

    def __init__(self, status: int, reason: str, retry_after: datetime) -> None:
        super().__init__(status, reason)
        self.retry_after = retry_after


class ResponseTooLarge(FetchError):
    """The body (or its decoded size) passed the configured cap."""


class FetchTimeout(FetchError):
    """The server did not answer in time."""


class TooManyRedirects(FetchError):
    """A redirect loop, or a chain longer than allowed."""


class ParseError(NewsdeskError):
    """The bytes are neither a feed nor a live-blog page Newsdesk can read."""


class NotAFeed(ParseError):
    """An HTML page with neither feed links nor live-blog markup."""
