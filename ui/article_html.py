"""Composing the reading pane's HTML: the article with its header, a thread's timeline,
and search-term highlighting when the core does not provide it."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from PySide6.QtCore import QDateTime, QLocale

from reader.types import Entry, Source
from ui.models.rows import full_local_time_text, local_time_text


def document_css(colors: dict[str, str], font_pt: int) -> str:
    """The default style sheet of the article document (QTextDocument's CSS subset)."""
    return f"""
body {{ font-size: {font_pt}pt; color: {colors["text"]}; }}
h1 {{ font-size: {round(font_pt * 1.6)}pt; font-weight: 600; margin-bottom: 4px; }}
h2 {{ font-size: {round(font_pt * 1.3)}pt; }}
h3 {{ font-size: {round(font_pt * 1.15)}pt; }}
p {{ margin-top: 0px; margin-bottom: 10px; line-height: 135%; }}
a {{ color: {colors["link"]}; text-decoration: none; }}
blockquote {{ margin-left: 12px; color: {colors["muted"]}; }}
.meta {{ color: {colors["muted"]}; }}
.kicker {{ color: {colors["live"]}; font-weight: 600; }}
.banner {{ background-color: {colors["badge"]}; color: {colors["badge_text"]}; }}
.withdrawn {{ color: {colors["muted"]}; }}
.nd-match {{ background-color: {colors["match"]}; }}
.timeline-time {{ color: {colors["muted"]}; }}
.timeline-day {{ color: {colors["text"]}; background-color: {colors["badge"]}; }}
"""


def entry_html(
    entry: Entry,
    source: Source | None,
    *,
    body_html: str | None = None,
    revisions: int = 1,
) -> str:
    """The article: title, byline, local time and source, notices, then the sanitized body."""
    header = entry_header_html(entry, source, revisions=revisions)
    return header.removesuffix("</body>") + entry_body_html(entry, body_html=body_html)[6:]


def entry_header_html(entry: Entry, source: Source | None, *, revisions: int = 1) -> str:
    """Title, byline, local time and source, and notices (withdrawn, edited)."""
    title = html.escape(entry.title or "(untitled)")
    meta: list[str] = []
    source_name = entry.source_title or (source.title if source else "")
    if source_name:
        meta.append(html.escape(source_name))
    if entry.authors:
        meta.append("by " + html.escape(", ".join(entry.authors)))
    if entry.published is not None:
        meta.append(html.escape(full_local_time_text(entry.published)))
    kicker: list[str] = []
    if entry.kind == "liveblog-update":
        kicker.append("LIVE BLOG UPDATE")
    if entry.pinned:
        kicker.append("PINNED")
    notices: list[str] = []
    if entry.withdrawn:
        notices.append(
            "<b>Withdrawn.</b> The publisher has taken this update down; "
            "this is the last version Newsdesk saw."
        )
    if revisions > 1:
        notices.append(
            f"<b>Edited.</b> {revisions} versions seen. "
            "<a href='newsdesk:history'>Show what changed</a>"
        )
    parts = []
    if kicker:
        parts.append(f"<p class='kicker'><small>{' · '.join(kicker)}</small></p>")
    parts.append(f"<h1>{title}</h1>")
    if meta:
        parts.append(f"<p class='meta'>{' · '.join(meta)}</p>")
    for notice in notices:
        parts.append(
            "<table width='100%' cellpadding='8' class='banner'>"
            f"<tr><td>{notice}</td></tr></table><p></p>"
        )
    return "<body>" + "\n".join(parts) + "</body>"


def entry_body_html(entry: Entry, *, body_html: str | None = None) -> str:
    """The sanitized body (or the plain text as paragraphs) and the publisher's link."""
    parts: list[str] = []
    body = body_html if body_html is not None else entry.html
    if not body.strip():
        body = "".join(f"<p>{html.escape(p)}</p>" for p in entry.text.split("\n\n") if p.strip())
    if entry.withdrawn:
        body = f"<div class='withdrawn'>{body}</div>"
    parts.append(body)
    if entry.url:
        link = html.escape(entry.url, quote=True)
        parts.append(f"<p class='meta'><br><a href='{link}'>Read on the publisher's site</a></p>")
    return "<body>" + "\n".join(parts) + "</body>"


class ThreadLike(Protocol):
    """A thread as the core or the grouped list describes it."""

    @property
    def label(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def unread(self) -> int: ...
    @property
    def last_activity(self) -> datetime | None: ...


def thread_html(thread: ThreadLike, entries: Sequence[Entry], note: str = "") -> str:
    """A story's timeline across sources, oldest first and grouped by day; titles link to
    the entries so the story can be read in order. `note` (plain text) is shown as a banner
    above it (e.g. that another story was merged into this one)."""
    ordered = sorted(
        entries, key=lambda e: (e.published is None, e.published or datetime.min, e.id)
    )
    rows: list[str] = []
    day = ""
    for entry in ordered:
        entry_day = day_text(entry.published)
        if entry_day != day:
            day = entry_day
            rows.append(
                f"<tr><td colspan='2' class='timeline-day'><b>{html.escape(day)}</b></td></tr>"
            )
        when = html.escape(clock_text(entry.published))
        source = html.escape(entry.source_title)
        title = html.escape(entry.title or _first_words(entry.text, 12) or "(untitled)")
        summary = html.escape(_first_words(entry.text, 40))
        weight = "normal" if entry.read else "600"
        unread = "" if entry.read else " · <span class='kicker'>unread</span>"
        rows.append(
            "<tr>"
            f"<td width='64' valign='top' class='timeline-time'>{when}</td>"
            f"<td valign='top'><a href='newsdesk:entry/{int(entry.id)}' "
            f"style='font-weight:{weight}'>{title}</a><br>"
            f"<span class='meta'><small>{source}{unread}</small></span><br>{summary}</td></tr>"
        )
    names = sorted({entry.source_title for entry in entries if entry.source_title})
    count = len(names)
    meta = (
        f"{thread.size} item{'s' if thread.size != 1 else ''} from {count} "
        f"source{'s' if count != 1 else ''} · {thread.unread} unread · "
        f"last activity {html.escape(local_time_text(thread.last_activity))}"
    )
    shown = (
        ""
        if len(entries) >= thread.size
        else (f"<p class='meta'>Showing the newest {len(entries)} of {thread.size} items.</p>")
    )
    banner = (
        "<table width='100%' cellpadding='8' class='banner'>"
        f"<tr><td>{html.escape(note)}</td></tr></table><p></p>"
        if note
        else ""
    )
    return (
        "<body><p class='kicker'><small>STORY TIMELINE</small></p>"
        f"<h1>{html.escape(thread.label or '(unlabelled story)')}</h1>"
        f"<p class='meta'>{meta}</p>{banner}"
        f"<p class='meta'>Sources: {html.escape(', '.join(names))}</p>{shown}"
        f"<table width='100%' cellpadding='5' cellspacing='0'>{''.join(rows)}</table></body>"
    )


def day_text(moment: datetime | None) -> str:
    if moment is None:
        return "Undated"
    local = QDateTime.fromSecsSinceEpoch(int(moment.timestamp())).toLocalTime()
    return QLocale().toString(local.date(), "dddd d MMMM yyyy")


def clock_text(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return QDateTime.fromSecsSinceEpoch(int(moment.timestamp())).toLocalTime().toString("HH:mm")


def _first_words(text: str, count: int) -> str:
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_SIZE_ATTRIBUTE = re.compile(r"""\s(?:width|height)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.I)


def natural_image_sizes(document: str) -> str:
    """Drop width/height from <img>: the browser then uses the image it is given, which
    `loadResource` scales to the pane (or the small "not saved offline" placeholder), instead
    of stretching either to the publisher's 640x360."""
    return _IMG_TAG.sub(lambda m: _SIZE_ATTRIBUTE.sub("", m.group(0)), document)


def highlight_terms(body_html: str, terms: Sequence[str]) -> tuple[str, int]:
    """Mark whole-word (prefix) matches of `terms` in the text of `body_html`.

    Used only when the core's stem-aware `highlight_html` is not available.
    """
    words = [re.escape(t.strip('"*').lower()) for t in terms if t.strip('"*')]
    if not words:
        return body_html, 0
    pattern = re.compile(r"\b(" + "|".join(sorted(words, key=len, reverse=True)) + r")\w*", re.I)
    count = 0
    out: list[str] = []
    for part in _TAG_OR_TEXT.split(body_html):
        if part.startswith("<"):
            out.append(part)
            continue

        def mark(match: re.Match[str]) -> str:
            nonlocal count
            count += 1
            return f'<span class="nd-match" id="nd-match-{count}">{match.group(0)}</span>'

        out.append(pattern.sub(mark, part))
    return "".join(out), count
