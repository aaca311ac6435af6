"""The reader's own highlights: passages of an entry's plain text kept with a color and a note.

A highlight stores its quote, its offset when made and ~32 characters of context on each
side, so that it can be found again after a live-blog update is edited (`locate_highlight`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, get_args

from sqlalchemy import Connection, Select, delete, func, select, update

from reader.errors import InvalidInput, NotFound
from reader.store.schema import entries, highlights, sources

Color = Literal["yellow", "green", "blue", "pink"]
COLORS: tuple[str, ...] = get_args(Color)
CONTEXT_CHARS = 32
FUZZY_MIN_RATIO = 0.8  # how alike an edited passage must stay to count as the same quote


@dataclass(frozen=True)
class Highlight:
    id: int
    entry_id: int
    quote: str
    prefix: str
    suffix: str
    start: int  # offset in the entry's plain text when the highlight was made
    color: str
    note: str
    created: datetime
    entry_title: str = ""
    source_title: str = ""
    entry_url: str | None = None


# A highlight with where it is in its entry's current text: (start, end), or None when gone.
AnchoredHighlight = tuple[Highlight, tuple[int, int] | None]


def _check_color(color: str) -> None:
    if color not in COLORS:
        raise InvalidInput(f"unknown highlight color '{color}' (known: {', '.join(COLORS)})")


def _entry_text(connection: Connection, entry_id: int) -> str:
    text = connection.execute(select(entries.c.text).where(entries.c.id == entry_id)).scalar()
    if text is None:
        raise NotFound(f"no entry with id {entry_id}")
    return str(text)


def add_highlight(
    connection: Connection,
    entry_id: int,
    quote: str,
    start: int,
    *,
    color: str = "yellow",
    note: str = "",
    now: datetime | None = None,
) -> Highlight:
    """Keep `quote`, found at `start` in the entry's plain text (or nearest to it)."""
    _check_color(color)
    if not quote.strip():
        raise InvalidInput("a highlight needs some text")
    text = _entry_text(connection, entry_id)
    found = locate_highlight(text, quote, "", "", start)
    if found is None:
        raise InvalidInput("the highlighted text is not in this entry")
    begin, end = found
    quote = text[begin:end]
    created = now or datetime.now(UTC)
    values = {
        "entry_id": entry_id,
        "quote": quote,
        "prefix": text[max(0, begin - CONTEXT_CHARS) : begin],
        "suffix": text[end : end + CONTEXT_CHARS],
        "start": begin,
        "color": color,
        "note": note,
        "created": int(created.timestamp()),
    }
    new_id = connection.execute(highlights.insert().values(**values)).inserted_primary_key[0]  # type: ignore[index]
    return get_highlight(connection, int(new_id))


def _query() -> Select[Any]:
    return (
        select(
            highlights,
            entries.c.title.label("entry_title"),
            entries.c.url.label("entry_url"),
            func.coalesce(sources.c.user_title, sources.c.title).label("source_title"),
        )
        .join(entries, entries.c.id == highlights.c.entry_id)
        .join(sources, sources.c.id == entries.c.source_id)
    )


def _from_row(row: object) -> Highlight:
    m = row._mapping  # type: ignore[attr-defined]
    return Highlight(
        id=m["id"],
        entry_id=m["entry_id"],
        quote=m["quote"],
        prefix=m["prefix"],
        suffix=m["suffix"],
        start=m["start"],
        color=m["color"],
        note=m["note"],
        created=datetime.fromtimestamp(m["created"], UTC),
        entry_title=m["entry_title"],
        source_title=m["source_title"] or "",
        entry_url=m["entry_url"],
    )


def get_highlight(connection: Connection, highlight_id: int) -> Highlight:
    row = connection.execute(_query().where(highlights.c.id == highlight_id)).first()
    if row is None:
        raise NotFound(f"no highlight with id {highlight_id}")
    return _from_row(row)


def highlights_for_entry(connection: Connection, entry_id: int) -> list[Highlight]:
    """One entry's highlights in reading order."""
    query = _query().where(highlights.c.entry_id == entry_id)
    rows = connection.execute(query.order_by(highlights.c.start, highlights.c.id)).all()
    return [_from_row(row) for row in rows]


