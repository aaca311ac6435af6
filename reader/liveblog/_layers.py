"""Layers 2 and 3: microdata, site adapters for visible HTML, and the generic heuristic.

Adapters do not name sites: they recognise the shapes live-blog pages share (repeated
post elements carrying a publisher id and a machine time, under one container).
"""

from __future__ import annotations

import re
from collections import defaultdict

from lxml.html import HtmlElement

from reader.liveblog._common import RawUpdate
from reader.liveblog._posts import (
    PageContext,
    classes,
    post_from_element,
    post_id_of,
)

_MICRODATA_XPATH = (
    "//*[@itemprop and contains(concat(' ', normalize-space(@itemprop), ' '), ' liveBlogUpdate ')]"
)
# Elements that could be a post: carry an id attribute a publisher uses for posts.
_CANDIDATE_XPATH = (
    "//*[@data-post-id or @data-postid or @data-entry-id or @data-block-id or @data-update-id"
    " or @data-event-id or @data-item-id or @data-id or self::article[@id] or self::li[@id]"
    " or (@id and (@class or @data-testid))]"
)
_POSTISH = re.compile(
    r"post|entry|update|block|event|liveblog|live-blog|timeline|lx-stream|ncpost", re.I
)
# Class tokens of things that are not posts: ads, navigation, and lists of posts (plurals).
_NOT_POST = re.compile(
    r"(?:^|[-_])(?:ad|ads|advert|promo|related|nav|menu|comment|comments|sidebar|footer|header"
    r"|share|newsletter|widget|list|stream|feed|posts|entries|updates|events|blocks)$",
    re.I,
)
_POST_ID_ATTRIBUTES = (
    "data-post-id",
    "data-postid",
    "data-entry-id",
    "data-block-id",
    "data-update-id",
    "data-event-id",
)
_STAMP_ATTRIBUTES = (
    "data-post-time",
    "data-published",
    "data-timestamp",
    "data-sort-time",
    "data-time",
    "data-publish-time",
    "data-created",
)


def microdata_updates(doc: HtmlElement, ctx: PageContext) -> list[RawUpdate]:
    """Updates marked with itemprop="liveBlogUpdate"."""
    out: list[RawUpdate] = []
    for el in doc.xpath(_MICRODATA_XPATH):
        update = post_from_element(el, "microdata", ctx)
        if update is not None:
            out.append(update)
    return out


def _signature(el: HtmlElement) -> tuple[str, str]:
    """What repeated posts share: tag and their post-ish class tokens (not state modifiers)."""
    tokens = sorted(t for t in classes(el) if _POSTISH.search(t))
    testid = el.get("data-testid") or ""
    return str(el.tag), " ".join(tokens) or testid


def _has_time(el: HtmlElement) -> bool:
    if any(el.get(attr) for attr in _STAMP_ATTRIBUTES):
        return True
    return bool(
        el.xpath(
            ".//time | .//*[@datetime] | .//*[@data-time] | .//*[@data-timestamp]"
            " | .//*[contains(@class,'time') or contains(@class,'date')]"
        )
    )


def _postish(el: HtmlElement) -> bool:
    if any(el.get(attr) for attr in _POST_ID_ATTRIBUTES):
        return True  # an explicit post id attribute says it all
    text = " ".join(classes(el)) + " " + (el.get("data-testid") or "") + " " + (el.get("id") or "")
    if not _POSTISH.search(text) and el.tag != "article":
        return False
    tokens = classes(el)
    return not (tokens and all(_NOT_POST.search(t) for t in tokens))


def _kin(el: HtmlElement, best: list[HtmlElement], signature: tuple[str, str]) -> bool:
    """A post of the chosen kind in other dress: a pinned copy with an extra class, say."""
    if el.tag != signature[0]:
        return False
    shared = set(signature[1].split()) & set(_signature(el)[1].split())
    parents = {b.getparent() for b in best}
    return bool(shared) or el.getparent() in parents


def adapter_posts(doc: HtmlElement) -> list[HtmlElement]:
    """Post elements found by their shared shape: repeated, id-bearing, time-stamped."""
    groups: dict[tuple[str, str], list[HtmlElement]] = defaultdict(list)
    for el in doc.xpath(_CANDIDATE_XPATH):
        if post_id_of(el) is None or not _postish(el):
            continue
        groups[_signature(el)].append(el)
    best: list[HtmlElement] = []
    best_signature = ("", "")
    best_score = 0.0
    for signature, members in groups.items():
        if len(members) < 2 and not (members and members[0].tag == "article"):
            continue
        timed = [el for el in members if _has_time(el)]
        if not timed:
            continue
        score = len(timed) + 0.1 * len(members)
        if score > best_score:
            best, best_signature, best_score = timed, signature, score
    if not best:
        return []
    chosen = set(best)
    for signature, members in groups.items():
        if signature != best_signature:
            chosen.update(el for el in members if _kin(el, best, best_signature) and _has_time(el))
    # Keep the outermost posts only (a post's own sub-parts can share its shape), in
    # document order.
    ordered = [el for el in doc.iter() if el in chosen]
    return [el for el in ordered if not any(anc in chosen for anc in el.iterancestors())]


def adapter_updates(doc: HtmlElement, ctx: PageContext) -> list[RawUpdate]:
    """Updates read from the visible post elements the adapters recognise."""
    out: list[RawUpdate] = []
    for el in adapter_posts(doc):
        update = post_from_element(el, "html", ctx)
        if update is not None and update.key:
            out.append(update)
    return out


def generic_updates(doc: HtmlElement, ctx: PageContext) -> list[RawUpdate]:
    """Last resort: the container whose children most often carry a time are the posts.

    Low confidence: the caller flags the page with a warning.
    """
    counts: dict[HtmlElement, set[HtmlElement]] = defaultdict(set)
    stamps = doc.xpath(
        "//body//time | //body//*[@data-timestamp or @data-time or @data-post-time]"
        " | //body//*[contains(@class,'time') and string-length(normalize-space()) < 40]"
    )
    for stamp in stamps:
        child: HtmlElement = stamp
        for parent in stamp.iterancestors():
            if parent.tag in ("body", "html"):
                break
            counts[parent].add(child)
            child = parent
    best_parent: HtmlElement | None = None
    best_key = (0, 0)
    for parent, children in counts.items():
        if len(children) < 2:
            continue
        texty = [c for c in children if len(c.text_content().strip()) > 40]
        depth = sum(1 for _ in parent.iterancestors())
        key = (len(texty), depth)
        if len(texty) >= 2 and key > best_key:
            best_parent, best_key = parent, key
    if best_parent is None:
        return []
    posts = [c for c in best_parent if c in counts[best_parent]]
    out: list[RawUpdate] = []
    for el in posts:
        update = post_from_element(el, "generic", ctx)
        if update is not None:
            out.append(update)
    return out
