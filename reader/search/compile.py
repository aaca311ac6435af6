"""Turning a parsed query into one safe FTS5 MATCH string plus SQL conditions on `entries`.

Top-level words and phrases go into a single MATCH expression (fast, ranked with bm25);
filters, `thread:`/`note:` fields and ORs that mix words with filters become SQL
conditions. Every FTS5 string is built from the word's own tokens, so nothing a user
types is ever FTS5 syntax.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, column, false, literal_column, not_, or_, select, table, true
from sqlalchemy.sql.elements import ColumnElement

from reader.errors import InvalidQuery
from reader.search.query import And, DateBound, Is, Node, Not, Or, Text, parse_query
from reader.store.schema import entries, highlights, threads

# The index's columns, by query field (None: every column).
FTS_COLUMNS = {"title": "title", "author": "authors", "source": "source"}

# Very common English words are dropped from plain (unquoted) queries when other words
# remain: they match nearly every entry, cost time, and do not change what is relevant.
STOP_WORDS = frozenset(
    "a an and are as at be but by for from has have in into is it its of on or that the "
    "their this to was were will with".split()
)

fts_table = table("entries_fts", column("rowid"))


def match_clause(expression: str) -> ColumnElement[bool]:
    """`entries_fts MATCH :expression` with the expression bound as a parameter."""
    return literal_column("entries_fts").op("MATCH")(expression)


@dataclass(frozen=True)
class CompiledQuery:
    """What `search_entries` runs: a MATCH string (or None) and conditions on `entries`."""

    match: str | None
    conditions: tuple[ColumnElement[bool], ...]
    terms: tuple[str, ...]
    # Top-level date bounds (epoch seconds), which let the runner bound the index's ids.
    after: int | None = None
    before: int | None = None


def compile_query(query: str) -> CompiledQuery:
    """Parse and compile `query`; raises InvalidQuery for anything it cannot understand."""
    return compile_node(parse_query(query))


def compile_node(node: Node) -> CompiledQuery:
    conjuncts = _drop_stop_words(_flatten(node))
    positive: list[str] = []
    negative: list[str] = []
    conditions: list[ColumnElement[bool]] = []
    after: int | None = None
    before: int | None = None
    for item in conjuncts:
        if isinstance(item, Not) and _is_fts(item.item):
            negative.append(_fts(item.item))
        elif _is_fts(item):
            positive.append(_fts(item))
        else:
            conditions.append(_sql(item))
            if isinstance(item, DateBound) and item.side == "after":
                after = item.epoch if after is None else max(after, item.epoch)
            elif isinstance(item, DateBound):
                before = item.epoch if before is None else min(before, item.epoch)
    match: str | None = None
    if positive:
        match = " AND ".join(positive)
        if negative:
            match = f"({match}) NOT ({' OR '.join(negative)})"
    elif negative:
        if not conditions:
            raise InvalidQuery(
                "nothing to search for: add a word to find next to the excluded ones, "
                "e.g. election -football"
            )
        conditions.append(entries.c.id.not_in(_fts_ids(" OR ".join(negative))))
    return CompiledQuery(match, tuple(conditions), _terms(node), after, before)


def _flatten(node: Node) -> list[Node]:
    if isinstance(node, And):
        flat: list[Node] = []
        for item in node.items:
            flat.extend(_flatten(item))
        return flat
    return [node]


def _is_stop_word(node: Node) -> bool:
    return (
        isinstance(node, Text)
        and node.field is None
        and not node.quoted
        and not node.prefix
        and len(node.tokens) == 1
        and node.tokens[0] in STOP_WORDS
    )


def _drop_stop_words(conjuncts: list[Node]) -> list[Node]:
    kept = [item for item in conjuncts if not _is_stop_word(item)]
    has_words = any(_is_fts(item) and not isinstance(item, Not) for item in kept)
    return kept if has_words else conjuncts


def _is_fts(node: Node) -> bool:
    """True for a tree of words and phrases that FTS5 can evaluate on its own."""
    if isinstance(node, Text):
        return node.field not in ("thread", "note")
    if isinstance(node, And | Or):
        return all(_is_fts(item) for item in node.items)
    if isinstance(node, Not):
        return _is_fts(node.item)
    return False


def _leaf(node: Text) -> str:
    # Tokens hold only letters, digits and marks: no quote can appear inside the string.
    phrase = '"' + " ".join(node.tokens) + '"'
    if node.prefix:
        phrase += " *"
    column_name = FTS_COLUMNS.get(node.field) if node.field else None
    return f"{column_name} : {phrase}" if column_name else phrase


def _fts(node: Node) -> str:
    if isinstance(node, Text):
        return _leaf(node)
    if isinstance(node, Or):
        if any(isinstance(item, Not) for item in node.items):
            raise InvalidQuery(
                "an excluded word cannot be one side of OR; write e.g. (truce OR ceasefire) -gaza"
            )
        return "(" + " OR ".join(_fts(item) for item in node.items) + ")"
    if isinstance(node, And):
        wanted = [_fts(item) for item in node.items if not isinstance(item, Not)]
        unwanted = [_fts(item.item) for item in node.items if isinstance(item, Not)]
        if not wanted:
            raise InvalidQuery(
                "an excluded word needs a word to search for next to it, e.g. election -football"
            )
        joined = "(" + " AND ".join(wanted) + ")"
        if unwanted:
            joined = f"({joined} NOT ({' OR '.join(unwanted)}))"
        return joined
    raise InvalidQuery("an excluded word needs a word to search for next to it")


def _fts_ids(expression: str) -> Any:
    return select(fts_table.c.rowid).where(match_clause(expression))


def _like_pattern(tokens: tuple[str, ...]) -> str:
    escaped = [t.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for t in tokens]
    return "%" + "%".join(escaped) + "%"


def _sql(node: Node) -> ColumnElement[bool]:
    """Any node as a condition on `entries` (slower than MATCH; for filters and mixed ORs)."""
    if isinstance(node, Is):
        return {
            "unread": entries.c.read == false(),
            "read": entries.c.read == true(),
            "starred": entries.c.starred == true(),
            "highlighted": entries.c.id.in_(select(highlights.c.entry_id)),
        }[node.state]
    if isinstance(node, DateBound):
        if node.side == "before":
            return entries.c.sort_time < node.epoch
        return entries.c.sort_time >= node.epoch
    if isinstance(node, Text) and node.field == "thread":
        pattern = _like_pattern(node.tokens)
        labels = select(threads.c.id).where(threads.c.label.like(pattern, escape="\\"))
        return entries.c.thread_id.in_(labels)
    if isinstance(node, Text) and node.field == "note":
        pattern = _like_pattern(node.tokens)
        noted = select(highlights.c.entry_id).where(
            or_(
                highlights.c.note.like(pattern, escape="\\"),
                highlights.c.quote.like(pattern, escape="\\"),
            )
        )
        return entries.c.id.in_(noted)
    if _is_fts(node):
        return entries.c.id.in_(_fts_ids(_fts(node)))
    if isinstance(node, Not):
        return not_(_sql(node.item))
    if isinstance(node, And):
        return and_(*(_sql(item) for item in node.items))
    if isinstance(node, Or):
        return or_(*(_sql(item) for item in node.items))
    raise AssertionError(f"unexpected query node {node!r}")


def _terms(node: Node) -> tuple[str, ...]:
    """The positive words and phrases, for highlighting (`gov*` marks a prefix)."""
    found: list[str] = []

    def visit(item: Node) -> None:
        if isinstance(item, Text):
            if item.field in (None, "title") and item.display not in found:
                found.append(item.display)
        elif isinstance(item, And | Or):
            for child in item.items:
                visit(child)

    visit(node)
    kept = [t for t in found if t not in STOP_WORDS]
    return tuple(kept or found)
