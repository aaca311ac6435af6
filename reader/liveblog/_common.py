"""Shared pieces of the live-blog layers: the raw update record and small text helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin, urlsplit

# Prefixes publishers put before a numeric post id ("post-7148", "block-66a1", "entry_12").
_KEY_PREFIX = re.compile(r"^(?:post|block|entry|update|item|live|lb|event|p|b)[-_:]*", re.I)
_SPACE = re.compile(r"\s+")
_PLAIN_ABSOLUTE = re.compile(r"https?://[^\s/?#]+(?:[/?#][^\s]*)?$")
_TYPOGRAPHIC = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200b": "",
        "\u2026": "...",
    }
)

HEADLINE_WORDS = 10


@dataclass
class RawUpdate:
    """One update as a single layer read it, before the layers are merged.

    `weak_*` flags mark values that merely copy the blog's own headline or author list,
    so another layer's per-post value wins over them.
    """

    key: str
    layer: str
    title: str = ""
    weak_title: bool = False
    authors: tuple[str, ...] = ()
    weak_authors: bool = False
    published: datetime | None = None
    updated: datetime | None = None
    url: str | None = None
    body_html: str | None = None  # unsanitized HTML fragment
    body_text: str | None = None  # plain-text body (JSON-LD articleBody without markup)
    image_urls: list[str] = field(default_factory=list)
    pinned: bool = False
    aliases: set[str] = field(default_factory=set)
    clock: tuple[int, int] | None = None  # a wall-clock-only time ("14:05"), to be dated
    body_layer: str = ""  # which layer the body came from (DOM bodies beat JSON-LD text)
    # The JSON-LD body a DOM body displaced: still the source of `text`, because it is there
    # on every poll while the visible post may scroll out of a windowed page.
    jsonld_html: str | None = None
    jsonld_text: str | None = None


def clean_space(text: str) -> str:
    """Collapse runs of whitespace to one space and trim."""
    if "  " not in text and "\n" not in text and "\t" not in text and "\r" not in text:
        return text.strip()
    return _SPACE.sub(" ", text).strip()


def normalize_for_compare(text: str) -> str:
    """Text reduced to what an edit must change: whitespace and typographic quotes evened out."""
    return clean_space(text.translate(_TYPOGRAPHIC))


def key_aliases(key: str) -> set[str]:
    """Spellings of one publisher id that different layers use ("post-7148" and "7148")."""
    out = {key}
    stripped = _KEY_PREFIX.sub("", key)
    if stripped and stripped != key:
        out.add(stripped)
    return out


def fragment_of(url: str | None) -> str:
    """The #anchor of a URL, or ""."""
    if not url or "#" not in url:
        return ""
    return url.rsplit("#", 1)[1].strip()


def absolute_url(href: str | None, base: str | None) -> str | None:
    """`href` resolved against `base`; None for empty, data:, javascript: and the like."""
    if not href:
        return None
    href = href.strip()
    if _PLAIN_ABSOLUTE.match(href):
        return href  # already absolute: skip urljoin, which dominates on 400-update pages
    if not href or href.startswith("#") and not base:
        return None
    joined = urljoin(base, href) if base else href
    scheme = urlsplit(joined).scheme.lower()
    if scheme not in ("http", "https"):
        return None
    return joined


def headline_from_text(text: str, words: int = HEADLINE_WORDS) -> str:
    """A headline for an update that has none: its first words, cut at a word boundary."""
    parts = clean_space(text).split(" ")
    parts = [p for p in parts if p]
    if not parts:
        return ""
    if len(parts) <= words:
        return " ".join(parts)
    head = " ".join(parts[:words]).rstrip(",;:-\u2013\u2014 ")
    return head + "\u2026"


def dedupe(items: list[str]) -> list[str]:
    """Items in first-seen order without repeats."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out
