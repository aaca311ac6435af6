"""Feeds (RSS 0.9x/1.0/2.0, Atom, JSON Feed) into normalized `ParsedPage` values.

feedparser reads the XML formats; JSON Feed, which feedparser does not know, is read
here as JSON. Every entry's HTML is sanitized exactly once, and its plain text and
image URLs are derived from that same pass. feedparser's own sanitizing and URL
rewriting are switched off: nh3 does both, faster, and they would only be done twice.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import time
import xml.sax
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from html.entities import html5 as html5_entities
from typing import Any
from urllib.parse import urljoin

import feedparser

from reader.errors import NotAFeed, ParseError
from reader.sanitize import html_to_text, plain_text_to_html, sanitize_content
from reader.timeparse import parse_datetime
from reader.types import ParsedEntry, ParsedPage

__all__ = ["parse_feed"]

_JSON_FEED_VERSION = re.compile(r"^https?://jsonfeed\.org/version/", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")
_TAG_LIKE = re.compile(r"</?[A-Za-z][^<>]*>")

_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL
)


def parse_feed(content: bytes, *, url: str, content_type: str = "") -> ParsedPage:
    """Read a fetched feed document.

    Args:
        content: the response body, undecoded (the XML declaration, a BOM or the HTTP
            charset in `content_type` say how to decode it).
        url: where the document was fetched from; relative links resolve against it.
        content_type: the HTTP Content-Type header, if any.

    Raises:
        NotAFeed: the document is an HTML page.
        ParseError: the document is not a feed at all.
    """
    if _is_json(content, content_type):
        return _parse_json_feed(content, url, content_type)
    return _parse_xml_feed(content, url, content_type)


# --- XML feeds ------------------------------------------------------------------------


def _parse_xml_feed(content: bytes, url: str, content_type: str) -> ParsedPage:
    if not content.strip():
        raise ParseError("the document is empty")
    if _CROWDED_TAG.search(content):
        # feedparser's time grows with the square of an element's attribute count.
        raise ParseError(f"an element has more than {_MAX_ATTRIBUTES} attributes; not a real feed")
    warnings: list[str] = []
    document = _defuse_entities(content)
    result = _run_feedparser(document, content_type)
    if _undefined_entity(result):
        # HTML entities (&nbsp; &eacute;) in XML are the commonest breakage; as numeric
        # references the strict parser reads the whole feed instead of the fallback's guess.
        repaired = _html_entities_as_numeric(document)
        if repaired is not None:
            retry = _run_feedparser(repaired, content_type)
            if len(_get(retry, "entries") or ()) >= len(_get(result, "entries") or ()):
                result = retry
                warnings.append("HTML entities in the XML were read as the characters they name")

    raw_entries: list[Any] = _get(result, "entries") or []
    version = _get(result, "version") or ""
    error = _malformed_reason(_get(result, "bozo_exception"), document)
    if not version and not raw_entries:
        if _HTML_START.match(content[:4096].lstrip(b"\xef\xbb\xbf")):
            raise NotAFeed("the address is an HTML page, not a feed")
        reason = f" ({error})" if error else ""
        raise ParseError(f"the document is not an RSS, Atom or JSON feed{reason}")

    encoding_note = _encoding_warning(result)
    if encoding_note:
        warnings.append(encoding_note)

    feed: Mapping[str, Any] = _get(result, "feed") or {}
    feed_authors = _xml_authors(feed) if version.startswith("atom") else ()
    entries = [_xml_entry(raw, url, feed_authors) for raw in raw_entries]
    return ParsedPage(
        kind="feed",
        title=_detail_text(_get(feed, "title_detail"), _get(feed, "title")),
        url=url,
        entries=_unique_keys(entries, warnings),
        warnings=tuple(warnings),
        error=error,
    )


def _run_feedparser(document: bytes, content_type: str) -> Any:
    try:
        return feedparser.parse(
            io.BytesIO(document),
            # No content-location on purpose: with a base URL feedparser joins URLs on
            # every element (a measurable share of its time); links are joined here.
            # Without a type it would flag the document; XML rules then pick the
            # encoding from the BOM or the XML declaration.
            response_headers={"content-type": content_type or "application/xml"},
            resolve_relative_uris=False,
            sanitize_html=False,
        )
    except Exception as exc:  # feedparser failing on hostile input is an input problem
        raise ParseError(f"could not read the feed: {exc}") from exc


def _undefined_entity(result: Mapping[str, Any]) -> bool:
    exc = _get(result, "bozo_exception")
    return isinstance(exc, xml.sax.SAXParseException) and "undefined entity" in exc.getMessage()


_NAMED_REFERENCE = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_PREDEFINED = {b"amp", b"lt", b"gt", b"quot", b"apos"}


def _html_entities_as_numeric(document: bytes) -> bytes | None:
    """HTML named references rewritten as numeric ones; None if there were none."""
    if document.startswith(_UTF16_OR_32):
        return None  # the byte patterns below assume an ASCII-compatible encoding
    replaced = 0

    def numeric(match: re.Match[bytes]) -> bytes:
        nonlocal replaced
        name = match.group(1)
        text = None if name in _XML_PREDEFINED else html5_entities.get(name.decode() + ";")
        if text is None:
            return match.group(0)
        replaced += 1
        return b"".join(b"&#%d;" % ord(char) for char in text)

    repaired = _NAMED_REFERENCE.sub(numeric, document)
    return repaired if replaced else None


def _xml_entry(raw: Mapping[str, Any], feed_url: str, feed_authors: tuple[str, ...]) -> ParsedEntry:
    link = _absolute_http(_get(raw, "link"), feed_url)
    body, body_type, body_base = _fullest_body(raw)
    # xml:base, when the feed sets one, is the document's own word on what relative
    # links mean; otherwise the article's page is the best guess, then the feed.
    base = _absolute_http(body_base, feed_url) if body_base else None
    base = base or link or feed_url
    if body and "html" not in body_type:
        body = plain_text_to_html(body)
    content = sanitize_content(body, base)

    published = _entry_time(raw, "published")
    updated = _entry_time(raw, "updated")
    title = _bounded_title(_detail_text(_get(raw, "title_detail"), _get(raw, "title")))
    key = _bounded_key(_clean(_get(raw, "id")) or link or _content_key(title, body))
    images = _merge_urls(content.image_urls, _xml_media_urls(raw, base))
    return ParsedEntry(
        key=key,
        kind="article",
        title=title,
        authors=_xml_authors(raw) or feed_authors,
        published=published or updated,
        updated=updated,
        url=link,
        html=content.html,
        text=content.text,
        image_urls=images,
    )


def _fullest_body(raw: Mapping[str, Any]) -> tuple[str, str, str]:
    """The longest of the entry's content and summary: (value, type, xml:base)."""
    best = ("", "", "")
    candidates: list[Mapping[str, Any]] = list(_get(raw, "content") or [])
    summary = _get(raw, "summary_detail")
    if summary:
        candidates.append(summary)
    for detail in candidates:
        value = _get(detail, "value") or ""
        kind = (_get(detail, "type") or "text/html").lower()
        longer = len(value) > len(best[0])
        same_but_html = len(value) == len(best[0]) and "html" in kind and "html" not in best[1]
        if value and (longer or same_but_html):
            best = (value, kind, _get(detail, "base") or "")
    return best


