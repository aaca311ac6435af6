"""Running compiled queries: ranked hits with snippets, counts, and id lists for saved searches.

Ranking every match of a word found in most entries would take seconds on a
million-entry archive, so only the newest `CANDIDATES` matches (by rowid, which grows with
arrival) are ranked; the total is then counted or, when filters make counting costly,
estimated and flagged as such. Snippets are made only for the page returned.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Connection, and_, false, func, literal_column, or_, select
from sqlalchemy.sql.elements import ColumnClause

from reader.search.compile import CompiledQuery, compile_query, fts_table, match_clause
from reader.search.highlight import CLOSE_MARK, OPEN_MARK, from_fts_markup, mark_text, snippet
from reader.store.schema import entries, sources
from reader.types import EntryId, SearchHit, SearchResults

SearchOrder = Literal["relevance", "date"]

CANDIDATES = 600  # newest matches ranked by relevance when a query matches more
COUNT_CAP = 100_000  # filter-only counts stop here and are reported as estimates
EXACT_COUNT_BELOW = 50_000  # totals estimated above this are not worth counting exactly
FEW_ENTRIES = 5_000  # filters passing at most this many entries drive the query
SNIPPET_WORDS = 32
# bm25 weights per index column: title, text, authors, source.
COLUMN_WEIGHTS = (8.0, 1.0, 2.0, 2.0)
RECENCY_WEIGHT = 0.5  # a brand-new entry scores up to 1.5x an old one of equal relevance
RECENCY_HALF_LIFE_DAYS = 7.0

_fts: ColumnClause[Any] = literal_column("entries_fts")


def _bm25() -> Any:
    return func.bm25(_fts, *COLUMN_WEIGHTS)


def search_entries(
    connection: Connection,
    query: str,
    *,
    limit: int = 50,
    offset: int = 0,
    order: SearchOrder = "relevance",
    now: datetime | None = None,
) -> SearchResults:
    """The entries matching `query`, best first (or newest first), with marked snippets.

    Raises InvalidQuery for a query that cannot be understood.
    """
    compiled = compile_query(query)
    limit = max(0, limit)
    offset = max(0, offset)
    now_epoch = (now or datetime.now(UTC)).timestamp()
    if compiled.match is None:
        return _filtered_only(connection, compiled, limit, offset)
    window = max(CANDIDATES, offset + limit)
    restriction = _restrictions(connection, compiled)
    rows = _candidates(connection, compiled, restriction.conditions, window + 1)
    complete = len(rows) <= window
    rows = rows[:window]
    if complete:
        total, estimate = len(rows), False
    else:
        total, estimate = _extrapolate(connection, rows, restriction), True
        if total <= EXACT_COUNT_BELOW and not compiled.conditions:
            total, estimate = _count_fts(connection, compiled.match), False
    if order == "date":
        ranked = sorted(rows, key=lambda r: (r[2], r[0]), reverse=True)
        scores = {row[0]: 0.0 for row in ranked}
    else:
        scores = _scores(rows, now_epoch)
        ranked = sorted(rows, key=lambda r: (scores[r[0]], r[2], r[0]), reverse=True)
    page = [row[0] for row in ranked[offset : offset + limit]]
    hits = _fts_hits(connection, compiled, page, scores)
    return SearchResults(total, estimate, tuple(hits), compiled.terms)


@dataclass(frozen=True)
class _Restriction:
    """Conditions for the index join, and the entry id range they allow (None: open)."""

    conditions: list[Any]
    lowest_id: int | None = None
    highest_id: int | None = None


def _id_bounds(connection: Connection, compiled: CompiledQuery) -> tuple[int | None, int | None]:
    """Exact bounds on entry ids implied by date filters, read from the date index."""
    lowest: int | None = None
    highest: int | None = None
    if compiled.after is not None:
        found = connection.exec_driver_sql(
            "SELECT min(id) FROM entries INDEXED BY ix_entries_sort WHERE sort_time >= ?",
            (compiled.after,),
        ).scalar()
        lowest = int(found) if found is not None else 1 << 62
    if compiled.before is not None:
        found = connection.exec_driver_sql(
            "SELECT max(id) FROM entries INDEXED BY ix_entries_sort WHERE sort_time < ?",
            (compiled.before,),
        ).scalar()
        highest = int(found) if found is not None else -1
    return lowest, highest


def _few_filtered_ids(connection: Connection, conditions: Sequence[Any]) -> list[int] | None:
    """The ids passing `conditions` when they are few, else None."""
    if not conditions:
        return None
    query = select(entries.c.id).where(*conditions).limit(FEW_ENTRIES + 1)
    ids = [int(r[0]) for r in connection.execute(query)]
    return ids if len(ids) <= FEW_ENTRIES else None


def _restrictions(
    connection: Connection, compiled: CompiledQuery, *, unread_only: bool = False
) -> _Restriction:
    """Conditions on the index join: the filters, narrowed to an id list or id range."""
    conditions = list(compiled.conditions)
    if unread_only:
        conditions.append(entries.c.read == false())
    few = _few_filtered_ids(connection, conditions)
    if few is not None:
        if not few:
            return _Restriction([false()])
        # Reading only the id range the filtered entries span, and checking membership in a
        # list rather than re-running the MATCH per id ("+ 0" keeps it a plain filter).
        members: Any = select(literal_column("value")).select_from(func.json_each(json.dumps(few)))
        return _Restriction(
            [fts_table.c.rowid.between(min(few), max(few)), (fts_table.c.rowid + 0).in_(members)],
            min(few),
            max(few),
        )
    lowest, highest = _id_bounds(connection, compiled)
    if unread_only:
        oldest_unread = _oldest_unread_id(connection)
        lowest = oldest_unread if lowest is None else max(lowest, oldest_unread)
    if lowest is not None:
        conditions.append(fts_table.c.rowid >= lowest)
    if highest is not None:
        conditions.append(fts_table.c.rowid <= highest)
    return _Restriction(conditions, lowest, highest)


def _oldest_unread_id(connection: Connection) -> int:
    """Unread entries are few and recent: the index's older part never needs reading."""
    # The partial index on unread entries answers this without touching the table.
    found = connection.exec_driver_sql(
        "SELECT min(id) FROM entries INDEXED BY ix_entries_unread WHERE read = 0"
    ).scalar()
    return int(found) if found is not None else 1 << 62


