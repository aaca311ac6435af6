"""Reading one update out of a visible post element (used by the microdata, adapter and
generic layers alike, so every layer reads ids, titles, bylines and times the same way)."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from html import escape as html_escape

from lxml import html as lxml_html
from lxml.html import HtmlElement

from reader.liveblog._common import RawUpdate, absolute_url, clean_space, dedupe, key_aliases
from reader.liveblog._times import clock_of, to_datetime
from reader.sanitize import best_srcset_candidate

# Attributes that carry a publisher's post id, best first.
ID_ATTRIBUTES = (
    "id",
    "data-post-id",
    "data-postid",
    "data-entry-id",
    "data-block-id",
    "data-update-id",
    "data-event-id",
    "data-item-id",
    "data-id",
)
_PUBLISHED_ATTRIBUTES = (
    "data-post-time",
    "data-published",
    "data-published-time",
    "data-publish-time",
    "data-timestamp",
    "data-created",
    "data-sort-time",
    "data-time",
    "data-date",
)
_UPDATED_ATTRIBUTES = (
    "data-last-modified-time",
    "data-last-updated",
    "data-update-time",
    "data-updated",
    "data-modified",
    "data-last-modified",
)
_AUTHOR_ATTRIBUTES = ("data-author", "data-block-contributor", "data-contributor", "data-byline")
# Class tokens of post furniture (not body): bylines, meta lines, share bars, stamps.
_FURNITURE = re.compile(
    r"(?:^|[-_])(?:meta|info|byline|bylines|author|authors|contributor|share|sharing|social"
    r"|footer|timestamp|time|date|dateline|badge|tools|actions|label|header|avatar)(?:$|[-_])"
)
_AUTHORISH = re.compile(r"(?:^|[-_])(?:author|authors|byline|bylines|contributor|writer)(?:$|[-_])")
_EDITED = re.compile(r"(?:^|[-_])(?:edited|updated|modified|last-updated)(?:$|[-_])")
_PINNED = re.compile(r"(?:^|[-_])(?:pinned|sticky|is-pinned|pin)(?:$|[-_])")
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_TITLE_CLASS = re.compile(r"(?:^|[-_])(?:title|headline|heading|head)(?:$|[-_])")
_BY_PREFIX = re.compile(r"^(?:by|posted by|written by|von|par|por)\s+", re.I)
# "... at 14:05", "... - Reporter", "... | 2 hours ago": what follows a name in a byline.
_BYLINE_TAIL = re.compile(r"\s+(?:at|on|updated|posted)\s+\S*\d.*$", re.I)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|&|\band\b|\|)\s*")
_GENERIC_IDS = re.compile(r"^(?:main|content|root|app|page|body|article|container|wrapper)$", re.I)
_LABELS = re.compile(r"^[A-Z0-9 !'&:-]{2,30}$")  # "KEY EVENT", "BREAKING": labels, not names


@dataclass
class PageContext:
    """What every post reader needs to know about the page."""

    base_url: str
    default_tz: tzinfo | None


def classes(el: HtmlElement) -> list[str]:
    """The element's class tokens, lower-cased."""
    return (el.get("class") or "").lower().split()


def _has_class(el: HtmlElement, pattern: re.Pattern[str]) -> bool:
    return any(pattern.search(token) for token in classes(el))


def post_id_of(el: HtmlElement) -> str | None:
    """The publisher's id of a post element, from its id or a data-*-id attribute."""
    for name in ID_ATTRIBUTES:
        value = (el.get(name) or "").strip()
        if value and not _GENERIC_IDS.match(value) and len(value) <= 120:
            return value
    return None


def _ids_of(el: HtmlElement) -> set[str]:
    out: set[str] = set()
    for name in ID_ATTRIBUTES:
        value = (el.get(name) or "").strip()
        if value:
            out |= key_aliases(value)
    return out


def _scoped(el: HtmlElement, prop: str) -> list[HtmlElement]:
    """Descendants with itemprop `prop` that belong to `el`'s item, not a nested item."""
    found: list[HtmlElement] = []
    for node in el.iterdescendants():
        if not isinstance(node.tag, str):
            continue
        if prop in (node.get("itemprop") or "").split():
            owner = node.getparent()
            while owner is not None and owner is not el and owner.get("itemscope") is None:
                owner = owner.getparent()
            if owner is el:
                found.append(node)
    return found