def _detail_text(detail: Mapping[str, Any] | None, fallback: Any) -> str:
    """Plain text of a title-like element, whatever markup type it declared."""
    value = (_get(detail, "value") if detail else None) or fallback or ""
    if not isinstance(value, str):
        return ""
    kind = (_get(detail, "type") or "") if detail else ""
    # RSS has no markup type: feedparser guesses, and calls "<script>x</script>Hi" text.
    if "html" in kind or _TAG_LIKE.search(value):
        return _clean(html_to_text(value))
    return _clean(value)


def _entry_time(raw: Mapping[str, Any], name: str) -> datetime | None:
    parsed = parse_datetime(_get(raw, name))
    if parsed is None:
        # feedparser knows a few more historic formats; its result is UTC.
        fallback = _get(raw, f"{name}_parsed")
        if isinstance(fallback, time.struct_time):
            try:
                parsed = datetime(*fallback[:6], tzinfo=UTC)
            except ValueError:
                parsed = None
    return parsed


def _xml_authors(raw: Mapping[str, Any]) -> tuple[str, ...]:
    names: list[str] = []
    for author in _get(raw, "authors") or ():
        if isinstance(author, Mapping):
            names.append(_clean(_get(author, "name")) or _clean(_get(author, "email")))
    if not any(names):
        names.append(_clean(_get(raw, "author")))
    return _unique(names)