def _candidates(
    connection: Connection, compiled: CompiledQuery, restrictions: Sequence[Any], count: int
) -> list[tuple[int, float, int]]:
    """(id, bm25, sort_time) of the newest `count` matches that pass the filters."""
    assert compiled.match is not None
    query = (
        select(fts_table.c.rowid, _bm25(), entries.c.sort_time)
        .select_from(fts_table.join(entries, entries.c.id == fts_table.c.rowid))
        .where(match_clause(compiled.match), *restrictions)
        .order_by(fts_table.c.rowid.desc())
        .limit(count)
    )
    return [(int(r[0]), float(r[1]), int(r[2])) for r in connection.execute(query)]


def _count_fts(connection: Connection, match: str) -> int:
    query = select(func.count()).select_from(fts_table).where(match_clause(match))
    return int(connection.execute(query).scalar() or 0)


def _count(connection: Connection, compiled: CompiledQuery, *, unread_only: bool = False) -> int:
    """Exact number of entries matching a query with words."""
    assert compiled.match is not None
    if not compiled.conditions and not unread_only:
        return _count_fts(connection, compiled.match)
    counted = (
        select(func.count())
        .select_from(fts_table.join(entries, entries.c.id == fts_table.c.rowid))
        .where(
            match_clause(compiled.match),
            *_restrictions(connection, compiled, unread_only=unread_only).conditions,
        )
    )
    return int(connection.execute(counted).scalar() or 0)


