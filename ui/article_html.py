"""Composing the reading pane's HTML: the article with its header, a thread's timeline,
and search-term highlighting when the core does not provide it."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from reader.types import Entry, Source, Thread
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
"""


def entry_html(
    entry: Entry,
    source: Source | None,
    *,
    body_html: str | None = None,
    revisions: int = 1,
) -> str:
    """The article: title, byline, local time and source, notices, then the sanitized body."""
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


def thread_html(thread: Thread, entries: Sequence[Entry]) -> str:
    """A story's timeline across sources, newest first; titles link to the entries."""
    rows = []
    for entry in entries:
        when = html.escape(local_time_text(entry.published))
        source = html.escape(entry.source_title)
        title = html.escape(entry.title or "(untitled)")
        summary = html.escape(_first_words(entry.text, 40))
        weight = "normal" if entry.read else "600"
        rows.append(
            "<tr>"
            f"<td width='90' valign='top' class='timeline-time'>{when}</td>"
            f"<td valign='top'><a href='newsdesk:entry/{int(entry.id)}' "
            f"style='font-weight:{weight}'>{title}</a><br>"
            f"<span class='meta'>{source}</span><br>{summary}</td></tr>"
        )
    sources = len({entry.source_id for entry in entries})
    meta = (
        f"{thread.size} items from {sources} source{'s' if sources != 1 else ''} · "
        f"{thread.unread} unread · "
        f"last activity {html.escape(local_time_text(thread.last_activity))}"
    )
    return (
        f"<body><p class='kicker'><small>STORY</small></p><h1>{html.escape(thread.label)}</h1>"
        f"<p class='meta'>{meta}</p>"
        f"<table width='100%' cellpadding='6' cellspacing='0'>{''.join(rows)}</table></body>"
    )


def _first_words(text: str, count: int) -> str:
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")


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
