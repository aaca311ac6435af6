"""B-cubed scoring of a clustering against editorial labels.

B-cubed judges every item by how much of its predicted cluster shares its true thread
(precision) and how much of its true thread landed in its predicted cluster (recall).
An item may carry several acceptable labels; it then counts correct in either.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class BCubedScore:
    precision: float
    recall: float
    f1: float


def _harmonic(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def bcubed(
    predicted: Mapping[str, str],
    gold: Mapping[str, Sequence[str]],
) -> BCubedScore:
    """Score `predicted` (item -> cluster) against `gold` (item -> acceptable labels).

    Items that are not in `gold` are ignored. When an item has several acceptable labels
    it is scored as the label that suits the prediction best (so a borderline item counts
    correct in either thread, as the labelled sets ask), fixed once before scoring.
    """
    items = [item for item in gold if item in predicted]
    if not items:
        return BCubedScore(0.0, 0.0, 0.0)
    by_cluster: dict[str, list[str]] = {}
    for item in items:
        by_cluster.setdefault(predicted[item], []).append(item)

    # Resolve ambiguous items to the label most of their predicted cluster carries.
    resolved: dict[str, str] = {}
    for item in items:
        labels = list(gold[item])
        if len(labels) == 1:
            resolved[item] = labels[0]
    for item in items:
        if item in resolved:
            continue
        mates = [resolved.get(m) for m in by_cluster[predicted[item]] if m != item]
        resolved[item] = max(gold[item], key=lambda label: mates.count(label))

    by_label: dict[str, int] = {}
    for item in items:
        by_label[resolved[item]] = by_label.get(resolved[item], 0) + 1

    precision = recall = 0.0
    for item in items:
        cluster = by_cluster[predicted[item]]
        same = sum(1 for m in cluster if resolved[m] == resolved[item])
        precision += same / len(cluster)
        recall += same / by_label[resolved[item]]
    precision /= len(items)
    recall /= len(items)
    return BCubedScore(precision, recall, _harmonic(precision, recall))
