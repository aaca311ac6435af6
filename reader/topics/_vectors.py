"""Sparse term vectors and the running document-frequency statistics behind them."""

from __future__ import annotations

import math
from collections import Counter

SparseVector = dict[str, float]


class DocumentFrequencies:
    """How many documents each term appeared in: one counter per term, none per document."""

    def __init__(self) -> None:
        self.documents = 0
        self._counts: Counter[str] = Counter()

    def add(self, terms: set[str] | dict[str, float]) -> None:
        self.documents += 1
        self._counts.update(set(terms))

    def idf(self, term: str) -> float:
        # Smoothed so that a term seen in every document still weighs a little.
        return math.log((1 + self.documents) / (1 + self._counts.get(term, 0))) + 1.0

    def __len__(self) -> int:
        return len(self._counts)


def weigh(
    counts: dict[str, float], frequencies: DocumentFrequencies, max_terms: int
) -> SparseVector:
    """Sublinear TF times IDF, keeping the `max_terms` heaviest terms, L2-normalised."""
    weights = {
        term: (1.0 + math.log(count) if count > 1.0 else count) * frequencies.idf(term)
        for term, count in counts.items()
    }
    if len(weights) > max_terms:
        kept = sorted(weights.items(), key=lambda item: item[1], reverse=True)[:max_terms]
        weights = dict(kept)
    return normalised(weights)


def normalised(vector: SparseVector) -> SparseVector:
    norm = math.sqrt(sum(w * w for w in vector.values()))
    if norm == 0.0:
        return {}
    return {term: w / norm for term, w in vector.items()}


def dot(a: SparseVector, b: SparseVector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[t] for t, w in a.items() if t in b)


def norm(vector: SparseVector) -> float:
    return math.sqrt(sum(w * w for w in vector.values()))