def all_highlights(connection: Connection, *, limit: int | None = None) -> list[Highlight]:
    """Every highlight, newest first, with its entry's title and source (Highlights view)."""
    query = _query().order_by(highlights.c.created.desc(), highlights.c.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return [_from_row(row) for row in connection.execute(query).all()]


def update_highlight(
    connection: Connection, highlight_id: int, *, note: str | None = None, color: str | None = None
) -> None:
    values: dict[str, str] = {}
    if note is not None:
        values["note"] = note
    if color is not None:
        _check_color(color)
        values["color"] = color
    if not values:
        return
    done = connection.execute(
        update(highlights).where(highlights.c.id == highlight_id).values(**values)
    ).rowcount
    if not done:
        raise NotFound(f"no highlight with id {highlight_id}")


def remove_highlight(connection: Connection, highlight_id: int) -> None:
    done = connection.execute(delete(highlights).where(highlights.c.id == highlight_id)).rowcount
    if not done:
        raise NotFound(f"no highlight with id {highlight_id}")


def anchored_highlights(connection: Connection, entry_id: int) -> list[AnchoredHighlight]:
    """Each highlight of an entry with where it is in the entry's current text (None: gone)."""
    text = _entry_text(connection, entry_id)
    return [
        (h, locate_highlight(text, h.quote, h.prefix, h.suffix, h.start))
        for h in highlights_for_entry(connection, entry_id)
    ]


# -- anchoring --------------------------------------------------------------------------------


def _context_score(text: str, begin: int, end: int, prefix: str, suffix: str) -> float:
    before = text[max(0, begin - len(prefix)) : begin]
    after = text[end : end + len(suffix)]
    score = 0.0
    if prefix:
        score += difflib.SequenceMatcher(None, before, prefix).ratio()
    if suffix:
        score += difflib.SequenceMatcher(None, after, suffix).ratio()
    return score


def _best(
    text: str, spans: Sequence[tuple[int, int]], prefix: str, suffix: str, start: int
) -> tuple[int, int]:
    return max(
        spans,
        key=lambda s: (_context_score(text, s[0], s[1], prefix, suffix), -abs(s[0] - start)),
    )


_SPACE = re.compile(r"\s+")


def _squeezed(text: str) -> tuple[str, list[int]]:
    """`text` with runs of whitespace as one space, and each character's original offset."""
    chars: list[str] = []
    origin: list[int] = []
    for match in re.finditer(r"\s+|\S", text):
        chars.append(" " if match.group(0).isspace() else match.group(0))
        origin.append(match.start())
    origin.append(len(text))
    return "".join(chars), origin


def locate_highlight(
    text: str, quote: str, prefix: str, suffix: str, start: int
) -> tuple[int, int] | None:
    """Where `quote` is in (possibly edited) `text`, as (start, end); None when it is gone.

    Tries, in order: the exact quote at its old offset; the exact quote elsewhere, choosing
    the occurrence whose surroundings best match `prefix`/`suffix`; the quote with its
    whitespace normalized; a close match (small edits) found with difflib.
    """
    if not quote:
        return None
    if text[start : start + len(quote)] == quote:
        return start, start + len(quote)
    exact = [(m.start(), m.start() + len(quote)) for m in re.finditer(re.escape(quote), text)]
    if exact:
        return _best(text, exact, prefix, suffix, start)
    squeezed, origin = _squeezed(text)
    wanted = _SPACE.sub(" ", quote).strip()
    if wanted:
        loose = [
            (origin[m.start()], origin[m.start() + len(wanted) - 1] + 1)
            for m in re.finditer(re.escape(wanted), squeezed)
        ]
        if loose:
            return _best(text, loose, prefix, suffix, start)
    return _fuzzy(text, quote, start)


def _fuzzy(text: str, quote: str, start: int) -> tuple[int, int] | None:
    """The passage of `text` most like `quote`, if alike enough (a few words edited)."""
    size = len(quote)
    matcher = difflib.SequenceMatcher(None, text, quote, autojunk=False)
    anchors = {
        max(0, block.a - block.b)
        for block in matcher.get_matching_blocks()
        if block.size >= min(4, size)
    }
    best: tuple[float, int, int] | None = None
    slack = max(3, size // 5)
    for anchor in sorted(anchors, key=lambda a: abs(a - start))[:8]:
        for begin in range(max(0, anchor - slack), min(len(text), anchor + slack) + 1):
            for end in (begin + size - slack, begin + size, begin + size + slack):
                window = text[begin : max(begin, min(len(text), end))]
                candidate = difflib.SequenceMatcher(None, window, quote, autojunk=False)
                if candidate.real_quick_ratio() < FUZZY_MIN_RATIO:
                    continue
                ratio = candidate.ratio()
                if best is None or ratio > best[0]:
                    best = (ratio, begin, begin + len(window))
    if best is None or best[0] < FUZZY_MIN_RATIO:
        return None
    _, begin, end = best
    return _trim_to_words(text, begin, end)


def _trim_to_words(text: str, begin: int, end: int) -> tuple[int, int]:
    """Widen a fuzzy match to whole words and drop surrounding spaces."""
    while begin > 0 and text[begin - 1].isalnum() and text[begin].isalnum():
        begin -= 1
    while end < len(text) and end > 0 and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    while begin < end and text[begin].isspace():
        begin += 1
    while end > begin and text[end - 1].isspace():
        end -= 1
    return begin, end


# -- export ------------------------------------------------------------------------------------


def _quote_block(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.strip().splitlines())


def _escape_link_text(text: str) -> str:
    return re.sub(r"([\[\]\\])", r"\\\1", text.strip() or "(untitled)")


def highlights_to_markdown(
    connection: Connection, *, entry_ids: Sequence[int] | None = None
) -> str:
    """All highlights (or those of `entry_ids`) as Markdown, grouped by entry, newest entry
    first, each group linking to the entry's page and back into Newsdesk."""
    found = all_highlights(connection)
    if entry_ids is not None:
        wanted = set(entry_ids)
        found = [h for h in found if h.entry_id in wanted]
    groups: dict[int, list[Highlight]] = {}
    for item in found:
        groups.setdefault(item.entry_id, []).append(item)
    lines = ["# Highlights", ""]
    for entry_id, items in groups.items():
        first = items[0]
        title = _escape_link_text(first.entry_title)
        heading = f"[{title}](<{first.entry_url}>)" if first.entry_url else title
        lines.append(f"## {heading}")
        lines.append("")
        meta = [first.source_title] if first.source_title else []
        meta.append(f"[open in Newsdesk](newsdesk://entry/{entry_id})")
        lines.append(" · ".join(meta))
        lines.append("")
        for item in sorted(items, key=lambda h: (h.start, h.id)):
            lines.append(_quote_block(item.quote))
            lines.append("")
            details = f"*{item.color}, {item.created.strftime('%Y-%m-%d')}*"
            lines.append(details + (f" — {item.note.strip()}" if item.note.strip() else ""))
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