def _extrapolate(
    connection: Connection, rows: Sequence[tuple[int, float, int]], restriction: _Restriction
) -> int:
    """Estimate all matches from how densely the newest ones fill their part of the id range."""
    highest = restriction.highest_id
    if highest is None:
        highest = int(connection.execute(select(func.max(entries.c.id))).scalar() or 0)
    lowest = restriction.lowest_id or 1
    oldest_candidate = min(row[0] for row in rows)
    covered = max(1, highest - oldest_candidate + 1)
    return max(len(rows), round(len(rows) * max(1, highest - lowest + 1) / covered))


def _scores(rows: Sequence[tuple[int, float, int]], now: float) -> dict[int, float]:
    """bm25 relevance (scaled so the best candidate is 1) blended with recency."""
    best = max((-row[1] for row in rows), default=0.0) or 1.0
    scores: dict[int, float] = {}
    for entry_id, bm25, sort_time in rows:
        relevance = max(0.0, -bm25) / best
        age_days = max(0.0, (now - sort_time) / 86400)
        recency = math.pow(0.5, age_days / RECENCY_HALF_LIFE_DAYS)
        scores[entry_id] = round(relevance * (1 + RECENCY_WEIGHT * recency), 6)
    return scores


def _fts_hits(
    connection: Connection, compiled: CompiledQuery, page: list[int], scores: dict[int, float]
) -> list[SearchHit]:
    """Hits for one page, with titles and snippets marked by the index's own matcher."""
    if not page:
        return []
    assert compiled.match is not None
    marked = (
        select(
            fts_table.c.rowid,
            func.highlight(_fts, 0, OPEN_MARK, CLOSE_MARK),
            func.snippet(_fts, 1, OPEN_MARK, CLOSE_MARK, "…", SNIPPET_WORDS),
        )
        .where(match_clause(compiled.match))
        # The range lets FTS5 read only that part of the index; "+ 0" keeps the id list a
        # plain filter (as a constraint it would re-run the MATCH once per id).
        .where(fts_table.c.rowid.between(min(page), max(page)))
        .where((fts_table.c.rowid + 0).in_(page))
    )
    found = {int(r[0]): (str(r[1] or ""), str(r[2] or "")) for r in connection.execute(marked)}
    details = _details(connection, page)
    hits: list[SearchHit] = []
    for entry_id in page:
        if entry_id not in details:
            continue
        sort_time, source_title, title, text = details[entry_id]
        raw_title, raw_snippet = found.get(entry_id, (title, text[:300]))
        hits.append(
            SearchHit(
                entry_id=EntryId(entry_id),
                title=from_fts_markup(raw_title),
                snippet=from_fts_markup(raw_snippet),
                score=scores.get(entry_id, 0.0),
                published=datetime.fromtimestamp(sort_time, UTC),
                source_title=source_title,
            )
        )
    return hits


def _details(connection: Connection, page: list[int]) -> dict[int, tuple[int, str, str, str]]:
    query = (
        select(
            entries.c.id,
            entries.c.sort_time,
            func.coalesce(sources.c.user_title, sources.c.title),
            entries.c.title,
            entries.c.text,
        )
        .join(sources, sources.c.id == entries.c.source_id)
        .where(entries.c.id.in_(page))
    )
    return {int(r[0]): (int(r[1]), str(r[2] or ""), r[3], r[4]) for r in connection.execute(query)}