def _xml_media_urls(raw: Mapping[str, Any], base: str) -> list[str]:
    """Image URLs from enclosures, media:content and media:thumbnail."""
    urls: list[str] = []
    for link in _get(raw, "links") or ():
        if _get(link, "rel") == "enclosure" and _is_image(
            _get(link, "type"), None, _get(link, "href")
        ):
            urls.append(_get(link, "href") or "")
    for media in _get(raw, "media_content") or ():
        if _is_image(_get(media, "type"), _get(media, "medium"), _get(media, "url")):
            urls.append(_get(media, "url") or "")
    for thumb in _get(raw, "media_thumbnail") or ():
        urls.append(_get(thumb, "url") or "")
    return [u for u in (_absolute_http(url, base) for url in urls) if u]


def _malformed_reason(exc: object, document: bytes) -> str | None:
    if not isinstance(exc, xml.sax.SAXParseException):
        return None
    line = exc.getLineNumber() or 0
    # feedparser puts its own XML declaration on a line of its own in front of a document
    # that has none, which would make every reported line one too late.
    head = document[:256]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        head = head.removeprefix(bom)
    if not head.replace(b"\x00", b"").startswith(b"<?xml") and line > 1:
        line -= 1
    return f"malformed XML at line {line}: {exc.getMessage()}"


def _encoding_warning(result: Mapping[str, Any]) -> str | None:
    exc = _get(result, "bozo_exception")
    if isinstance(exc, feedparser.CharacterEncodingOverride | feedparser.CharacterEncodingUnknown):
        return f"character encoding: {exc}"
    return None


# --- XML entity declarations -----------------------------------------------------------
#
# Nested entities ("billion laughs") are already refused by feedparser, but one long
# entity referenced many times (quadratic blowup) is not: expat stops at its
# amplification limit, then feedparser's fallback parser expands every reference in
# Python, gigabytes for a 200 kB document. Real feeds declare entities, if at all, for
# single characters, so any longer or composite declaration is dropped before parsing.

_DOCTYPE_WITH_SUBSET = re.compile(rb"<!DOCTYPE[^\[>]*\[(.*?)\]\s*>", re.DOTALL)
_ENTITY_DECLARATION = re.compile(
    rb"<!ENTITY\s+(%\s*)?([^\s%\"'>]+)\s*(?:\"([^\"]*)\"|'([^']*)'|[^>]*)\s*>"
)
_MAX_ATTRIBUTES = 500
_CROWDED_TAG = re.compile(
    rb"<[\w:.-]+(?:\s+[^\s=<>]+\s*=\s*(?:\"[^\"]*\"|'[^']*')){%d}" % _MAX_ATTRIBUTES
)
_SINGLE_CHARACTER_REFERENCE = re.compile(rb"&#(?:x[0-9a-fA-F]{1,6}|[0-9]{1,7});")
_MAX_ENTITY_VALUE = 16
_UTF16_OR_32 = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"<\x00", b"\x00<")


def _defuse_entities(content: bytes) -> bytes:
    """The document with only small, flat internal entity declarations left."""
    if content.startswith(_UTF16_OR_32):
        return _defuse_wide(content)
    start = content.find(b"<!DOCTYPE", 0, 65536)
    if start < 0:
        return content
    match = _DOCTYPE_WITH_SUBSET.match(content, start)
    if match is None:
        return content
    kept = [
        b"\n" + declaration.group(0)
        for declaration in _ENTITY_DECLARATION.finditer(match.group(1))
        if _is_harmless_entity(declaration)
    ]
    return content[: match.start(1)] + b"".join(kept) + b"\n]>" + content[match.end() :]


def _is_harmless_entity(declaration: re.Match[bytes]) -> bool:
    if declaration.group(1):  # parameter entities only serve to build other declarations
        return False
    value = declaration.group(3) if declaration.group(3) is not None else declaration.group(4)
    if value is None or len(value) > _MAX_ENTITY_VALUE:
        return False  # external (SYSTEM/PUBLIC) or long
    return b"&" not in value or bool(_SINGLE_CHARACTER_REFERENCE.fullmatch(value))


