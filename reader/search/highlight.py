"""Marking search terms in entry HTML (reading pane) and in plain text (result snippets).

Matching mirrors the search index: words are compared after folding case and diacritics
and after Porter stemming (the index's tokenizer), so `ceasefire` marks `ceasefires` and
`cafe` marks `café`; a phrase marks consecutive words; `gov*` marks words starting `gov`.
Only text between tags is touched: tags, attributes and entities stay intact.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

MATCH_CLASS = "nd-match"
MATCH_ID_PREFIX = "nd-match-"

_stemmer = snowballstemmer.stemmer("porter")
_TAG_OR_TEXT = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_SKIPPED_ELEMENTS = ("script", "style", "title", "textarea")
# Markers FTS5's highlight()/snippet() put around matches; escaped text never holds them.
OPEN_MARK = "\ufdd0"
CLOSE_MARK = "\ufdd1"


def _is_token_char(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LN" or category in ("Co", "Mn")


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """Lower case without diacritics: 'Café' -> 'cafe' (as remove_diacritics does)."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


@lru_cache(maxsize=65536)
def word_key(word: str) -> str:
    """The form two words share when the index would match them: folded, then stemmed."""
    folded = fold(word)
    return str(_stemmer.stemWord(folded)) if folded.isascii() else folded


@dataclass(frozen=True)
class _Term:
    keys: tuple[str, ...]
    prefix: bool


def _parse_terms(terms: Iterable[str]) -> list[_Term]:
    parsed: list[_Term] = []
    for term in terms:
        prefix = term.rstrip().endswith("*")
        words = [w for _, _, w in _tokens(term)]
        if not words:
            continue
        keys = [word_key(w) for w in words]
        if prefix:
            keys[-1] = fold(words[-1])
        parsed.append(_Term(tuple(keys), prefix))
    # Longer phrases first, so "prime minister" wins over "minister" at the same place.
    parsed.sort(key=lambda t: -len(t.keys))
    return parsed


def _tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) for every word of `text`, split as the index's tokenizer splits."""
    found: list[tuple[int, int, str]] = []
    start = -1
    for index, char in enumerate(text):
        if _is_token_char(char):
            if start < 0:
                start = index
        elif start >= 0:
            found.append((start, index, text[start:index]))
            start = -1
    if start >= 0:
        found.append((start, len(text), text[start:]))
    return found


