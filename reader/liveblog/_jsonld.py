"""Layer 1: schema.org LiveBlogPosting in JSON-LD, read leniently.

Publishers' JSON-LD is often not valid JSON: trailing commas, raw control characters,
comments, HTML comment wrappers, and HTML entities inside strings all occur.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from reader.liveblog._common import (
    RawUpdate,
    absolute_url,
    clean_space,
    dedupe,
    fragment_of,
    key_aliases,
)
from reader.liveblog._times import to_datetime

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_OPENERS = ("<!--", "<![CDATA[", "//<![CDATA[")
_CLOSERS = ("-->", "]]>", "//]]>")
_LOOKS_HTML = re.compile(
    r"<(?:p|br|div|a|b|i|em|strong|ul|ol|li|img|figure|blockquote|h\d)\b", re.I
)


@dataclass
class BlogInfo:
    """The LiveBlogPosting's own fields (used for the page and to spot copied values)."""

    headline: str = ""
    description: str = ""
    authors: tuple[str, ...] = ()
    url: str | None = None
    coverage_end: datetime | None = None
    has_coverage_end: bool = False
    date_modified: datetime | None = None
    image_urls: tuple[str, ...] = ()
    found: bool = False
    updates: list[RawUpdate] = field(default_factory=list)


def _strip_comments_and_commas(text: str) -> str:
    """Remove JS comments and trailing commas outside strings (one linear pass)."""
    out: list[str] = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        ch = text[i]
        if in_string:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if ch == '"':
                in_string = False
            i += 1
            continue
        if ch == '"':
            in_string = True
            out.append(ch)
            i += 1
        elif ch == "/" and text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif ch == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif ch == ",":
            j = i + 1
            while j < n and text[j] in " \t\r\n":
                j += 1
            if j < n and text[j] in "}]":
                i += 1  # trailing comma: drop it
            else:
                out.append(ch)
                i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _unwrap(text: str) -> str:
    """The script body without HTML-comment or CDATA wrappers (no regex: bodies are large)."""
    text = text.strip()
    for opener in _OPENERS:
        if text.startswith(opener):
            text = text[len(opener) :].lstrip()
    for closer in _CLOSERS:
        if text.endswith(closer):
            text = text[: -len(closer)].rstrip()
    return text


def loads_lenient(text: str) -> list[Any]:
    """Every JSON value in a script body; [] when nothing can be read."""
    text = _unwrap(text)
    if not text:
        return []
    try:
        return [json.loads(text, strict=False)]
    except ValueError:
        pass
    cleaned = _strip_comments_and_commas(text)
    decoder = json.JSONDecoder(strict=False)
    values: list[Any] = []
    pos = 0
    while pos < len(cleaned):
        while pos < len(cleaned) and cleaned[pos] in " \t\r\n;":
            pos += 1
        if pos >= len(cleaned):
            break
        try:
            value, pos = decoder.raw_decode(cleaned, pos)
        except ValueError:
            break
        values.append(value)
    return values


