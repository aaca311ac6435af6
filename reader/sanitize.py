"""The one HTML policy for everything Newsdesk displays.

Publisher HTML goes through nh3 (the ammonia sanitizer, in Rust) exactly once: ordinary
article markup survives, anything that runs code, loads a frame, submits a form or leaves
through a non-web URL does not. The plain text and image list of an entry are derived
from the sanitized output, so the three always agree and the HTML is parsed only once.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

import nh3

__all__ = [
    "SanitizedContent",
    "best_srcset_candidate",
    "html_to_text",
    "image_urls",
    "plain_text_to_html",
    "sanitize_content",
    "sanitize_html",
]

_INLINE_TAGS = frozenset(
    "a abbr b bdi bdo cite code data del dfn em i ins kbd mark q s samp small span strike "
    "strong sub sup time tt u var wbr img picture".split()
)
_LINE_BREAK_TAGS = frozenset("br li dt dd tr div figcaption caption summary details".split())
_PARAGRAPH_TAGS = frozenset(
    "p h1 h2 h3 h4 h5 h6 blockquote pre ul ol dl table figure hr article aside section "
    "header footer hgroup".split()
)
_CELL_TAGS = frozenset("td th".split())
_TABLE_PARTS = frozenset("thead tbody tfoot col colgroup".split())
_ALLOWED_TAGS = _INLINE_TAGS | _LINE_BREAK_TAGS | _PARAGRAPH_TAGS | _CELL_TAGS | _TABLE_PARTS

# Dropped together with everything inside them: code, frames, plug-ins, form widgets,
# inline SVG/MathML (their <a xlink:href> and <script> are the classic escapes), media
# fallback text, and document furniture when a whole page is passed in.
_DROP_WITH_CONTENT = frozenset(
    "script style template noscript iframe frame frameset noframes object embed applet "
    "noembed svg math canvas audio video select textarea option button title head "
    "xmp plaintext".split()
)

_ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "time": {"datetime"},
    "data": {"value"},
    "del": {"datetime"},
    "ins": {"datetime"},
}
_URL_SCHEMES = {"http", "https", "mailto"}
_LINK_REL = "noopener noreferrer"

_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")

# An <img ...> start tag in raw HTML; attribute values may contain ">" when quoted.
_IMG_TAG = re.compile(r"""<img\b((?:[^>"']|"[^"]*"|'[^']*')*)>""", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_SRCSET_CANDIDATE = re.compile(r"\s*(\S+)(\s+[^,]*)?,?")
_LAZY_SRC_ATTRIBUTES = ("data-src", "data-lazy-src", "data-original", "data-url", "data-hi-res-src")
_LAZY_SRCSET_ATTRIBUTES = ("srcset", "data-srcset", "data-lazy-srcset")
# Only consulted when the tag also names a better image, so a false positive is harmless.
_PLACEHOLDER_NAMES = re.compile(
    r"(?:^|/)(?:blank|spacer|pixel|transparent|placeholder|1x1|clear|lazy|grey|gray|empty)"
    r"[\w.-]*\.(?:gif|png|svg)(?:[?#]|$)",
    re.IGNORECASE,
)

# A start or end tag of the sanitizer's own output (double-quoted attributes only).
_OUTPUT_TAG = re.compile(r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:[^>"]|"[^"]*")*>""")
_OUTPUT_IMG_SRC = re.compile(r"""<img\b[^>]*?\ssrc="([^"]*)\"""")
_MAILTO_IMG_SRC = re.compile(r"""(<img\b[^>]*?)\ssrc="\s*mailto:[^"]*\"""", re.IGNORECASE)
_IMG_WITHOUT_SRC = re.compile(r"""<img(?![^>]*\ssrc=")(?:[^>"]|"[^"]*")*>""")
_WHITESPACE = re.compile(r"\s+")
# Break markers (private-use characters) survive whitespace collapsing; a run of them
# becomes one line break, or a blank line if any of them asked for a paragraph.
_LINE_MARK = "\ue000"
_PARA_MARK = "\ue001"
_BREAK_RUN = re.compile("[ \ue000\ue001]*[\ue000\ue001][ \ue000\ue001]*")


@dataclass(frozen=True)
class SanitizedContent:
    """Sanitized HTML with the plain text and image URLs derived from it."""

    html: str
    text: str
    image_urls: tuple[str, ...]


def sanitize_html(html: str, base_url: str | None = None) -> str:
    """Publisher HTML made safe to display; relative URLs resolved against `base_url`.

    Without a usable http(s) base, relative URLs are dropped: the reading pane must
    never resolve them against something local.
    """
    if not html:
        return ""
    prepared = _prepare_images(html, base_url) if "<img" in html or "<IMG" in html else html
    cleaned = _cleaner_for(_usable_base(base_url)).clean(prepared)
    if "<img" in cleaned:
        # img src is http(s) only, and an image left without any src is just noise.
        cleaned = _IMG_WITHOUT_SRC.sub("", _MAILTO_IMG_SRC.sub(r"\1", cleaned))
    return _CONTROL_CHARS.sub("", cleaned)


def sanitize_content(html: str, base_url: str | None = None) -> SanitizedContent:
    """Sanitize once and derive text and images from the result (the feed parsers' path)."""
    safe = sanitize_html(html, base_url)
    return SanitizedContent(safe, _sanitized_to_text(safe), image_urls(safe))


def html_to_text(html: str) -> str:
    """Plain text of any HTML: tags removed, entities decoded, whitespace collapsed.

    Block elements become line breaks (list items, table rows) or blank lines
    (paragraphs, headings, quotes); script, style and other non-content is dropped.
    """
    if not html:
        return ""
    if "<" not in html:
        return _sanitized_to_text(html)
    return _sanitized_to_text(_TEXT_CLEANER.clean(html))


