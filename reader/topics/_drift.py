"""Finding where a thread drifted into two stories: a two-way split of its members' vectors.

A thread grows one entry at a time, each joining because it resembles the thread's centroid,
so a thread can chain from one story into a neighbouring one ("G7 statement" into
"Trump-Putin call" through the names they share). Two-means on the members' term vectors
finds the two groups; how alike the groups' centroids are says whether they are one story.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from reader.topics._vectors import SparseVector, dot, norm

# Up to this many vectors the two seeds are the least alike pair (quadratic, but exact);
# above it, the member least like the first one and the member least like that one.
_EXACT_SEEDS = 60
_ROUNDS = 8


@dataclass(frozen=True)
class TwoWaySplit:
    """Group 0 or 1 for each vector, and the cosine of the two groups' centroids."""

    groups: tuple[int, ...]
    similarity: float

    def size(self, group: int) -> int:
        return sum(1 for g in self.groups if g == group)


def _seeds(vectors: Sequence[SparseVector]) -> tuple[int, int]:
    if len(vectors) <= _EXACT_SEEDS:
        pairs = combinations(range(len(vectors)), 2)
        return min(pairs, key=lambda pair: dot(vectors[pair[0]], vectors[pair[1]]))
    first = min(range(len(vectors)), key=lambda i: dot(vectors[0], vectors[i]))
    second = min(range(len(vectors)), key=lambda i: dot(vectors[first], vectors[i]))
    return first, second


def _centroid(vectors: Sequence[SparseVector], groups: Sequence[int], group: int) -> SparseVector:
    total: SparseVector = {}
    for vector, member_group in zip(vectors, groups, strict=True):
        if member_group != group:
            continue
        for term, weight in vector.items():
            total[term] = total.get(term, 0.0) + weight
    return total


def two_way_split(vectors: Sequence[SparseVector]) -> TwoWaySplit | None:
    """The best two groups of `vectors` (unit-length term vectors), or None for fewer than two."""
    if len(vectors) < 2:
        return None
    a, b = _seeds(vectors)
    centroids = [dict(vectors[a]), dict(vectors[b])]
    groups: list[int] = []
    for _ in range(_ROUNDS):
        norms = [norm(c) or 1.0 for c in centroids]
        regrouped = [
            0 if dot(v, centroids[0]) / norms[0] >= dot(v, centroids[1]) / norms[1] else 1
            for v in vectors
        ]
        if regrouped == groups:
            break
        groups = regrouped
        centroids = [_centroid(vectors, groups, 0), _centroid(vectors, groups, 1)]
    if not centroids[0] or not centroids[1]:
        return None
    similarity = dot(centroids[0], centroids[1]) / (norm(centroids[0]) * norm(centroids[1]))
    return TwoWaySplit(tuple(groups), similarity)
