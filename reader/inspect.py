"""`newsdesk parse`: what would be extracted from a URL or a saved file, storing nothing."""

from __future__ import annotations

import gzip
from pathlib import Path
from urllib.parse import urlsplit

from reader.discover import discover_feeds, looks_like_feed
from reader.errors import InvalidInput, NotAFeed, UnsupportedURL
from reader.fetch import Fetcher
from reader.liveblog import looks_like_liveblog
from reader.parse import parse_document
from reader.subscribe import discover
from reader.types import ParsedPage

MAX_FILE_BYTES = 64 * 1024**2


def parse_target(target: str, *, base_url: str | None = None) -> ParsedPage:
    """Parse a URL (fetched once, following discovery to the first feed) or a saved file."""
    scheme = urlsplit(target).scheme.lower()
    if scheme in ("http", "https"):
        with Fetcher() as fetcher:
            found = discover(target, fetcher)
            if found.page is not None:
                return found.page
            result = fetcher.fetch(found.url)
            return parse_document(
                result.content, url=result.url, content_type=result.content_type, kind="feed"
            )
    if len(scheme) > 1:  # a drive letter is not a scheme
        raise UnsupportedURL(
            f"only http and https URLs or local files can be parsed, not {scheme}:"
        )
    return parse_file(Path(target), base_url=base_url)


def parse_file(path: Path, *, base_url: str | None = None) -> ParsedPage:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InvalidInput(f"{path} is too large to parse ({size} bytes)")
        content = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"no such file: {path}") from None
    except OSError as error:
        raise InvalidInput(f"cannot read {path}: {error.strerror}") from error
    if content[:2] == b"\x1f\x8b":
        content = gzip.decompress(content)[:MAX_FILE_BYTES]
    url = base_url or path.resolve().as_uri()
    if looks_like_feed(content, ""):
        return parse_document(content, url=url, content_type="", kind="feed")
    if looks_like_liveblog(content):
        return parse_document(content, url=url, content_type="text/html", kind="liveblog")
    feeds = discover_feeds(content, url)
    if feeds:
        names = ", ".join(feed.url for feed in feeds[:3])
        raise NotAFeed(f"{path} is a web page that links to feeds ({names}); parse one of those")
    return parse_document(content, url=url, content_type="", kind="feed")