def _defuse_wide(content: bytes) -> bytes:
    """UTF-16/32 documents that declare entities are re-encoded as UTF-8 and defused."""
    for codec in ("utf-32", "utf-16") if content.startswith(b"\x00\x00\xfe\xff") else ("utf-16",):
        try:
            text = content.decode(codec)
        except UnicodeDecodeError:
            continue
        if "<!ENTITY" not in text[:65536]:
            return content
        text = re.sub(
            r"(<\?xml[^>]*?encoding\s*=\s*)[\"'][^\"']*[\"']", r'\1"utf-8"', text, count=1
        )
        return _defuse_entities(text.lstrip("\ufeff").encode("utf-8"))
    return content


# --- JSON Feed ------------------------------------------------------------------------


def _parse_json_feed(content: bytes, url: str, content_type: str) -> ParsedPage:
    warnings: list[str] = []
    text = _decode_json(content, content_type, warnings)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"the JSON feed is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or not _JSON_FEED_VERSION.match(str(data.get("version", ""))):
        raise ParseError("the JSON document is not a JSON Feed (no jsonfeed.org version)")
    feed_authors = _json_authors(data)
    items = data.get("items")
    if not isinstance(items, list):
        items = []
        warnings.append("the JSON Feed has no list of items")
    entries = [_json_entry(item, url, feed_authors) for item in items if isinstance(item, dict)]
    return ParsedPage(
        kind="feed",
        title=_clean(data.get("title")),
        url=url,
        entries=_unique_keys(entries, warnings),
        warnings=tuple(warnings),
    )


def _json_entry(
    item: Mapping[str, Any], feed_url: str, feed_authors: tuple[str, ...]
) -> ParsedEntry:
    link = _absolute_http(_str(item.get("url")), feed_url) or _absolute_http(
        _str(item.get("external_url")), feed_url
    )
    base = link or feed_url
    body = _str(item.get("content_html"))
    if not body:
        texts = [_str(item.get("content_text")), _str(item.get("summary"))]
        body = plain_text_to_html(max(texts, key=len))
    content = sanitize_content(body, base)

    published = parse_datetime(_str(item.get("date_published")) or None)
    updated = parse_datetime(_str(item.get("date_modified")) or None)
    title = _bounded_title(_clean(item.get("title")))
    raw_id = item.get("id")
    key = raw_id.strip() if isinstance(raw_id, str) else ""
    if not key and isinstance(raw_id, int | float) and not isinstance(raw_id, bool):
        key = str(raw_id)  # the spec says string; numbers are common in the wild
    key = _bounded_key(key or link or _content_key(title, body))

    extra_images = [_str(item.get("image")), _str(item.get("banner_image"))]
    for attachment in item.get("attachments") or ():
        if isinstance(attachment, dict) and _is_image(attachment.get("mime_type"), None, None):
            extra_images.append(_str(attachment.get("url")))
    images = _merge_urls(
        content.image_urls, [u for u in (_absolute_http(x, base) for x in extra_images) if u]
    )
    return ParsedEntry(
        key=key,
        kind="article",
        title=title,
        authors=_json_authors(item) or feed_authors,
        published=published or updated,
        updated=updated,
        url=link,
        html=content.html,
        text=content.text,
        image_urls=images,
    )


def _json_authors(obj: Mapping[str, Any]) -> tuple[str, ...]:
    """JSON Feed 1.1 `authors` (a list), else 1.0 `author` (one object)."""
    found: list[Any] = []
    authors = obj.get("authors")
    if isinstance(authors, list):
        found.extend(authors)
    single = obj.get("author")
    if not found and single:
        found.append(single)
    names = []
    for author in found:
        if isinstance(author, dict):
            names.append(_clean(author.get("name")))
        elif isinstance(author, str):
            names.append(_clean(author))
    return _unique(names)


