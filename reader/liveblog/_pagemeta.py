"""The blog's own fields: title, standfirst, key points, liveness and pagination."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from urllib.parse import parse_qs, urlsplit

from lxml import html as lxml_html
from lxml.html import HtmlElement

from reader.liveblog._common import absolute_url, clean_space, dedupe
from reader.liveblog._jsonld import BlogInfo
from reader.liveblog._times import to_datetime
from reader.sanitize import sanitize_html

_TITLE_SUFFIX = re.compile(r"\s+[|\u2013\u2014-]\s+[^|\u2013\u2014-]{2,40}$")
_LIVE_WORD = re.compile(r"\bLIVE\b|\blive\s*(?::|updates?|blog)", re.I)
_OLDER_TEXT = re.compile(
    r"\b(?:older|earlier|previous)\s+(?:posts?|updates?|entries|page)\b|\bload\s+more\b"
    r"|\bshow\s+(?:more|older|earlier)\b|\bnext\s+page\b",
    re.I,
)
# Summaries first, then key-event lists (links to posts) when there is no summary.
_SUMMARY_XPATHS = (
    "//*[contains(@class,'key-points') or contains(@class,'keypoints')"
    " or contains(@class,'live-summary') or contains(@class,'summary')"
    " or contains(@class,'lead-entry') or contains(@data-testid,'key-points')"
    " or contains(@data-testid,'summary')]",
    "//*[contains(@class,'key-events') or contains(@class,'keyevents')]",
)
_INSIDE_POST = (
    "ancestor::*[@itemprop='liveBlogUpdate' or @data-post-id or @data-block-id"
    " or @data-entry-id or (self::article and @id)]"
)
_STANDFIRST_XPATH = (
    "//*[contains(@class,'standfirst') or contains(@class,'sub-headline') or contains(@class,"
    "'subheadline') or contains(@class,'article-description') or contains(@class,'dek')"
    " or contains(@class,'sub-title') or contains(@class,'subtitle')"
    " or @data-testid='standfirst']"
)


def page_title(doc: HtmlElement, blog: BlogInfo) -> str:
    """JSON-LD headline, else microdata headline, og:title, the h1, or <title> minus site name."""
    if blog.headline:
        return blog.headline
    for xpath in (
        "//*[@itemtype and contains(@itemtype,'LiveBlogPosting')]//*[@itemprop='headline']",
        "//meta[@property='og:title']/@content",
        "//h1",
    ):
        for found in doc.xpath(xpath):
            text = clean_space(found if isinstance(found, str) else found.text_content())
            if text:
                return text
    title = doc.find(".//title")
    if title is not None:
        return _TITLE_SUFFIX.sub("", clean_space(title.text_content()))
    return ""


def page_standfirst(doc: HtmlElement, blog: BlogInfo) -> str:
    """The blog's standfirst as plain text."""
    for found in doc.xpath(_STANDFIRST_XPATH):
        text = clean_space(found.text_content())
        if text:
            return text
    if blog.description:
        return blog.description
    for value in doc.xpath("//meta[@name='description' or @property='og:description']/@content"):
        text = clean_space(str(value))
        if text:
            return text
    return ""


def page_summary_html(doc: HtmlElement, base_url: str) -> str:
    """The blog's summary or key points, sanitized; "" when the page has none."""
    for xpath in _SUMMARY_XPATHS:
        for found in doc.xpath(xpath):
            if len(clean_space(found.text_content())) < 20 or found.xpath(_INSIDE_POST):
                continue
            html = lxml_html.tostring(found, encoding="unicode", with_tail=False)
            return sanitize_html(html, base_url=base_url)
    return ""


def page_modified(doc: HtmlElement, default_tz: tzinfo | None) -> datetime | None:
    """When the page says it was last changed (dates clock-only update times)."""
    for value in doc.xpath(
        "//meta[@property='article:modified_time' or @property='og:updated_time'"
        " or @name='last-modified' or @itemprop='dateModified'"
        " or @property='article:published_time' or @itemprop='datePublished']/@content"
    ):
        when = to_datetime(str(value), default_tz)
        if when is not None:
            return when
    return None


def page_says_live(doc: HtmlElement, title: str) -> bool:
    """A live badge, or LIVE in the headline."""
    if re.search(r"\bLIVE\b", title) or _LIVE_WORD.search(title):
        return True
    badges = doc.xpath(
        "//*[contains(@class,'live-badge') or contains(@class,'live-indicator')"
        " or contains(@class,'is-live') or contains(@class,'live-label')]"
    )
    return any(clean_space(b.text_content()).lower().startswith("live") for b in badges)


def older_page_links(doc: HtmlElement, page_url: str) -> tuple[str, ...]:
    """Absolute URLs of the page's own links to older pages of the same blog."""
    here = urlsplit(page_url)
    page_only = page_url.split("#")[0]
    found: list[str] = []
    for link in doc.xpath("//link[@rel='next']/@href | //a[@rel='next']/@href"):
        url = absolute_url(str(link), page_url)
        if url:
            found.append(url)
    # Only links that name a page number or are short enough to be a pager button.
    for anchor in doc.xpath(
        "//a[@href][contains(@href,'page=') or string-length(normalize-space()) < 40]"
    ):
        href = anchor.get("href") or ""
        numbered = "page=" in href
        if not numbered and not _OLDER_TEXT.search(anchor.text_content()):
            continue
        url = absolute_url(href, page_url)
        if not url or url.split("#")[0] == page_only:
            continue
        parts = urlsplit(url)
        if parts.netloc != here.netloc:
            continue
        same_blog = parts.path == here.path
        page_numbers = parse_qs(parts.query).get("page", []) if numbered else []
        if same_blog and any(n.isdigit() and int(n) >= 2 for n in page_numbers):
            found.append(url)
        elif not numbered and (same_blog or (anchor.get("rel") or "") == "next"):
            found.append(url)
        elif numbered and same_blog and _OLDER_TEXT.search(anchor.text_content()):
            found.append(url)
    return tuple(u for u in dedupe(found) if u.split("#")[0] != page_only)


def is_windowed(doc: HtmlElement) -> bool:
    """True when the page says it shows only its newest updates (a "load more" control)."""
    for node in doc.xpath("//button | //a[not(@href) or starts-with(@href,'#')]"):
        if _OLDER_TEXT.search(clean_space(node.text_content())):
            return True
    return bool(
        doc.xpath(
            "//*[contains(@class,'load-more') or contains(@class,'loadmore')][self::button"
            " or self::a or @role='button']"
        )
    )
