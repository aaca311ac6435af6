"""The one HTML policy for everything Newsdesk displays.

Publisher HTML goes through nh3 (the ammonia sanitizer, in Rust) exactly once: ordinary
article markup survives, anything that runs code, loads a frame, submits a form or leaves
through a non-web URL does not. The plain text and image list of an entry are derived
from the sanitized output, so the three always agree and the HTML is parsed only once.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin, urlsplit

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

_CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])

# An <img ...> start tag in raw HTML; attribute values may contain ">" when quoted.
# Raw publisher HTML is scanned with str.find from these starts, never with a pattern
# that could rescan the rest of the document from every "<img" (hostile input).
_IMG_START = re.compile(r"<img\b", re.IGNORECASE)
_SOURCE_START = re.compile(r"<source\b", re.IGNORECASE)
_PICTURE_START = re.compile(r"<picture\b", re.IGNORECASE)
_PICTURE_END = re.compile(r"</picture\s*>", re.IGNORECASE)
_MAX_TAG_LENGTH = 20_000
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_SRCSET_URL = re.compile(r"[\s,]*(\S+)")
_SRCSET_DESCRIPTOR = re.compile(r"([^,]*),?")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LAZY_SRC_ATTRIBUTES = ("data-src", "data-lazy-src", "data-original", "data-url", "data-hi-res-src")
_LAZY_SRCSET_ATTRIBUTES = ("srcset", "data-srcset", "data-lazy-srcset")
# Only consulted when the tag also names a better image, so a false positive is harmless.
_PLACEHOLDER_NAMES = re.compile(
    r"(?:^|/)(?:blank|spacer|pixel|transparent|placeholder|1x1|clear|lazy|grey|gray|empty)"
    r"[\w.-]*\.(?:gif|png|svg)(?:[?#]|$)",
    re.IGNORECASE,
)

# Sanitizer output has lower-case tag names and escapes ">" inside attribute values.
_PARAGRAPH_TAG = re.compile(rf"</?(?:{'|'.join(sorted(_PARAGRAPH_TAGS))})\b[^>]*>")
_LINE_BREAK_TAG = re.compile(
    rf"<(?:br|/?(?:{'|'.join(sorted(_LINE_BREAK_TAGS - {'br'}))}))\b[^>]*>"
)
_ANY_TAG = re.compile(r"<[^>]*>")
_OUTPUT_IMG_SRC = re.compile(r"""<img\b[^>]*?\ssrc="([^"]*)\"""")
_MAILTO_IMG_SRC = re.compile(r"""(<img\b[^>]*?)\ssrc="\s*mailto:[^"]*\"""", re.IGNORECASE)
_IMG_WITHOUT_SRC = re.compile(r"""<img(?![^>]*\ssrc=")(?:[^>"]|"[^"]*")*>""")
# Guards against input that would make html5ever quadratic (see _is_pathological).
_GUARD_ABOVE = 20_000
_MAX_AMPERSANDS = 50_000
_MAX_DEPTH = 512
_TAG_TOKEN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")
_NOT_NESTING = frozenset(
    "br img hr wbr input meta link source col area embed param track base p li dt dd tr td "
    "th option".split()
)
_DROPPED_START = re.compile(
    r"<(script|style|template|noscript|iframe|object|svg|math|textarea|select|title|head)\b"
)
_CRUDE_BLOCK = re.compile(
    r"</?(?:p|div|h[1-6]|li|br|tr|blockquote|ul|ol|table|section|article)\b[^<>]*>",
    re.IGNORECASE,
)
_CRUDE_TAG = re.compile(r"<[^<>]*>")
# Break markers (private-use characters) mark where lines and paragraphs end.
_LINE_MARK = "\ue000"
_PARA_MARK = "\ue001"


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
    if len(html) > _GUARD_ABOVE and _is_pathological(html):
        return plain_text_to_html(_crude_text(html))
    base = _usable_base(base_url)
    prepared = _prepare_images(html) if "<img" in html or "<IMG" in html else html
    cleaner = _KEEP_RELATIVE if base else _DENY_RELATIVE
    try:
        cleaned = cleaner.clean(prepared)
    except UnicodeEncodeError:  # lone surrogates, e.g. from "\ud800" escapes in JSON
        cleaned = cleaner.clean(_SURROGATE.sub("\ufffd", prepared))
    if base and _RELATIVE_URL_ATTRIBUTE.search(cleaned):
        cleaned = _resolve_relative(cleaned, base)
    if "<img" in cleaned:
        # img src is http(s) only, and an image left without any src is just noise.
        cleaned = _IMG_WITHOUT_SRC.sub("", _MAILTO_IMG_SRC.sub(r"\1", cleaned))
    return _strip_control_chars(cleaned)


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
        return _sanitized_to_text(_strip_control_chars(html))
    if len(html) > _GUARD_ABOVE and _is_pathological(html):
        return _crude_text(html)
    return _sanitized_to_text(_strip_control_chars(_TEXT_CLEANER.clean(html)))


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
    text = _strip_control_chars(text).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text)]
    return "".join(
        "<p>"
        + "<br>".join(html_lib.escape(line.strip(), quote=False) for line in p.split("\n"))
        + "</p>"
        for p in paragraphs
        if p
    )


