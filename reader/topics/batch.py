"""Threading a whole batch of entries at once: `newsdesk cluster FILE.jsonl`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reader.errors import InvalidInput
from reader.topics.threader import Threader, ThreadingSettings, TopicDoc


@dataclass(frozen=True)
class ClusterThread:
    id: str
    label: str
    entry_ids: tuple[str, ...]


def _order_key(item: tuple[int, TopicDoc]) -> tuple[int, datetime, int]:
    index, doc = item
    published = doc.published
    if published is None:
        # Undated entries go last, in input order: they are threaded against everything.
        return (1, datetime.min.replace(tzinfo=UTC), index)
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return (0, published, index)


def cluster_documents(
    docs: Sequence[TopicDoc], settings: ThreadingSettings | None = None
) -> list[ClusterThread]:
    """Thread `docs` as the app would if they arrived in published order (ties: input order).

    Every input id appears in exactly one returned thread (a repeated id is threaded once).
    Threads come out in order of their first entry.
    """
    threader = Threader(settings)
    position: dict[str, int] = {}
    for _, doc in sorted(enumerate(docs), key=_order_key):
        if doc.id not in position:
            position[doc.id] = len(position)
            threader.assign(doc)
    # Merges and splits while threading change which threads exist: the final ones count.
    threads = [info for info in threader.threads() if info.entry_ids]
    threads.sort(key=lambda info: min(position[e] for e in info.entry_ids))
    return [
        ClusterThread(str(info.id), info.label, tuple(info.entry_ids)) for info in threads
    ]


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time (with `Z` or an offset; naive means UTC), or None if absent."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a time: {value!r}")
    moment = datetime.fromisoformat(value.strip().replace("z", "Z"))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def read_jsonl(path: str | Path) -> list[TopicDoc]:
    """Read JSON Lines of `{"id", "title", "text", "published", "source"}` into TopicDocs.

    Raises InvalidInput with the line number when a line cannot be used.
    """
    docs: list[TopicDoc] = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"cannot read {path}: {error}") from error
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or "id" not in record:
                raise ValueError('expected an object with an "id"')
            docs.append(
                TopicDoc(
                    id=str(record["id"]),
                    title=str(record.get("title") or ""),
                    text=str(record.get("text") or ""),
                    published=parse_time(record.get("published")),
                    source=str(record.get("source") or ""),
                )
            )
        except ValueError as error:
            raise InvalidInput(f"{path}, line {number}: {error}") from error
    return docs
