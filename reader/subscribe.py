"""Finding what to subscribe to at a URL: the feed itself, a live blog, or discovered feeds."""

from __future__ import annotations

from dataclasses import dataclass

from reader.discover import DiscoveredFeed, discover_feeds, looks_like_feed, looks_like_html
from reader.errors import NotAFeed as NotAFeedError
from reader.errors import ParseError
from reader.fetch import Fetcher, FetchResult, check_url
from reader.liveblog import extract_liveblog, looks_like_liveblog
from reader.parse import parse_document
from reader.types import ParsedPage, SourceKind


@dataclass(frozen=True)
class Discovery:
    """What a URL offers. `page` is set when the URL itself is a feed or a live blog."""

    kind: SourceKind
    url: str
    title: str
    candidates: tuple[DiscoveredFeed, ...]
    page: ParsedPage | None
    fetched: FetchResult


def discover(url: str, fetcher: Fetcher) -> Discovery:
    """Fetch `url` (never its canonical link) and say what could be subscribed there.

    A page with live-blog markup is a live blog even if it also names feeds. Raises
    UnsupportedURL for non-http(s) URLs, FetchError subclasses, and NotAFeed for a page
    with neither a feed nor a live blog.
    """
    url = check_url(url)
    result = fetcher.fetch(url)
    content, content_type = result.content, result.content_type
    if looks_like_feed(content, content_type):
        page = parse_document(content, url=result.url, content_type=content_type, kind="feed")
        return Discovery("feed", url, page.title, (), page, result)
    if looks_like_html(content, content_type) or not content_type:
        if looks_like_liveblog(content):
            page = extract_liveblog(content, url=result.url)
            return Discovery("liveblog", url, page.title, (), page, result)
        candidates = tuple(discover_feeds(content, result.url))
        if candidates:
            first = candidates[0]
            return Discovery("feed", first.url, first.title or "", candidates, None, result)
    # Maybe a feed served with a misleading content type.
    try:
        feed = parse_document(content, url=result.url, content_type=content_type, kind="feed")
    except ParseError:
        feed = None
    if feed is not None and feed.entries:
        return Discovery("feed", url, feed.title, (), feed, result)
    raise NotAFeedError(f"no feed or live blog found at {url}")