def _is_pathological(html: str) -> bool:
    """Markup that would make the HTML parser take seconds: deep nesting, a sea of "&".

    html5ever's time grows with the square of the element depth (40,000 nested <div>
    take seconds) and of the number of character references; no article needs either.
    """
    if html.count("&") > _MAX_AMPERSANDS:
        return True
    depth = 0
    for tag in _TAG_TOKEN.finditer(html):
        name = tag.group(2).lower()
        if name in _NOT_NESTING:
            continue
        if tag.group(1):
            depth = max(depth - 1, 0)
        else:
            depth += 1
            if depth > _MAX_DEPTH:
                return True
    return False


def _crude_text(html: str) -> str:
    """Plain text without an HTML parser, in linear time: for pathological input only."""
    lower = html.lower()
    kept: list[str] = []
    position = 0
    for found in _DROPPED_START.finditer(lower):
        if found.start() < position:
            continue
        kept.append(html[position : found.start()])
        end = lower.find("</" + found.group(1), found.end())
        close = lower.find(">", end) if end >= 0 else -1
        position = len(html) if close < 0 else close + 1
        if position == len(html):
            break
    kept.append(html[position:])
    text = _CRUDE_BLOCK.sub("\n\n", "".join(kept))
    text = html_lib.unescape(_CRUDE_TAG.sub("", text))
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", _strip_control_chars(text)))
    return "\n\n".join(p for p in paragraphs if p)


def _usable_base(base_url: str | None) -> str | None:
    if not base_url:
        return None
    base = base_url.strip()
    scheme, sep, rest = base.partition("://")
    if sep and scheme.lower() in ("http", "https") and rest and not rest.startswith("/"):
        return base
    return None


def _make_cleaner(relative: Literal["pass_through", "deny"]) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(_ALLOWED_TAGS),
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in _ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(_URL_SCHEMES),
        url_relative=relative,
        link_rel=_LINK_REL,
        strip_comments=True,
    )


# Relative URLs are kept by nh3 and resolved afterwards in Python, only where there are
# any: a cleaner per base URL would cost more to build than most entries cost to clean.
_KEEP_RELATIVE = _make_cleaner("pass_through")
_DENY_RELATIVE = _make_cleaner("deny")
_RELATIVE_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src)=")(?!(?i:https?://|mailto:))([^"]*)"')


def _resolve_relative(html: str, base: str) -> str:
    join = _joiner_for(base)

    def resolve(match: re.Match[str]) -> str:
        relative = match.group(2)
        if "&" in relative:
            relative = html_lib.unescape(relative)
        try:
            absolute = join(relative.strip())
        except ValueError:
            return ""
        if not absolute.lower().startswith(("http://", "https://")):
            return ""  # the attribute goes: only web URLs survive
        return f'{match.group(1)}{html_lib.escape(absolute)}"'

    return _RELATIVE_URL_ATTRIBUTE.sub(resolve, html)


def _joiner_for(base: str) -> Callable[[str], str]:
    """urljoin against one base, with the common shapes joined by plain concatenation.

    Entries often carry many root- or directory-relative links and urljoin costs
    microseconds each; anything with dot segments or an odd shape still goes to urljoin.
    """
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}"
    path = parts.path or "/"
    without_query = origin + path
    without_fragment = without_query + (f"?{parts.query}" if parts.query else "")
    directory = origin + path[: path.rfind("/") + 1]

    def join(relative: str) -> str:
        if len(relative) < 2 or relative[0] == "." or "/." in relative or "\\" in relative:
            return urljoin(base, relative)
        first = relative[:1]
        if first == "/":
            return f"{parts.scheme}:{relative}" if relative[1:2] == "/" else origin + relative
        if first == "#":
            return without_fragment + relative
        if first == "?":
            return without_query + relative
        if not relative or ":" in relative.split("/", 1)[0]:
            return urljoin(base, relative)
        return directory + relative

    return join


# For html_to_text: keep only the tags that shape the text, no attributes at all.
_TEXT_CLEANER = nh3.Cleaner(
    tags=set(_ALLOWED_TAGS),
    clean_content_tags=set(_DROP_WITH_CONTENT),
    attributes={},
    link_rel=None,
    strip_comments=True,
)


def _sanitized_to_text(safe_html: str) -> str:
    """Text of sanitizer output (lower-case tags, ">" escaped inside attribute values).

    Runs per entry, so it sticks to C-level regex passes and str methods: block tags
    become break markers, other tags vanish, then paragraphs and lines are rebuilt.
    """
    if not safe_html:
        return ""
    text = safe_html
    if "<" in text:
        text = _PARAGRAPH_TAG.sub(_PARA_MARK, text)
        text = _LINE_BREAK_TAG.sub(_LINE_MARK, text)
        if "</t" in text:
            text = text.replace("</td>", " ").replace("</th>", " ")
        text = _ANY_TAG.sub("", text)
    if "&" in text:
        text = html_lib.unescape(text)
    paragraphs = []
    for paragraph in text.split(_PARA_MARK):
        lines = [" ".join(line.split()) for line in paragraph.split(_LINE_MARK)]
        joined = "\n".join(line for line in lines if line)
        if joined:
            paragraphs.append(joined)
    return "\n\n".join(paragraphs)


