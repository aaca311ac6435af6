"""Turning fetched bytes into a ParsedPage: feeds and live blogs behind one call.

Module-level functions only, so a process pool can run them (feedparser is pure Python:
two cores parse twice as fast).
"""

from __future__ import annotations

from reader.types import ParsedPage, SourceKind


def parse_document(content: bytes, *, url: str, content_type: str, kind: SourceKind) -> ParsedPage:
    """Parse a fetched document as the kind of source it belongs to."""
    if kind == "liveblog":
        from reader.liveblog import extract_liveblog

        return extract_liveblog(content, url=url)
    from reader.feeds import parse_feed

    return parse_feed(content, url=url, content_type=content_type)


def warm_up() -> None:
    """Import the parsers once in a worker process, before the first document arrives."""
    import reader.feeds  # noqa: F401
    import reader.liveblog  # noqa: F401