def _prop_value(node: HtmlElement) -> str:
    for name in ("content", "datetime", "value"):
        if node.get(name) is not None:
            return str(node.get(name))
    if node.tag in ("a", "link") and node.get("href"):
        return str(node.get("href"))
    return clean_space(node.text_content())


def _title_of(el: HtmlElement) -> tuple[str, HtmlElement | None]:
    props = _scoped(el, "headline") or _scoped(el, "name")
    if props:
        return clean_space(_prop_value(props[0])), props[0]
    for node in el.iter(*_HEADING_TAGS):
        if node.xpath("ancestor::blockquote|ancestor::figure"):
            continue
        text = clean_space(node.text_content())
        if text:
            return text, node
    for node in el.iterdescendants():
        if isinstance(node.tag, str) and _has_class(node, _TITLE_CLASS) and node.tag != "a":
            text = clean_space(node.text_content())
            if 0 < len(text) < 300:
                return text, node
    return "", None


def _split_names(text: str) -> list[str]:
    """Names in a byline: "By A, B and C" gives three; times and roles are not names."""
    text = _BY_PREFIX.sub("", clean_space(text))
    text = _BYLINE_TAIL.sub("", text)
    return [
        name
        for name in _AUTHOR_SPLIT.split(text)
        if name and len(name) < 80 and not any(ch.isdigit() for ch in name)
    ]


def _authors_of(el: HtmlElement) -> tuple[str, ...]:
    props = _scoped(el, "author")
    if props:
        names: list[str] = []
        for node in props:
            inner = _scoped(node, "name") if node.get("itemscope") is not None else []
            names.extend(_split_names(_prop_value(inner[0] if inner else node)))
        return tuple(dedupe(names))
    for attr in _AUTHOR_ATTRIBUTES:
        if el.get(attr):
            return tuple(dedupe(_split_names(el.get(attr) or "")))
    for node in el.iterdescendants():
        if not isinstance(node.tag, str):
            continue
        if node.get("rel") == "author" or _has_class(node, _AUTHORISH):
            if node.xpath("ancestor::blockquote"):
                continue
            names = _split_names(node.text_content())
            if names:
                return tuple(dedupe(names))
    # Meta lines that mark the author with <mark> or <strong> (the Mirror's live events).
    for node in el.xpath(".//*[contains(@class,'info') or contains(@class,'meta')]/mark"):
        text = clean_space(node.text_content())
        if text and not _LABELS.match(text):
            return tuple(_split_names(text))
    return ()


def _in_edited_marker(node: HtmlElement, stop: HtmlElement) -> bool:
    cur: HtmlElement | None = node
    while cur is not None and cur is not stop:
        if _has_class(cur, _EDITED):
            return True
        cur = cur.getparent()
    return False


def _times_of(
    el: HtmlElement, ctx: PageContext
) -> tuple[datetime | None, datetime | None, tuple[int, int] | None]:
    """(published, updated, clock-only time) of a post."""
    tz = ctx.default_tz
    published = updated = None
    prop = _scoped(el, "datePublished")
    if prop:
        published = to_datetime(_prop_value(prop[0]), tz)
    prop = _scoped(el, "dateModified")
    if prop:
        updated = to_datetime(_prop_value(prop[0]), tz)
    if published is None:
        for attr in _PUBLISHED_ATTRIBUTES:
            published = to_datetime(el.get(attr), tz)
            if published:
                break
    if updated is None:
        for attr in _UPDATED_ATTRIBUTES:
            updated = to_datetime(el.get(attr), tz)
            if updated:
                break
    clock: tuple[int, int] | None = None
    for node in el.iter("time"):
        if node.xpath("ancestor::blockquote"):
            continue
        raw = node.get("datetime") or node.get("data-time") or node.get("data-timestamp")
        stamp = to_datetime(raw, tz) if raw else None
        if _in_edited_marker(node, el):
            updated = updated or stamp
            continue
        if stamp and published is None:
            # An offset-less stamp is local time; an aware one wins over it.
            published = stamp
        if clock is None and stamp is None:
            clock = clock_of(node.text_content())
    if published is None and clock is None:
        for node in el.xpath(".//*[contains(@class,'time') or contains(@class,'date')]"):
            clock = clock_of(clean_space(node.text_content())[:40])
            if clock:
                break
    return published, updated, clock


def _is_pinned(el: HtmlElement, depth: int = 4) -> bool:
    cur: HtmlElement | None = el
    for _ in range(depth):
        if cur is None:
            return False
        if _has_class(cur, _PINNED) or (cur.get("data-pinned") or "").lower() == "true":
            return True
        cur = cur.getparent()
    return False