def find_matches(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Character spans of `text` matched by `terms`, in order, never overlapping."""
    parsed = _parse_terms(terms)
    if not parsed:
        return []
    words = _tokens(text)
    keys = [word_key(w) for _, _, w in words]
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(words):
        matched = 0
        for term in parsed:
            size = len(term.keys)
            if index + size > len(words):
                continue
            if _term_matches(term, keys, words, index):
                matched = size
                break
        if matched:
            spans.append((words[index][0], words[index + matched - 1][1]))
            index += matched
        else:
            index += 1
    return spans


def _term_matches(
    term: _Term, keys: list[str], words: list[tuple[int, int, str]], index: int
) -> bool:
    size = len(term.keys)
    for offset in range(size):
        wanted = term.keys[offset]
        if term.prefix and offset == size - 1:
            if not fold(words[index + offset][2]).startswith(wanted):
                return False
        elif keys[index + offset] != wanted:
            return False
    return True


# -- plain text (result list) ---------------------------------------------------------------


def mark_text(text: str, terms: Sequence[str]) -> str:
    """`text` HTML-escaped with every match wrapped in <mark>…</mark>."""
    pieces: list[str] = []
    last = 0
    for start, end in find_matches(text, terms):
        pieces.append(html.escape(text[last:start], quote=False))
        pieces.append("<mark>" + html.escape(text[start:end], quote=False) + "</mark>")
        last = end
    pieces.append(html.escape(text[last:], quote=False))
    return "".join(pieces)


def snippet(text: str, terms: Sequence[str], *, words: int = 32) -> str:
    """About `words` words of `text` around its first match, escaped and marked."""
    tokens = _tokens(text)
    if not tokens:
        return html.escape(text.strip()[:200], quote=False)
    spans = find_matches(text, terms)
    first = 0
    if spans:
        first = next(i for i, token in enumerate(tokens) if token[1] >= spans[0][0])
    begin = max(0, first - words // 4)
    end = min(len(tokens), begin + words)
    start_char = 0 if begin == 0 else tokens[begin][0]
    end_char = len(text) if end == len(tokens) else tokens[end - 1][1]
    body = mark_text(text[start_char:end_char].strip(), terms)
    return ("…" if begin > 0 else "") + body + ("…" if end < len(tokens) else "")


def from_fts_markup(raw: str) -> str:
    """FTS5 highlight()/snippet() output (with our markers) as escaped text with <mark>."""
    escaped = html.escape(raw, quote=False)
    return escaped.replace(OPEN_MARK, "<mark>").replace(CLOSE_MARK, "</mark>")


# -- HTML (reading pane) --------------------------------------------------------------------


def highlight_html(markup: str, terms: Sequence[str]) -> tuple[str, int]:
    """Wrap every match of `terms` in sanitized `markup` in numbered spans.

    Each match becomes `<span class="nd-match" id="nd-match-N">…</span>`, N counting from 1
    in document order (a match that crosses inline tags is split into several spans; only the
    first carries the id). Returns the new HTML and the number of matches.
    """
    if not terms or not markup:
        return markup, 0
    segments = _TAG_OR_TEXT.split(markup)
    # The plain text of all text segments, and for each plain character where it came from.
    plain: list[str] = []
    origin: list[tuple[int, int, int]] = []  # (segment, raw start, raw end)
    skipping: str | None = None
    for number, segment in enumerate(segments):
        if number % 2 == 1:
            skipping = _skip_state(segment, skipping)
            continue
        if skipping or not segment:
            continue
        for raw_start, raw_end, char in _decoded(segment):
            for piece in char:
                plain.append(piece)
                origin.append((number, raw_start, raw_end))
    text = "".join(plain)
    spans = find_matches(text, terms)
    if not spans:
        return markup, 0
    # Per text segment, the raw ranges to wrap and the match number of each.
    cuts: dict[int, list[tuple[int, int, int, bool]]] = {}
    for match_number, (start, end) in enumerate(spans, 1):
        first_piece = True
        current: tuple[int, int, int] | None = None
        for position in range(start, end):
            segment, raw_start, raw_end = origin[position]
            if current is not None and current[0] == segment and current[2] <= raw_start:
                current = (segment, current[1], raw_end)
                continue
            if current is not None:
                cuts.setdefault(current[0], []).append(
                    (current[1], current[2], match_number, first_piece)
                )
                first_piece = False
            current = (segment, raw_start, raw_end)
        if current is not None:
            cuts.setdefault(current[0], []).append(
                (current[1], current[2], match_number, first_piece)
            )
    for segment_number, ranges in cuts.items():
        segments[segment_number] = _wrap(segments[segment_number], ranges)
    return "".join(segments), len(spans)


def _skip_state(tag: str, skipping: str | None) -> str | None:
    match = re.match(r"<\s*(/?)\s*([A-Za-z0-9]+)", tag)
    if match is None:
        return skipping
    closing, name = match.group(1) == "/", match.group(2).lower()
    if skipping is not None:
        return None if closing and name == skipping else skipping
    if not closing and name in _SKIPPED_ELEMENTS and not tag.rstrip().endswith("/>"):
        return name
    return None


def _decoded(segment: str) -> Iterable[tuple[int, int, str]]:
    """(raw start, raw end, decoded text) for each character or entity of a text segment."""
    position = 0
    for entity in _ENTITY.finditer(segment):
        for index in range(position, entity.start()):
            yield index, index + 1, segment[index]
        yield entity.start(), entity.end(), html.unescape(entity.group(0))
        position = entity.end()
    for index in range(position, len(segment)):
        yield index, index + 1, segment[index]


def _wrap(segment: str, ranges: list[tuple[int, int, int, bool]]) -> str:
    pieces: list[str] = []
    last = 0
    for start, end, number, first in sorted(ranges):
        identifier = f' id="{MATCH_ID_PREFIX}{number}"' if first else ""
        pieces.append(segment[last:start])
        pieces.append(f'<span class="{MATCH_CLASS}"{identifier}>{segment[start:end]}</span>')
        last = end
    pieces.append(segment[last:])
    return "".join(pieces)
