"""Find a site's feeds, and tell feeds from web pages by their bytes.

`add URL` fetches what the user pasted: if it is a feed it is subscribed; if it is a
page, the feeds it names in `<link rel="alternate">` (or `rel="feed"`) are the
candidates. Content-Type headers lie often enough that the bytes decide.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.etree
import lxml.html

__all__ = ["DiscoveredFeed", "discover_feeds", "looks_like_feed", "looks_like_html"]

_FEED_TYPES = {
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    "application/rdf+xml": "rss",
    "application/feed+json": "json",
    "application/json": "json",
    "text/xml": "rss",
    "application/xml": "rss",
}
# Types that are only taken for a feed when the link itself says so: WordPress, for
# one, links its REST API as rel="alternate" type="application/json".
_AMBIGUOUS_TYPES = {"application/json", "text/xml", "application/xml"}
_FEEDISH = re.compile(r"feed|rss|atom", re.IGNORECASE)

_SNIFF_BYTES = 4096
# What may precede the root element of an XML document: declaration, comments,
# processing instructions, a DOCTYPE (without an internal subset containing ">").
_XML_PROLOG = re.compile(
    r"\A(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*", re.DOTALL | re.IGNORECASE
)
_ROOT_NAME = re.compile(r"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_FEED_ROOTS = {"rss", "feed", "rdf"}
_HTML_ROOTS = {"html", "head", "body"}
_JSON_FEED_VERSION = re.compile(r'"version"\s*:\s*"https?://jsonfeed\.org/version/', re.IGNORECASE)
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class DiscoveredFeed:
    """A feed a page links to: absolute URL, the link's title, and rss | atom | json."""

    url: str
    title: str
    type: str


def discover_feeds(html: bytes | str, base_url: str) -> list[DiscoveredFeed]:
    """Feeds named by the page's `<link>` elements, absolute, deduplicated, in page order.

    Relative URLs resolve against the page's `<base href>` if it has one, else against
    `base_url` (the address the page was fetched from).
    """
    root = _parse_html(html)
    if root is None:
        return []
    base = base_url
    for base_href in root.iterfind(".//base[@href]"):
        base = urljoin(base_url, (base_href.get("href") or "").strip())
        break

    found: dict[str, DiscoveredFeed] = {}
    for link in root.iterfind(".//link[@href]"):
        feed = _feed_from_link(link, base)
        if feed is not None and feed.url not in found:
            found[feed.url] = feed
    return list(found.values())


def looks_like_feed(content: bytes, content_type: str) -> bool:
    """True when the bytes are an RSS, Atom or RDF document, or a JSON Feed."""
    head = _sniff_text(content)
    stripped = head.lstrip()
    if stripped.startswith("{"):
        return _is_json_feed(content, head)
    root = _xml_root_name(head)
    return root in _FEED_ROOTS


def looks_like_html(content: bytes, content_type: str) -> bool:
    """True when the bytes are a web page (whatever the server called them), not a feed."""
    head = _sniff_text(content)
    if head.lstrip().startswith("{"):
        return False
    root = _xml_root_name(head)
    if root in _FEED_ROOTS:
        return False
    if root in _HTML_ROOTS:
        return True
    mime = content_type.split(";", 1)[0].strip().lower()
    # Pages that open with text or an unusual tag before <html> are still pages when
    # the server says so, and they nearly always contain an <html> or <body> somewhere.
    return mime in _HTML_TYPES or bool(re.search(r"<(?:html|body)\b", head, re.IGNORECASE))


def _feed_from_link(link: lxml.html.HtmlElement, base: str) -> DiscoveredFeed | None:
    rel_tokens = {token.lower() for token in (link.get("rel") or "").split()}
    if "stylesheet" in rel_tokens or not rel_tokens & {"alternate", "feed"}:
        return None
    mime = (link.get("type") or "").split(";", 1)[0].strip().lower()
    href = (link.get("href") or "").strip()
    title = " ".join((link.get("title") or "").split())
    if not href:
        return None
    if mime:
        kind = _FEED_TYPES.get(mime)
        if kind is None:
            return None
        if mime in _AMBIGUOUS_TYPES and not (_FEEDISH.search(href) or _FEEDISH.search(title)):
            return None
    elif "feed" in rel_tokens:
        kind = "json" if href.lower().endswith(".json") else "rss"
    else:
        return None
    url = _absolute_feed_url(href, base)
    if url is None:
        return None
    return DiscoveredFeed(url=url, title=title, type=kind)


def _absolute_feed_url(href: str, base: str) -> str | None:
    # "feed:" is an old pseudo-scheme wrapping the real URL ("feed:https://...",
    # "feed://host/path" meaning http).
    lowered = href.lower()
    if lowered.startswith("feed://"):
        href = "http://" + href[7:]
    elif lowered.startswith("feed:"):
        href = href[5:]
    try:
        url = urljoin(base, href)
    except ValueError:
        return None
    return url if url.lower().startswith(("http://", "https://")) else None


def _parse_html(html: bytes | str) -> lxml.html.HtmlElement | None:
    if isinstance(html, str):
        # lxml refuses str input that carries its own encoding declaration.
        html = html.encode("utf-8")
        parser = lxml.html.HTMLParser(encoding="utf-8")
    else:
        parser = lxml.html.HTMLParser()
    if not html.strip():
        return None
    try:
        root = lxml.html.document_fromstring(html, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None
    return root


def _sniff_text(content: bytes) -> str:
    head = content[:_SNIFF_BYTES]
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, "replace")
    if head[:2] in (b"<\x00", b"\x00<"):  # UTF-16 without a BOM
        return head.decode("utf-16-le" if head[0] == 0x3C else "utf-16-be", "replace")
    return head.decode("latin-1")


def _xml_root_name(head: str) -> str:
    """Lower-case local name of the first element, or "" if there is none in `head`."""
    prolog = _XML_PROLOG.match(head)
    rest = head[prolog.end() if prolog else 0 :]
    match = _ROOT_NAME.match(rest)
    return match.group(2).lower() if match else ""


def _is_json_feed(content: bytes, head: str) -> bool:
    if _JSON_FEED_VERSION.search(head):
        return True
    # The version key may come after the items; read the document if it is modest.
    if len(content) > 20_000_000:
        return False
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):
        return False
    version = data.get("version") if isinstance(data, dict) else None
    return isinstance(version, str) and "jsonfeed.org/version/" in version