def _prepare_body(body: HtmlElement) -> None:
    """Make lazy, AMP and <picture> images plain <img> tags the sanitizer understands."""
    for node in body.iter("amp-img", "img"):
        node.tag = "img"
        if node.get("src") or node.get("srcset") or node.get("data-src"):
            continue
        # lxml's parser nests <img> inside a <source> (it is not void to libxml2).
        picture = next((a for a in node.iterancestors("picture")), None)
        if picture is not None:
            for source in picture.iter("source"):
                if source.get("srcset"):
                    node.set("srcset", source.get("srcset") or "")
                    break


def _in_running_text(node: HtmlElement, stop: HtmlElement) -> bool:
    """True when `node` sits inside a paragraph-like element (part of the prose)."""
    for anc in node.iterancestors():
        if anc is stop:
            return False
        if anc.tag in ("p", "li", "blockquote", "td", "figcaption"):
            return True
    return False


def _body_of(el: HtmlElement, title_el: HtmlElement | None) -> HtmlElement:
    """A copy of the post without its title and furniture (byline, stamps, share bars)."""
    props = _scoped(el, "articleBody")
    if props:
        body: HtmlElement = copy.deepcopy(props[0])
        _prepare_body(body)
        return body
    body = copy.deepcopy(el)
    body.tail = None
    doomed: list[HtmlElement] = []
    # deepcopy keeps document order, so walking both trees together pairs each node
    # with its copy.
    for orig, node in zip(el.iter(), body.iter(), strict=False):
        if node is body or not isinstance(node.tag, str):
            continue
        if orig is title_el:
            doomed.append(node)
        elif node.tag in ("header", "footer", "button", "script", "style", "meta"):
            doomed.append(node)
        elif node.tag == "time" and not _in_running_text(orig, el):
            doomed.append(node)
        elif _has_class(node, _FURNITURE) and len(node.text_content()) < 300:
            doomed.append(node)
    for node in doomed:
        parent = node.getparent()
        if parent is not None:
            tail = node.tail
            parent.remove(node)
            if tail and tail.strip():
                prev = parent[-1] if len(parent) else None
                if prev is not None:
                    prev.tail = (prev.tail or "") + tail
                else:
                    parent.text = (parent.text or "") + tail
    _prepare_body(body)
    return body


def inner_html(el: HtmlElement) -> str:
    """The markup inside an element, without the element's own tag."""
    parts = [html_escape(el.text, quote=False)] if el.text else []
    parts.extend(lxml_html.tostring(child, encoding="unicode") for child in el)
    return "".join(parts)


def srcset_images(el: HtmlElement, base_url: str) -> list[str]:
    """The largest candidate of every srcset in `el` (the sanitizer keeps only one src)."""
    out: list[str] = []
    for node in el.xpath(".//img[@srcset or @data-srcset]"):
        best = best_srcset_candidate(node.get("srcset") or node.get("data-srcset") or "")
        url = absolute_url(best, base_url)
        if url:
            out.append(url)
    return out


def post_from_element(el: HtmlElement, layer: str, ctx: PageContext) -> RawUpdate | None:
    """One update read from a post element; None when it has neither id nor content."""
    title, title_el = _title_of(el)
    body = _body_of(el, title_el)
    body_html = inner_html(body)
    has_content = bool(clean_space(body.text_content())) or body.find(".//img") is not None
    key = post_id_of(el)
    if key is None:
        for prop in ("url", "@id"):
            found = _scoped(el, prop)
            if found and "#" in _prop_value(found[0]):
                key = _prop_value(found[0]).rsplit("#", 1)[1]
                break
    if key is None and el.get("itemid") and "#" in (el.get("itemid") or ""):
        key = (el.get("itemid") or "").rsplit("#", 1)[1]
    if key is None and not (title or has_content):
        return None
    published, updated, clock = _times_of(el, ctx)
    url = None
    if el.get("id"):
        url = absolute_url("#" + (el.get("id") or ""), ctx.base_url)
    update = RawUpdate(
        key=key or "",
        layer=layer,
        title=title,
        authors=_authors_of(el),
        published=published,
        updated=updated,
        url=url,
        body_html=body_html if has_content else None,
        image_urls=srcset_images(body, ctx.base_url),
        pinned=_is_pinned(el),
        aliases=_ids_of(el) | ({key} if key else set()),
        clock=clock,
    )
    return update