def _strip_control_chars(text: str) -> str:
    """Drop C0 controls (not tab/newline) and our break markers; bytes.translate is C-fast."""
    if text.isascii():
        return text.encode("ascii").translate(None, _CONTROL_BYTES).decode("ascii")
    if _PARA_MARK in text or _LINE_MARK in text:
        text = text.replace(_PARA_MARK, "").replace(_LINE_MARK, "")
    return (
        text.encode("utf-8", "surrogatepass")
        .translate(None, _CONTROL_BYTES)
        .decode("utf-8", "replace")
    )


def _prepare_images(html: str) -> str:
    """Give lazy-loaded and responsive images a real `src`; drop tracking pixels.

    nh3 keeps only `src`, so the best `srcset` candidate (or a lazy-loading attribute,
    or the first `<source>` of a `<picture>`) must become the `src` before sanitizing
    when the `src` is missing or a placeholder.
    """
    if "<picture" in html or "<PICTURE" in html:
        html = _rewrite_pictures(html)
    return _rewrite_start_tags(html, _IMG_START, _rewrite_img_tag)


def _rewrite_start_tags(html: str, start: re.Pattern[str], rewrite: Callable[[str], str]) -> str:
    """Pass each start tag (from `start` to the next ">") through `rewrite`, in linear time.

    A tag without a closing ">" ends the scan: nothing after it can be a tag. A ">"
    inside a quoted attribute value cuts such a tag short; nh3 still cleans the result.
    """
    parts: list[str] = []
    position = 0
    for found in start.finditer(html):
        if found.start() < position:
            continue
        end = html.find(">", found.end())
        if end < 0:
            break
        parts.append(html[position : found.start()])
        tag = html[found.start() : end + 1]
        parts.append(rewrite(tag) if len(tag) <= _MAX_TAG_LENGTH else tag)
        position = end + 1
    if not parts:
        return html
    parts.append(html[position:])
    return "".join(parts)


def _rewrite_pictures(html: str) -> str:
    parts: list[str] = []
    position = 0
    for found in _PICTURE_START.finditer(html):
        if found.start() < position:
            continue
        closing = _PICTURE_END.search(html, found.end())
        if closing is None:
            break
        parts.append(html[position : found.start()])
        parts.append(_rewrite_picture(html[found.start() : closing.end()]))
        position = closing.end()
    if not parts:
        return html
    parts.append(html[position:])
    return "".join(parts)


def _rewrite_picture(picture: str) -> str:
    fallback = ""

    def note_source(tag: str) -> str:
        nonlocal fallback
        if not fallback:
            attributes = _attributes(tag[7:-1])
            srcset = attributes.get("srcset") or attributes.get("data-srcset") or ""
            fallback = best_srcset_candidate(srcset)
        return tag

    _rewrite_start_tags(picture, _SOURCE_START, note_source)
    if not fallback:
        return picture
    return _rewrite_start_tags(picture, _IMG_START, lambda tag: _rewrite_img_tag(tag, fallback))


def _attributes(text: str) -> dict[str, str]:
    attributes: dict[str, str] = {}
    for attr in _ATTRIBUTE.finditer(text):
        name = attr.group(1).lower()
        if name not in attributes:
            value = attr.group(2) or attr.group(3) or attr.group(4) or ""
            attributes[name] = html_lib.unescape(value).strip()
    return attributes


def _rewrite_img_tag(tag: str, fallback: str = "") -> str:
    attributes = _attributes(tag[4:-1])
    if attributes.get("width") in ("0", "1") and attributes.get("height") in ("0", "1"):
        return ""  # a tracking pixel
    src = attributes.get("src", "")
    if src and not _is_placeholder(src):
        return tag
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
    better = better or fallback
    if not better:
        return tag  # nothing better; nh3 still drops a data: src
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
    position = 0
    while True:
        found = _SRCSET_URL.match(srcset, position)
        if found is None:
            return best_url
        url, position = found.group(1), found.end()
        descriptor = ""
        if url.endswith(","):  # "a.jpg, b.jpg 2x": a URL ending in a comma has no descriptor
            url = url.rstrip(",")
        else:
            described = _SRCSET_DESCRIPTOR.match(srcset, position)
            if described is not None:
                descriptor, position = described.group(1).strip().lower(), described.end()
        if not url or url.lower().startswith("data:"):
            continue
        score = _srcset_score(descriptor)
        if score > best_score:
            best_url, best_score = url, score


def _srcset_score(descriptor: str) -> tuple[int, float]:
    """Width descriptors beat density ones; no descriptor means 1x."""
    try:
        if descriptor.endswith("w"):
            return (1, float(descriptor[:-1]))
        if descriptor.endswith("x"):
            return (0, float(descriptor[:-1]))
    except ValueError:
        pass
    return (0, 1.0)