def _decode_json(content: bytes, content_type: str, warnings: list[str]) -> str:
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if content.startswith(bom):
            return content[len(bom) :].decode(codec, "replace")
    if len(content) >= 4 and b"\x00" in content[:4]:
        # No BOM but NULs among the first ASCII characters: UTF-16/32 (RFC 4627, 3).
        b0, b1, b2, b3 = content[:4]
        if b0 == b1 == 0:
            codec = "utf-32-be"
        elif b1 == b2 == b3 == 0:
            codec = "utf-32-le"
        else:
            codec = "utf-16-be" if b0 == 0 else "utf-16-le"
        return content.decode(codec, "replace")
    charset = _charset(content_type) or "utf-8"
    try:
        return content.decode(charset)
    except LookupError:
        warnings.append(f"unknown charset {charset!r}; read as UTF-8")
    except UnicodeDecodeError:
        warnings.append(f"the JSON Feed is not valid {charset}; undecodable bytes replaced")
    return content.decode("utf-8", "replace")


def _charset(content_type: str) -> str:
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    return match.group(1).lower() if match else ""


def _is_json(content: bytes, content_type: str) -> bool:
    """The first character decides; the Content-Type only when the bytes do not say."""
    head = content[:64]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head[2:]
    if b"\x00" in head[:4]:
        head = head.replace(b"\x00", b"")  # UTF-16/32: the ASCII bytes are enough here
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if first in (b"{", b"<"):
        return first == b"{"
    return content_type.split(";", 1)[0].strip().lower().endswith("json")


# --- shared helpers -------------------------------------------------------------------


def _get(mapping: Mapping[str, Any], key: str) -> Any:
    """A key as feedparser stored it.

    feedparser's dicts alias missing keys to others (a missing "updated" answers with
    "published", plus a DeprecationWarning); the plain dict lookup sees what was there.
    """
    return dict.get(mapping, key) if isinstance(mapping, dict) else mapping.get(key)


def _unique_keys(entries: list[ParsedEntry], warnings: list[str]) -> tuple[ParsedEntry, ...]:
    """One entry per key: exact repeats dropped, clashing different entries disambiguated."""
    seen: dict[str, ParsedEntry] = {}
    repeats = clashes = 0
    for entry in entries:
        previous = seen.get(entry.key)
        if previous is None:
            seen[entry.key] = entry
        elif (previous.title, previous.html) == (entry.title, entry.html):
            repeats += 1
        else:
            # The publisher reused an id for different items; keep both, stably.
            clashes += 1
            key = f"{entry.key}#{_content_key(entry.title, entry.html)[5:17]}"
            seen.setdefault(key, _with_key(entry, key))
    if repeats:
        warnings.append(f"{repeats} repeated entries skipped")
    if clashes:
        warnings.append(f"{clashes} entries reused another entry's id")
    return tuple(seen.values())


def _with_key(entry: ParsedEntry, key: str) -> ParsedEntry:
    return replace(entry, key=key)


_MAX_KEY = 2048
_MAX_TITLE = 1000


def _bounded_key(key: str) -> str:
    """Keys index the archive; an absurdly long id is replaced by its (stable) hash."""
    if len(key) <= _MAX_KEY:
        return key
    return "hash:" + hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:32]


def _bounded_title(title: str) -> str:
    return title if len(title) <= _MAX_TITLE else title[: _MAX_TITLE - 1].rstrip() + "\u2026"


def _content_key(title: str, body: str) -> str:
    digest = hashlib.sha256(f"{title}\x00{body}".encode("utf-8", "replace")).hexdigest()
    return f"hash:{digest[:32]}"


def _absolute_http(url: object, base: str) -> str | None:
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url:
        return None
    try:
        absolute = urljoin(base, url) if base else url
    except ValueError:
        return None
    return absolute if absolute.lower().startswith(("http://", "https://")) else None


def _is_image(mime: object, medium: object, url: object) -> bool:
    if isinstance(mime, str) and mime:
        return mime.lower().startswith("image/")
    if isinstance(medium, str) and medium:
        return medium.lower() == "image"
    return isinstance(url, str) and bool(
        re.search(r"\.(?:jpe?g|png|gif|webp|avif)(?:[?#]|$)", url, re.IGNORECASE)
    )


def _merge_urls(first: Iterable[str], second: Iterable[str]) -> tuple[str, ...]:
    merged: dict[str, None] = dict.fromkeys(first)
    for url in second:
        merged.setdefault(url, None)
    return tuple(merged)


def _unique(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _clean(value: object) -> str:
    return _WHITESPACE.sub(" ", value).strip() if isinstance(value, str) else ""


def _str(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
