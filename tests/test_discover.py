"""Feed discovery from pages, and telling feeds from pages by their bytes."""

from __future__ import annotations

import json

import pytest

from reader.discover import DiscoveredFeed, discover_feeds, looks_like_feed, looks_like_html

PAGE = b"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Example News</title>
<link rel="stylesheet" href="/site.css">
<link rel="alternate stylesheet" type="application/rss+xml" href="/not-a-feed">
<link rel="alternate" type="application/rss+xml" title="  World\n news " href="/world/rss">
<link rel="ALTERNATE" type="application/atom+xml; charset=utf-8" href="atom.xml">
<link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/7">
<link rel="alternate" type="application/feed+json" title="JSON" href="feed.json">
<link rel="alternate" type="application/rss+xml" href="https://example.com/world/rss">
<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<link rel="feed" href="/everything">
<link rel="alternate" type="application/rss+xml" href="feed://example.com/podcast.xml">
</head><body><p>News</p></body></html>"""


def test_feeds_in_document_order_resolved_and_deduplicated() -> None:
    found = discover_feeds(PAGE, "https://example.com/section/index.html")
    assert found == [
        DiscoveredFeed("https://example.com/world/rss", "World news", "rss"),
        DiscoveredFeed("https://example.com/section/atom.xml", "", "atom"),
        DiscoveredFeed("https://example.com/section/feed.json", "JSON", "json"),
        DiscoveredFeed("https://example.com/everything", "", "rss"),
        DiscoveredFeed("http://example.com/podcast.xml", "", "rss"),
    ]


def test_str_input_gives_the_same_answer() -> None:
    base = "https://example.com/section/index.html"
    assert discover_feeds(PAGE.decode(), base) == discover_feeds(PAGE, base)


def test_base_href_is_respected() -> None:
    page = (
        b'<html><head><base href="/blog/"><link rel="alternate" type="application/atom+xml"'
        b' href="feed.atom"></head><body></body></html>'
    )
    assert discover_feeds(page, "https://example.org/a/b/c") == [
        DiscoveredFeed("https://example.org/blog/feed.atom", "", "atom")
    ]


def test_json_alternate_links_need_to_look_like_feeds() -> None:
    page = (
        '<html><head><link rel="alternate" type="application/json" href="/api/posts/1">'
        '<link rel="alternate" type="application/json" title="JSON Feed" href="/j">'
        "</head></html>"
    )
    assert discover_feeds(page, "https://example.org/") == [
        DiscoveredFeed("https://example.org/j", "JSON Feed", "json")
    ]


@pytest.mark.parametrize("page", [b"", "   ", "<p>no head at all", b"\x00\xff\xfe garbage"])
def test_pages_without_feeds_give_nothing(page: bytes | str) -> None:
    assert discover_feeds(page, "https://example.org/") == []


def test_page_encodings_are_read() -> None:
    page = (
        '<html><head><meta charset="windows-1252"><link rel="alternate" '
        'type="application/rss+xml" title="Caf\u00e9" href="/rss"></head></html>'
    ).encode("windows-1252")
    (feed,) = discover_feeds(page, "https://example.org/")
    assert feed.title == "Caf\u00e9"


RSS = b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel></channel></rss>'
ATOM = b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- generator --><feed xmlns="http://www.w3.org/2005/Atom"/>'
RDF = b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
RSS_DOCTYPE = b'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss version="0.91"/>'
JSON_FEED = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": []}).encode()
JSON_FEED_LATE_VERSION = json.dumps(
    {"items": [], "version": "https://jsonfeed.org/version/1"}
).encode()
HTML = b"<!DOCTYPE html>\n<html><head><title>x</title></head></html>"
XHTML = b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>'
COMMENTED_HTML = b"<!-- served by x -->\n<html><body></body></html>"
JSON_API = b'{"posts": []}'
UTF16_RSS = '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"/>'.encode("utf-16")


@pytest.mark.parametrize(
    ("content", "content_type", "feed", "html"),
    [
        (RSS, "application/rss+xml", True, False),
        (RSS, "text/html", True, False),  # servers lie; the bytes decide
        (ATOM, "", True, False),
        (RDF, "application/xml", True, False),
        (RSS_DOCTYPE, "text/xml", True, False),
        (JSON_FEED, "application/feed+json", True, False),
        (JSON_FEED_LATE_VERSION, "application/json", True, False),
        (UTF16_RSS, "", True, False),
        (HTML, "text/html", False, True),
        (HTML, "", False, True),
        (XHTML, "application/xhtml+xml", False, True),
        (COMMENTED_HTML, "text/html", False, True),
        (b"\n  <p>fragment</p>", "text/html; charset=utf-8", False, True),
        (JSON_API, "application/json", False, False),
        (b"plain words", "text/plain", False, False),
        (b"", "", False, False),
    ],
)
def test_sniffing(content: bytes, content_type: str, feed: bool, html: bool) -> None:
    assert looks_like_feed(content, content_type) is feed
    assert looks_like_html(content, content_type) is html