def _types_of(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type")
    names = raw if isinstance(raw, list) else [raw]
    return {str(t).rsplit("/", 1)[-1] for t in names if t}


def _walk(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every object in a JSON-LD document that could be a LiveBlogPosting."""
    if depth > 6:
        return
    if isinstance(value, list):
        for item in value:
            yield from _walk(item, depth + 1)
    elif isinstance(value, dict):
        if "LiveBlogPosting" in _types_of(value):
            yield value
            return
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "about", "hasPart"):
            if key in value:
                yield from _walk(value[key], depth + 1)


def text_value(value: Any) -> str:
    """A JSON-LD string field with entities decoded and whitespace collapsed."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or ""
    if not isinstance(value, str | int | float):
        return ""
    text = str(value)
    text = html.unescape(text) if "&" in text else text
    return clean_space(_CONTROL.sub("", text) if _CONTROL.search(text) else text)


def names_of(value: Any) -> tuple[str, ...]:
    """Author names from a string, a Person, or a list of either."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        name = text_value(item.get("name") if isinstance(item, dict) else item)
        if name:
            names.append(name)
    return tuple(dedupe(names))


def images_of(value: Any, base: str | None) -> list[str]:
    """Image URLs from a URL string, an ImageObject, or a list of either."""
    items = value if isinstance(value, list) else [value]
    urls: list[str] = []
    for item in items:
        raw = item.get("url") or item.get("contentUrl") if isinstance(item, dict) else item
        if isinstance(raw, str):
            url = absolute_url(html.unescape(raw), base)
            if url:
                urls.append(url)
    return urls


def _update_key(node: dict[str, Any], position: int) -> tuple[str, set[str]]:
    """The publisher's id of an update: #fragment of @id or url, else a plain id."""
    candidates: list[str] = []
    for field_name in ("@id", "url", "identifier"):
        raw = node.get(field_name)
        if isinstance(raw, dict):
            raw = raw.get("value") or raw.get("@id")
        if not isinstance(raw, str | int) or raw == "":
            continue
        raw = str(raw).strip()
        frag = fragment_of(raw)
        if frag:
            candidates.append(frag)
        elif "/" not in raw and ":" not in raw:
            candidates.append(raw)
    if candidates:
        aliases: set[str] = set()
        for cand in candidates:
            aliases |= key_aliases(cand)
        return candidates[0], aliases
    return f"jsonld-{position}", set()


def _body_of(node: dict[str, Any]) -> tuple[str | None, str | None]:
    """(html, plain text) of an update body; exactly one is set when there is a body."""
    raw = node.get("articleBody")
    if raw is None:
        raw = node.get("text")
    if isinstance(raw, list):
        raw = "\n\n".join(str(x) for x in raw if isinstance(x, str))
    if not isinstance(raw, str):
        return None, None
    decoded = html.unescape(raw)
    if _LOOKS_HTML.search(decoded):
        return decoded, None
    return None, decoded.strip()


def _update_from(
    node: dict[str, Any], position: int, blog: BlogInfo, base: str, default_tz: tzinfo | None
) -> RawUpdate:
    key, aliases = _update_key(node, position)
    title = text_value(node.get("headline") or node.get("name") or "")
    authors = names_of(node.get("author") or node.get("creator") or [])
    body_html, body_text = _body_of(node)
    url = node.get("url") if isinstance(node.get("url"), str) else None
    if url is None and isinstance(node.get("@id"), str) and fragment_of(node["@id"]):
        url = node["@id"]
    images = [u for u in images_of(node.get("image"), base) if u not in blog.image_urls]
    return RawUpdate(
        key=key,
        layer="jsonld",
        title=title,
        weak_title=bool(title) and title == blog.headline,
        authors=authors,
        weak_authors=bool(authors) and set(authors) == set(blog.authors),
        published=to_datetime(node.get("datePublished"), default_tz),
        updated=to_datetime(node.get("dateModified"), default_tz),
        url=absolute_url(url, base) if url else None,
        body_html=body_html,
        body_text=body_text,
        image_urls=images,
        aliases=aliases,
    )


def read_jsonld(scripts: list[str], *, base: str, default_tz: tzinfo | None) -> BlogInfo:
    """Blog fields and updates from every LiveBlogPosting in the page's JSON-LD scripts."""
    blog = BlogInfo()
    nodes = [node for script in scripts for value in loads_lenient(script) for node in _walk(value)]
    for node in nodes:
        blog.found = True
        blog.headline = blog.headline or text_value(node.get("headline") or node.get("name"))
        blog.description = blog.description or text_value(node.get("description"))
        blog.authors = blog.authors or names_of(node.get("author") or [])
        if not blog.url and isinstance(node.get("url"), str):
            blog.url = node["url"]
        if "coverageEndTime" in node:
            blog.has_coverage_end = True
            blog.coverage_end = blog.coverage_end or to_datetime(
                node.get("coverageEndTime"), default_tz
            )
        blog.date_modified = blog.date_modified or to_datetime(node.get("dateModified"), default_tz)
        blog.image_urls = blog.image_urls or tuple(images_of(node.get("image"), base))
    for node in nodes:
        updates = node.get("liveBlogUpdate")
        items = updates if isinstance(updates, list) else [updates]
        for item in items:
            if isinstance(item, dict):
                blog.updates.append(_update_from(item, len(blog.updates), blog, base, default_tz))
    return blog