def _filtered_only(
    connection: Connection, compiled: CompiledQuery, limit: int, offset: int
) -> SearchResults:
    """Queries without top-level words (`is:starred`, mixed ORs): newest first, SQL only."""
    query = (
        select(entries.c.id)
        .where(*compiled.conditions)
        .order_by(entries.c.sort_time.desc(), entries.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if _few_filtered_ids(connection, compiled.conditions) is None:
        page = [int(r[0]) for r in _execute_in_date_order(connection, query)]
    else:
        page = [int(r[0]) for r in connection.execute(query)]
    total, estimate = _capped_count(connection, compiled)
    details = _details(connection, page)
    hits = []
    for entry_id in page:
        sort_time, source_title, title, text = details[entry_id]
        hits.append(
            SearchHit(
                entry_id=EntryId(entry_id),
                title=mark_text(title, compiled.terms),
                snippet=snippet(text, compiled.terms, words=SNIPPET_WORDS),
                score=0.0,
                published=datetime.fromtimestamp(sort_time, UTC),
                source_title=source_title,
            )
        )
    return SearchResults(total, estimate, tuple(hits), compiled.terms)


def _execute_in_date_order(connection: Connection, query: Any) -> Any:
    """Run `query` walking the date index: for broad filters (is:unread, dates) the newest
    rows come first, so a page is found without sorting every entry that passes."""
    compiled = query.compile(dialect=connection.dialect)
    sql = re.sub(
        r"\bFROM entries\b", "FROM entries INDEXED BY ix_entries_sort", str(compiled), count=1
    )
    parameters = compiled.construct_params()
    positional = tuple(parameters[name] for name in compiled.positiontup or ())
    return connection.exec_driver_sql(sql, positional)


def _capped_count(connection: Connection, compiled: CompiledQuery) -> tuple[int, bool]:
    inner = select(entries.c.id).where(*compiled.conditions).limit(COUNT_CAP + 1).subquery()
    counted = int(connection.execute(select(func.count()).select_from(inner)).scalar() or 0)
    return min(counted, COUNT_CAP), counted > COUNT_CAP


def count_matches(connection: Connection, query: str, *, unread_only: bool = False) -> int:
    """How many entries match `query` (for saved searches' unread counts in the sources tree)."""
    compiled = compile_query(query)
    if compiled.match is not None:
        return _count(connection, compiled, unread_only=unread_only)
    conditions = list(compiled.conditions)
    if unread_only:
        conditions.append(entries.c.read == false())
    counted = select(func.count()).select_from(entries).where(*conditions)
    return int(connection.execute(counted).scalar() or 0)


def matching_entry_ids(
    connection: Connection, query: str, *, limit: int, after: int | None = None
) -> list[EntryId]:
    """Ids of entries matching `query`, newest first (sort_time, then id), for list views.

    `after` is the last id of the previous page (keyset pagination).
    """
    compiled = compile_query(query)
    conditions = list(compiled.conditions)
    if after is not None:
        anchor = connection.execute(
            select(entries.c.sort_time).where(entries.c.id == after)
        ).scalar()
        if anchor is not None:
            conditions.append(
                or_(
                    entries.c.sort_time < anchor,
                    and_(entries.c.sort_time == anchor, entries.c.id < after),
                )
            )
    if compiled.match is None:
        query_ids = (
            select(entries.c.id)
            .where(*conditions)
            .order_by(entries.c.sort_time.desc(), entries.c.id.desc())
            .limit(limit)
        )
        return [EntryId(int(r[0])) for r in connection.execute(query_ids)]
    # Newest by arrival first (cheap in the index), then exact date order among them.
    window = max(CANDIDATES, limit * 4)
    compiled = replace(compiled, conditions=tuple(conditions))
    assert compiled.match is not None
    newest = (
        select(fts_table.c.rowid.label("id"), entries.c.sort_time.label("sort_time"))
        .select_from(fts_table.join(entries, entries.c.id == fts_table.c.rowid))
        .where(match_clause(compiled.match), *_restrictions(connection, compiled).conditions)
        .order_by(fts_table.c.rowid.desc())
        .limit(window)
        .subquery()
    )
    ordered = (
        select(newest.c.id)
        .order_by(newest.c.sort_time.desc(), newest.c.id.desc())
        .limit(limit)
    )
    return [EntryId(int(r[0])) for r in connection.execute(ordered)]
