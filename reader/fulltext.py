"""Full text for summary-only feeds: fetch the article page and keep its main content.

The extraction is a small readability-style heuristic over lxml (no extra dependency):
paragraph text is credited to its container, link-heavy and boilerplate blocks lose, and
the best container becomes the entry's content. The feed's summary is kept in
`entries.summary_html`, so nothing the publisher sent is lost.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import lxml.html
from lxml import etree
from sqlalchemy import select, update

from reader.errors import FetchError
from reader.sanitize import sanitize_content
from reader.store.schema import entries, entry_images, sources

if TYPE_CHECKING:
    from reader.core import Archive
    from reader.imagecache import ImageFetcher

log = logging.getLogger(__name__)

MAX_PAGE_BYTES = 5 * 1024**2
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
# The page must add at least this much over the summary to be worth replacing it.
MIN_GAIN_CHARS = 80

_NOISE_TAGS = (
    "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe",
    "button", "select", "textarea", "svg", "template", "dialog",
)
_NOISE_HINT = re.compile(
    r"comment|share|social|related|promo|advert|\bads?\b|sponsor|newsletter|subscribe|"
    r"sidebar|footer|header|menu|nav|breadcrumb|cookie|consent|popup|modal|outbrain|taboola|"
    r"recommend|most-read|signup|paywall",
    re.IGNORECASE,
)
_CONTENT_HINT = re.compile(
    r"article|story|content|entry|post|body|main|text|prose", re.IGNORECASE
)
_BLOCKS = ("p", "pre", "blockquote", "li", "h2", "h3", "figure", "td")


@dataclass(frozen=True)
class ExtractedArticle:
    html: str  # the chosen container's HTML, not yet sanitized


def _class_weight(element: Any) -> float:
    hints = f"{element.get('class', '')} {element.get('id', '')}"
    if not hints.strip():
        return 0.0
    weight = 0.0
    if _NOISE_HINT.search(hints):
        weight -= 25
    if _CONTENT_HINT.search(hints):
        weight += 25
    return weight


def _text_length(element: Any) -> int:
    return len(" ".join(element.text_content().split()))


def _link_density(element: Any) -> float:
    total = _text_length(element)
    if total == 0:
        return 1.0
    linked = sum(_text_length(link) for link in element.iter("a"))
    return linked / total


def extract_article(page_html: str) -> ExtractedArticle | None:
    """The main article content of a web page, or None when no block looks like one."""
    try:
        document = lxml.html.document_fromstring(page_html)
    except (etree.ParserError, ValueError):
        return None
    for element in list(document.iter(*_NOISE_TAGS)):
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)
    for element in list(document.iter()):
        if not isinstance(element.tag, str):  # comments, processing instructions
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
            continue
        if element.tag not in ("html", "body") and _NOISE_HINT.search(
            f"{element.get('class', '')} {element.get('id', '')}"
        ) and not _CONTENT_HINT.search(f"{element.get('class', '')} {element.get('id', '')}"):
            if _link_density(element) > 0.3 or _text_length(element) < 200:
                parent = element.getparent()
                if parent is not None:
                    parent.remove(element)

    scores: dict[Any, float] = {}
    for paragraph in document.iter("p", "pre", "blockquote"):
        length = _text_length(paragraph)
        if length < 25:
            continue
        text: str = paragraph.text_content()  # type: ignore[attr-defined]
        score = 1 + text.count(",") + min(length / 100, 3)
        parent = paragraph.getparent()
        if parent is None:
            continue
        for ancestor, share in ((parent, 1.0), (parent.getparent(), 0.5)):
            if ancestor is None:
                continue
            if ancestor not in scores:
                scores[ancestor] = _class_weight(ancestor) + (
                    10 if ancestor.tag in ("article", "main") else 0
                )
            scores[ancestor] += score * share
    if not scores:
        return None
    best = max(scores, key=lambda element: scores[element] * (1 - _link_density(element)))
    if _text_length(best) < 140:
        return None
    # A container of one long story sometimes splits it across sibling blocks.
    parent = best.getparent()
    pieces = [best]
    if parent is not None:
        threshold = max(10.0, scores[best] * 0.2)
        pieces = [
            sibling
            for sibling in parent
            if sibling is best
            or (scores.get(sibling, 0.0) >= threshold and _link_density(sibling) < 0.25)
        ]
    html = "".join(lxml.html.tostring(piece, encoding="unicode") for piece in pieces)
    return ExtractedArticle(html=html)


def _decode(content: bytes, charset: str | None) -> str:
    for encoding in (charset, "utf-8"):
        if not encoding:
            continue
        try:
            return content.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return content.decode("cp1252", errors="replace")


@dataclass(frozen=True)
class _FullText:
    entry_id: int
    html: str
    text: str
    image_urls: tuple[str, ...]


def _fetch_one(
    fetcher: ImageFetcher, entry_id: int, url: str, current_text: str
) -> _FullText | None:
    try:
        result = fetcher.fetch(url, max_bytes=MAX_PAGE_BYTES, accept=PAGE_ACCEPT)
    except FetchError as error:
        log.info("full text of entry %s not fetched: %s", entry_id, error)
        return None
    if result.content_type and "html" not in result.content_type:
        return None
    article = extract_article(_decode(result.content, result.charset))
    if article is None:
        return None
    content = sanitize_content(article.html, result.url)
    if len(content.text) < len(current_text) + MIN_GAIN_CHARS:
        return None  # the feed already carried about as much as the page has
    return _FullText(entry_id, content.html, content.text, content.image_urls)


def fetch_full_text(
    archive: Archive,
    entry_ids: Sequence[int],
    *,
    fetcher: ImageFetcher,
    max_workers: int = 4,
) -> int:
    """Replace summaries by the full article for entries of sources with full_text on.

    Entries that already got their full text (summary_html set) are left alone. Returns
    how many entries were updated; a page that fails or reads worse than the summary
    leaves its entry unchanged.
    """
    wanted = list(dict.fromkeys(entry_ids))
    candidates: list[tuple[int, str, str]] = []
    with archive.reading() as connection:
        for start in range(0, len(wanted), 500):
            rows = connection.execute(
                select(entries.c.id, entries.c.url, entries.c.text)
                .join(sources, sources.c.id == entries.c.source_id)
                .where(
                    entries.c.id.in_(wanted[start : start + 500]),
                    sources.c.full_text == True,  # noqa: E712 - SQL expression
                    entries.c.summary_html.is_(None),
                    entries.c.url.is_not(None),
                    entries.c.withdrawn == False,  # noqa: E712
                )
            )
            candidates.extend((int(r.id), str(r.url), str(r.text)) for r in rows)
    if not candidates:
        return 0
    with ThreadPoolExecutor(max_workers=max(1, max_workers)) as pool:
        found = [
            item
            for item in pool.map(lambda c: _fetch_one(fetcher, *c), candidates)
            if item is not None
        ]
    for item in found:
        _store(archive, item)
    return len(found)


def _store(archive: Archive, item: _FullText) -> None:
    with archive.writing() as connection:
        row = connection.execute(
            select(entries.c.html, entries.c.images, entries.c.summary_html).where(
                entries.c.id == item.entry_id
            )
        ).first()
        if row is None or row.summary_html is not None:
            return  # deleted meanwhile, or filled by a concurrent call
        old_images = [str(u) for u in json.loads(row.images or "[]")]
        images = list(dict.fromkeys([*item.image_urls, *old_images]))
        # Updating `text` fires the search index's update trigger: the full text is searchable.
        connection.execute(
            update(entries)
            .where(entries.c.id == item.entry_id)
            .values(
                summary_html=row.html,
                html=item.html,
                text=item.text,
                images=json.dumps(images, ensure_ascii=False),
            )
        )
        known = set(
            connection.execute(
                select(entry_images.c.url).where(entry_images.c.entry_id == item.entry_id)
            ).scalars()
        )
        added = [url for url in item.image_urls if url not in known]
        if added:
            connection.execute(
                entry_images.insert(),
                [{"entry_id": item.entry_id, "url": url, "status": "pending"} for url in added],
            )
