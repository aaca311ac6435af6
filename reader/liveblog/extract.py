"""Live-blog extraction: one page of HTML into a ParsedPage of updates.

Layers are read in order of trust (JSON-LD, microdata, visible-HTML adapters) and merged
by update id; a generic heuristic runs only when they all come back empty.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from reader.errors import ParseError
from reader.liveblog._common import (
    RawUpdate,
    clean_space,
    headline_from_text,
    key_aliases,
    normalize_for_compare,
)
from reader.liveblog._jsonld import BlogInfo, read_jsonld
from reader.liveblog._layers import (
    adapter_posts,
    adapter_updates,
    generic_updates,
    microdata_updates,
)
from reader.liveblog._merge import merge_layers
from reader.liveblog._pagemeta import (
    is_windowed,
    older_page_links,
    page_modified,
    page_says_live,
    page_standfirst,
    page_summary_html,
    page_title,
)
from reader.liveblog._posts import PageContext
from reader.liveblog._times import date_clock_times, offset_from_text, to_datetime
from reader.sanitize import html_to_text, image_urls, plain_text_to_html, sanitize_html
from reader.types import ParsedEntry, ParsedPage

LOW_CONFIDENCE = "low-confidence generic extraction"
# A blog whose newest update is this old is over, whatever its badge says.
_STALE_AFTER = timedelta(hours=48)
_STRONG_MARKERS = re.compile(rb"LiveBlogPosting|liveBlogUpdate", re.I)
_WEAK_MARKERS = re.compile(
    rb"class=[\"'][^\"']*(?:live-?(?:blog|post|event|update|story|entry|feed)|lx-stream|ncpost)",
    re.I,
)
# Characters XML (and so lxml) refuses; stripped so no tree operation can trip on them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_TRUNCATED = re.compile(r"(?:\u2026|\.\.\.|\[\.\.\.\])\s*$")
_LIVE_POST_CLASS = re.compile(r"live|lx-stream|ncpost|timeline")
_LIVE_HEADLINE = re.compile(
    r"\blive\b|latest updates|as it happened|minute[- ]by[- ]minute|rolling coverage", re.I
)
_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)""", re.I)


def _decode(html: bytes | str) -> str:
    """The page as text: BOM, then <meta charset>, then UTF-8, then Windows-1252."""
    if isinstance(html, str):
        return html
    if html.startswith(b"\xef\xbb\xbf"):
        return html[3:].decode("utf-8", "replace")
    if html.startswith((b"\xff\xfe", b"\xfe\xff")):
        return html.decode("utf-16", "replace")
    match = _CHARSET.search(html[:4096])
    if match:
        try:
            return html.decode(match.group(1).decode("ascii"), "replace")
        except LookupError:
            pass
    try:
        return html.decode("utf-8")
    except UnicodeDecodeError:
        return html.decode("cp1252", "replace")


def _parse(html: bytes | str) -> HtmlElement:
    text = _decode(html)
    if not text.strip():
        raise ParseError("no live-blog updates found: the page is empty")
    # An XML declaration with an encoding is refused for str input; it says nothing useful.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    if _NOT_XML.search(text):
        text = _NOT_XML.sub("", text)
    try:
        doc = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"no live-blog updates found: unreadable HTML ({exc})") from exc
    return doc


def looks_like_liveblog(html: bytes | str) -> bool:
    """Cheap check for live-blog markup (used by `add` to pick the source kind)."""
    raw = html.encode("utf-8", "replace") if isinstance(html, str) else html
    if _STRONG_MARKERS.search(raw):
        return True
    if not _WEAK_MARKERS.search(raw):
        return False
    try:
        doc = _parse(raw)
    except ParseError:
        return False
    ctx = PageContext(base_url="https://example.invalid/", default_tz=None)
    if len(microdata_updates(doc, ctx)) >= 2:
        return True
    posts = adapter_posts(doc)
    if len(posts) < 2:
        return False
    # A home page's story cards also repeat with ids and times: ask for a live hint on the
    # posts themselves or in the headline.
    post_classes = " ".join(el.get("class") or "" for el in posts[:5]).lower()
    if _LIVE_POST_CLASS.search(post_classes):
        return True
    headline = " ".join(str(t) for t in doc.xpath("//title//text() | //h1//text()"))
    return bool(_LIVE_HEADLINE.search(headline))


def _page_tz(doc: HtmlElement, scripts: list[str]) -> tzinfo | None:
    """The page's own UTC offset, read off any of its zoned timestamps."""
    for script in scripts:
        tz = offset_from_text(script[:20000])
        if tz is not None:
            return tz
    for value in doc.xpath("//meta[contains(@property,'time') or contains(@name,'date')]/@content"):
        tz = offset_from_text(str(value))
        if tz is not None:
            return tz
    return None


def _date_clocks(updates: list[RawUpdate], reference: datetime, tz: tzinfo) -> None:
    """Give updates that only showed a wall-clock time their date (crossing midnight)."""
    pending = [u for u in updates if u.published is None and u.clock is not None]
    if not pending:
        return
    dated = date_clock_times([u.clock for u in pending], reference, tz)
    for update, when in zip(pending, dated, strict=True):
        update.published = when


def _render(body_html: str | None, body_text: str | None, url: str) -> tuple[str, str]:
    """(sanitized html, plain text) of a body given as HTML or as plain text."""
    if body_html:
        safe = sanitize_html(body_html, base_url=url)
        return safe, html_to_text(safe)
    if body_text:
        safe = plain_text_to_html(body_text)
        text = clean_space(body_text) if "\n" not in body_text else html_to_text(safe)
        return safe, text
    return "", ""


