"""Turning a headline and body into weighted terms for threading.

Short news text is matched mostly by its names (people, places, organisations) and by a
few rare content words, so tokens are stemmed, stop words dropped, headline terms counted
more, and capitalised words inside a sentence (a cheap proxy for names) boosted. Adjacent
capitalised words also yield one phrase feature ("steve_witkoff") that is rarer, and so
more telling, than either word alone.
"""

from __future__ import annotations

import html
import re

import snowballstemmer

from reader.topics._stopwords import ROLE_WORDS, STOP_WORDS

_WORD = re.compile(r"[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F'\u2019\-]*|\d+(?:[.,]\d+)?")
# Sentence ends, line breaks, clause breaks and quotation marks all end a run of names.
_SENTENCE_END = re.compile(
    r"[.!?\u2026]['\"\u2019\u201d)]*\s+|\n+"
    r"|[:;\u2013\u2014]\s+|[\"\u201c\u201d]"
)
_TAG = re.compile(r"<[^>]+>")
_STEM_CACHE_LIMIT = 200_000

_stemmer = snowballstemmer.stemmer("english")
_stem_cache: dict[str, str] = {}


def stem(word: str) -> str:
    """The Snowball stem of a lower-case word, cached (stemming is the hot spot)."""
    cached = _stem_cache.get(word)
    if cached is None:
        if len(_stem_cache) >= _STEM_CACHE_LIMIT:
            _stem_cache.clear()
        cached = _stemmer.stemWord(word)
        _stem_cache[word] = cached
    return cached


def plain_text(text: str) -> str:
    """Drop any markup and decode entities; bodies sometimes arrive as HTML."""
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return text


def _normalise_word(word: str) -> str:
    word = word.replace("\u2019", "'").strip("'-")
    if word.endswith("'s"):
        word = word[:-2]
    return word


def _is_title_case(words: list[str]) -> bool:
    """Headlines In Title Case carry no name signal in their capitals."""
    long_words = [w for w in words if len(w) > 3 and w[0].isalpha()]
    if len(long_words) < 3:
        return False
    capitalised = sum(1 for w in long_words if w[0].isupper())
    return capitalised / len(long_words) > 0.7


def _is_shouting(words: list[str]) -> bool:
    letters = [w for w in words if w.isalpha() and len(w) > 1]
    return len(letters) >= 3 and sum(1 for w in letters if w.isupper()) / len(letters) > 0.6


def weighted_terms(
    text: str,
    *,
    weight: float,
    name_boost: float,
    names_seen: set[str] | None = None,
    into: dict[str, float] | None = None,
) -> dict[str, float]:
    """Weighted stemmed terms of one text field.

    Args:
        text: plain text (headline or body).
        weight: what each plain occurrence counts (the headline counts more).
        name_boost: extra factor for words that look like names.
        names_seen: lower-case words known to be names from elsewhere in the document;
            lets a name that opens a sentence still count as one.
        into: add to these terms instead of a new dict.
    """
    terms: dict[str, float] = {} if into is None else into
    for sentence in _SENTENCE_END.split(plain_text(text)):
        raw = [_normalise_word(w) for w in _WORD.findall(sentence)]
        words = [w for w in raw if w]
        if not words:
            continue
        ignore_case = _is_title_case(words) or _is_shouting(words)
        run: list[str] = []
        for position, word in enumerate(words):
            lower = word.lower()
            is_name = False
            if lower in STOP_WORDS or lower in ROLE_WORDS:
                pass  # a role ends a run of names: the name phrase is the person alone
            elif ignore_case:
                # Title Case or capitals say nothing here; the rest of the document may.
                is_name = names_seen is not None and lower in names_seen
            elif word[0].isupper():
                is_name = position > 0 or (names_seen is not None and lower in names_seen)
                if word.isupper() and len(word) >= 2:
                    is_name = True  # acronyms: G7, PSNI, NHS
            if is_name:
                run.append(lower)
            else:
                _flush_phrase(run, terms, weight * name_boost)
                run = []
            if lower in STOP_WORDS or len(lower) < 2 or lower.isdigit() and len(lower) < 2:
                continue
            term = stem(lower)
            terms[term] = terms.get(term, 0.0) + weight * (name_boost if is_name else 1.0)
        _flush_phrase(run, terms, weight * name_boost)
    return terms


def _flush_phrase(run: list[str], terms: dict[str, float], weight: float) -> None:
    if len(run) >= 2:
        phrase = "_".join(stem(w) for w in run[:4])
        terms[phrase] = terms.get(phrase, 0.0) + weight


def names_in(text: str) -> set[str]:
    """Lower-case words capitalised in mid-sentence: the document's likely names."""
    found: set[str] = set()
    for sentence in _SENTENCE_END.split(plain_text(text)):
        words = [w for w in (_normalise_word(x) for x in _WORD.findall(sentence)) if w]
        if _is_title_case(words) or _is_shouting(words):
            continue
        for word in words[1:]:
            lower = word.lower()
            if word[0].isupper() and lower not in STOP_WORDS and lower not in ROLE_WORDS:
                found.add(lower)
    return found


def shingles(text: str, size: int = 3) -> list[str]:
    """Word n-grams of the normalised text, for near-duplicate detection."""
    words = [w.lower() for w in _WORD.findall(plain_text(text))]
    if len(words) < size:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]
