"""Merging the layers' raw updates by publisher id, best source for each field first."""

from __future__ import annotations

import hashlib

from reader.liveblog._common import RawUpdate, key_aliases, normalize_for_compare

_DOM_LAYERS = ("microdata", "html", "generic")


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


def merge_layers(layers: list[list[RawUpdate]]) -> list[RawUpdate]:
    """One update per publisher id across all layers, in first-seen order.

    An id seen twice within one layer is a pinned post shown twice: one update, pinned.
    Updates without any id are matched on their title and time instead.
    """
    merged: list[RawUpdate] = []
    by_alias: dict[str, RawUpdate] = {}
    by_title: dict[tuple[str, object], RawUpdate] = {}
    for layer in layers:
        seen_in_layer: set[int] = set()
        for raw in layer:
            if raw.body_layer == "" and _has_body(raw):
                raw.body_layer = raw.layer
            aliases = set(raw.aliases) | (key_aliases(raw.key) if raw.key else set())
            target = next((by_alias[a] for a in aliases if a in by_alias), None)
            title_key = (normalize_for_compare(raw.title).lower(), raw.published)
            if target is None and raw.title and (not raw.key or raw.key.startswith("jsonld-")):
                target = by_title.get(title_key)
            if target is None and raw.title and raw.key:
                candidate = by_title.get(title_key)
                if candidate is not None and candidate.key.startswith("jsonld-"):
                    target = candidate
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
            if target.title:
                by_title.setdefault(
                    (normalize_for_compare(target.title).lower(), target.published), target
                )
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
