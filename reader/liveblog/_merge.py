"""Merging the layers' raw updates by publisher id, best source for each field first."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from reader.liveblog._common import RawUpdate, key_aliases, normalize_for_compare

_DOM_LAYERS = ("microdata", "html", "generic")
# How far apart two layers' times for one id-less update may be and still match.
_TITLE_MATCH_SLACK = timedelta(minutes=10)


def _has_body(update: RawUpdate) -> bool:
    return bool(update.body_html or update.body_text)


def _absorb(into: RawUpdate, other: RawUpdate) -> None:
    """Fill `into` from a later layer's reading of the same update."""
    if other.title and not other.weak_title and (not into.title or into.weak_title):
        into.title, into.weak_title = other.title, False
    elif not into.title and other.title:
        into.title, into.weak_title = other.title, other.weak_title
    if other.authors and not other.weak_authors and (not into.authors or into.weak_authors):
        into.authors, into.weak_authors = other.authors, False
    elif not into.authors and other.authors:
        into.authors, into.weak_authors = other.authors, other.weak_authors
    into.published = into.published or other.published
    into.updated = into.updated or other.updated
    into.url = into.url or other.url
    if into.clock is None:
        into.clock = other.clock
    # A DOM body keeps paragraphs, links and images that JSON-LD's articleBody flattens.
    if _has_body(other) and (
        not _has_body(into) or (other.layer in _DOM_LAYERS and into.body_layer == "jsonld")
    ):
        if into.body_layer == "jsonld":
            into.jsonld_html, into.jsonld_text = into.body_html, into.body_text
        into.body_html, into.body_text, into.body_layer = (
            other.body_html,
            other.body_text,
            other.layer,
        )
    into.image_urls = into.image_urls + [u for u in other.image_urls if u not in into.image_urls]
    into.pinned = into.pinned or other.pinned
    into.aliases |= other.aliases
    if into.key.startswith("jsonld-") and other.key and not other.key.startswith("jsonld-"):
        into.key = other.key


def _synthetic(key: str) -> bool:
    """True for keys we made up (no publisher id): such updates are matched by title."""
    return not key or key.startswith("jsonld-")


def _same_time(a: datetime | None, b: datetime | None) -> bool:
    return a is None or b is None or abs(a - b) <= _TITLE_MATCH_SLACK


def merge_layers(layers: list[list[RawUpdate]]) -> list[RawUpdate]:
    """One update per publisher id across all layers, in first-seen order.

    An id seen twice within one layer is a pinned post shown twice: one update, pinned.
    Updates without any id are matched on their title (and a compatible time) instead.
    """
    merged: list[RawUpdate] = []
    by_alias: dict[str, RawUpdate] = {}
    # Only id-less updates are indexed by title, so pages with ids never pay for it.
    by_title: dict[str, list[RawUpdate]] = {}
    for layer in layers:
        seen_in_layer: set[int] = set()
        for raw in layer:
            if raw.body_layer == "" and _has_body(raw):
                raw.body_layer = raw.layer
            aliases = set(raw.aliases) | (key_aliases(raw.key) if raw.key else set())
            target = next((by_alias[a] for a in aliases if a in by_alias), None)
            if target is None and by_title and raw.title:
                for candidate in by_title.get(normalize_for_compare(raw.title).lower(), []):
                    if _same_time(candidate.published, raw.published) and (
                        _synthetic(raw.key) or _synthetic(candidate.key)
                    ):
                        target = candidate
                        break
            if target is None:
                merged.append(raw)
                target = raw
                raw.aliases = aliases
            else:
                if id(target) in seen_in_layer:
                    target.pinned = True
                _absorb(target, raw)
            seen_in_layer.add(id(target))
            for alias in target.aliases | ({target.key} if target.key else set()):
                by_alias.setdefault(alias, target)
            if target is raw and _synthetic(raw.key) and raw.title:
                by_title.setdefault(normalize_for_compare(raw.title).lower(), []).append(raw)
    for update in merged:
        if not update.key:
            update.key = _content_key(update)
    return merged


def _content_key(update: RawUpdate) -> str:
    """A stable id for an update the publisher gave none: a hash of its time and title."""
    stamp = update.published.isoformat() if update.published else ""
    seed = f"{stamp}|{normalize_for_compare(update.title)}"
    if not update.title:
        seed += "|" + normalize_for_compare(update.body_text or update.body_html or "")[:200]
    return "h-" + hashlib.sha1(seed.encode("utf-8")).hexdigest()[:16]