def _finish(update: RawUpdate, blog: BlogInfo, base_url: str) -> ParsedEntry:
    """Sanitize the merged update once and turn it into the public value."""
    url = update.url or base_url
    # Relative links resolve against the address the page was fetched from, not against
    # the publisher's canonical URL for the update (which may name another host).
    safe, text = _render(update.body_html, update.body_text, base_url)
    if update.jsonld_html or update.jsonld_text:
        # Text from the JSON-LD body whenever the page has one: it is served on every
        # poll, while the visible post (with its captions and embeds) may drop out of a
        # windowed page, and switching sources would read as an edit.
        structured_text = _render(update.jsonld_html, update.jsonld_text, base_url)[1]
        if structured_text and not _TRUNCATED.search(structured_text):
            text = structured_text
    images = list(image_urls(safe)) if "<img" in safe else []
    images += [u for u in update.image_urls if u not in images]
    title = update.title
    if (not title or (update.weak_title and title == blog.headline)) and text:
        title = headline_from_text(text)
    return ParsedEntry(
        key=update.key,
        kind="liveblog-update",
        title=title,
        authors=update.authors,
        published=update.published or update.updated,
        updated=update.updated or update.published,
        url=url,
        html=safe,
        text=text,
        image_urls=tuple(images),
        pinned=update.pinned,
    )


def _is_live(
    doc: HtmlElement, blog: BlogInfo, entries: list[ParsedEntry], title: str, now: datetime
) -> bool:
    if blog.coverage_end is not None:
        return blog.coverage_end > now
    newest = max((e.published for e in entries if e.published), default=None)
    if newest is not None and now - newest > _STALE_AFTER:
        return False
    return blog.found and not blog.has_coverage_end or page_says_live(doc, title)


def _visible_layer(
    doc: HtmlElement, ctx: PageContext, structured: list[RawUpdate]
) -> list[RawUpdate]:
    """The adapters' posts, unless structured data exists and they share no id with it.

    Then the adapters latched onto something else with ids and times (a list of related
    stories, say), and merging it would invent updates.
    """
    visible = adapter_updates(doc, ctx)
    if not structured or not visible:
        return visible
    known: set[str] = set()
    for update in structured:
        known |= update.aliases | key_aliases(update.key)
    if any((update.aliases | key_aliases(update.key)) & known for update in visible):
        return visible
    titles = {normalize_for_compare(u.title).lower() for u in structured if u.title}
    if any(u.title and normalize_for_compare(u.title).lower() in titles for u in visible):
        return visible
    return []


def _coverage_end(doc: HtmlElement, blog: BlogInfo, tz: tzinfo | None) -> None:
    """Microdata's coverageEndTime when JSON-LD gave none."""
    if blog.has_coverage_end:
        return
    for node in doc.xpath("//*[@itemprop='coverageEndTime']"):
        blog.has_coverage_end = True
        blog.coverage_end = to_datetime(
            node.get("content") or node.get("datetime") or node.text_content(), tz
        )
        return


def extract_liveblog(
    html: bytes | str,
    *,
    url: str,
    default_tz: tzinfo | None = None,
    now: datetime | None = None,
) -> ParsedPage:
    """Read a live-blog page. Raises ParseError when it has no live-blog updates.

    `default_tz` is the zone of times the page writes without an offset; when None, the
    page's own offset (from its zoned timestamps) is used, else UTC. `now` (default: the
    current time) decides whether the coverage is still live.
    """
    now = now or datetime.now(UTC)
    doc = _parse(html)
    scripts = [
        s.text or ""
        for s in doc.xpath("//script[contains(translate(@type,'LDJSON','ldjson'),'ld+json')]")
    ]
    tz = default_tz or _page_tz(doc, scripts)
    ctx = PageContext(base_url=url, default_tz=tz)
    blog = read_jsonld(scripts, base=url, default_tz=tz)
    _coverage_end(doc, blog, tz)
    structured = blog.updates + microdata_updates(doc, ctx)
    layers = [blog.updates, structured[len(blog.updates) :], _visible_layer(doc, ctx, structured)]
    warnings: list[str] = []
    if not any(layers):
        layers = [generic_updates(doc, ctx)]
        if layers[0]:
            warnings.append(LOW_CONFIDENCE)
    merged = [u for u in merge_layers(layers) if u.title or u.body_html or u.body_text]
    if not merged:
        raise ParseError("no live-blog updates found")
    reference = (
        blog.date_modified
        or page_modified(doc, tz)
        or max((u.published for u in merged if u.published), default=now)
    )
    _date_clocks(merged, reference, tz or UTC)
    title = page_title(doc, blog)
    entries = [_finish(u, blog, url) for u in merged]
    # Newest first; the page's own order breaks ties (display order is not id order).
    floor = datetime.min.replace(tzinfo=UTC)
    entries.sort(key=lambda e: e.published or floor, reverse=True)
    undated = sum(1 for e in entries if e.published is None)
    if undated:
        warnings.append(f"{undated} update(s) without a time")
    older = older_page_links(doc, url)
    return ParsedPage(
        kind="liveblog",
        title=title,
        url=url,
        entries=tuple(entries),
        warnings=tuple(warnings),
        standfirst=page_standfirst(doc, blog),
        summary_html=page_summary_html(doc, url),
        is_live=_is_live(doc, blog, entries, title, now),
        older_pages=older,
        windowed=bool(older) or is_windowed(doc),
    )