def image_urls(html: str) -> tuple[str, ...]:
    """Absolute http(s) `<img src>` URLs of sanitized HTML, in order, without repeats."""
    if "<img" not in html:
        return ()
    seen: dict[str, None] = {}
    for match in _OUTPUT_IMG_SRC.finditer(html):
        url = html_lib.unescape(match.group(1)).strip()
        if url.lower().startswith(("http://", "https://")):
            seen.setdefault(url, None)
    return tuple(seen)


def plain_text_to_html(text: str) -> str:
    """Plain text as HTML: escaped, blank lines start paragraphs, single newlines become <br>."""
    text = _CONTROL_CHARS.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text)]
    return "".join(
        "<p>"
        + "<br>".join(html_lib.escape(line.strip(), quote=False) for line in p.split("\n"))
        + "</p>"
        for p in paragraphs
        if p
    )


def _usable_base(base_url: str | None) -> str | None:
    if not base_url:
        return None
    try:
        parts = urlsplit(base_url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return base_url.strip()


@lru_cache(maxsize=256)
def _cleaner_for(base_url: str | None) -> nh3.Cleaner:
    if base_url:
        try:
            return _make_cleaner(("rewrite_with_base", base_url))
        except ValueError:  # a base the URL library rejects after all
            pass
    return _make_cleaner("deny")


def _make_cleaner(
    relative: tuple[Literal["rewrite_with_base"], str] | Literal["deny"],
) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(_ALLOWED_TAGS),
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in _ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(_URL_SCHEMES),
        url_relative=relative,
        link_rel=_LINK_REL,
        strip_comments=True,
    )


# For html_to_text: keep only the tags that shape the text, no attributes at all.
_TEXT_CLEANER = nh3.Cleaner(
    tags=set(_ALLOWED_TAGS),
    clean_content_tags=set(_DROP_WITH_CONTENT),
    attributes={},
    link_rel=None,
    strip_comments=True,
)


def _sanitized_to_text(safe_html: str) -> str:
    if not safe_html:
        return ""
    # Strip stray control characters first: the break markers are private-use characters.
    text = _CONTROL_CHARS.sub("", safe_html)
    if "<" in text:
        text = _OUTPUT_TAG.sub(_tag_to_marker, text)
    return _collapse(html_lib.unescape(text))


def _tag_to_marker(match: re.Match[str]) -> str:
    name = match.group(2).lower()
    if name in _INLINE_TAGS:
        return ""
    if name in _PARAGRAPH_TAGS:
        return _PARA_MARK
    if name in _LINE_BREAK_TAGS:
        return _LINE_MARK
    if name in _CELL_TAGS:
        return " " if match.group(1) else ""
    return ""


def _collapse(text: str) -> str:
    text = _WHITESPACE.sub(" ", text)
    if _LINE_MARK in text or _PARA_MARK in text:
        text = _BREAK_RUN.sub(_break_for, text)
    return text.strip()


def _break_for(match: re.Match[str]) -> str:
    return "\n\n" if _PARA_MARK in match.group(0) else "\n"


def _prepare_images(html: str, base_url: str | None) -> str:
    """Give lazy-loaded and responsive images a real `src`; drop tracking pixels.

    nh3 keeps only `src`, so the best `srcset` candidate (or a lazy-loading attribute)
    must become the `src` before sanitizing when the `src` is missing or a placeholder.
    """
    return _IMG_TAG.sub(_rewrite_img_tag, html)


def _rewrite_img_tag(match: re.Match[str]) -> str:
    attributes: dict[str, str] = {}
    for attr in _ATTRIBUTE.finditer(match.group(1)):
        name = attr.group(1).lower()
        if name not in attributes:
            value = attr.group(2) or attr.group(3) or attr.group(4) or ""
            attributes[name] = html_lib.unescape(value).strip()
    if attributes.get("width") in ("0", "1") and attributes.get("height") in ("0", "1"):
        return ""  # a tracking pixel
    src = attributes.get("src", "")
    if src and not _is_placeholder(src):
        return match.group(0)
    better = ""
    for name in _LAZY_SRC_ATTRIBUTES:
        candidate = attributes.get(name, "")
        if candidate and not _is_placeholder(candidate):
            better = candidate
            break
    if not better:
        for name in _LAZY_SRCSET_ATTRIBUTES:
            better = best_srcset_candidate(attributes.get(name, ""))
            if better:
                break
    if not better:
        return match.group(0)  # nothing better; nh3 still drops a data: src
    kept = [f'src="{html_lib.escape(better)}"']
    for name in ("alt", "title", "width", "height"):
        if name in attributes:
            kept.append(f'{name}="{html_lib.escape(attributes[name])}"')
    return "<img " + " ".join(kept) + ">"


def _is_placeholder(url: str) -> bool:
    return url.lower().startswith("data:") or bool(_PLACEHOLDER_NAMES.search(url))


def best_srcset_candidate(srcset: str) -> str:
    """The largest image of a `srcset` (widest `w`, else highest `x`), or ""."""
    best_url = ""
    best_score = (-1, -1.0)
    for match in _SRCSET_CANDIDATE.finditer(srcset):
        url = match.group(1).rstrip(",")
        if not url or url.lower().startswith("data:"):
            continue
        descriptor = (match.group(2) or "").strip().lower()
        score = (0, 1.0)
        try:
            if descriptor.endswith("w"):
                score = (1, float(descriptor[:-1]))
            elif descriptor.endswith("x"):
                score = (0, float(descriptor[:-1]))
        except ValueError:
            pass
        if score > best_score:
            best_url, best_score = url, score
    return best_url
