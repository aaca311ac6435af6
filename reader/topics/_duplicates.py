"""Near-duplicate detection: the same wire story published by two feeds.

Each document gets a MinHash signature of its word 3-gram shingles; the fraction of equal
signature slots estimates the Jaccard similarity of the shingle sets. Signatures are
bucketed in bands (locality-sensitive hashing) so a new document is only compared with
documents that share at least one band, and only documents inside the active time window
are kept, which bounds memory.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from reader.topics._text import shingles

_PRIME = (1 << 61) - 1
# Fixed seed, drawn afresh for every index: each index must hash the same way however many
# were made before it in the process, so threading does not depend on process history.
_SEED = 20240805

Signature = npt.NDArray[np.uint64]
_BUCKET_CANDIDATES = 64


class DuplicateIndex:
    """Finds an earlier document whose text is nearly the same as a new one."""

    def __init__(self, *, permutations: int = 32, bands: int = 16, min_shingles: int = 6) -> None:
        if permutations % bands:
            raise ValueError("permutations must be a multiple of bands")
        self._rows = permutations // bands
        self._bands = bands
        self._min_shingles = min_shingles
        rng = np.random.default_rng(_SEED)
        self._a = rng.integers(1, _PRIME, size=permutations, dtype=np.uint64)
        self._b = rng.integers(0, _PRIME, size=permutations, dtype=np.uint64)
        self._signatures: dict[str, Signature] = {}
        self._buckets: dict[tuple[int, bytes], list[str]] = {}

    def signature(self, text: str) -> Signature | None:
        """MinHash signature of `text`, or None when it is too short to judge."""
        grams = set(shingles(text))
        if len(grams) < self._min_shingles:
            return None
        hashes = np.fromiter(
            (zlib.crc32(g.encode("utf-8")) for g in grams), dtype=np.uint64, count=len(grams)
        )
        # (a*x + b) mod p with 64-bit wrap-around is a cheap, good-enough universal hash.
        mixed = (hashes[:, None] * self._a[None, :] + self._b[None, :]) % np.uint64(_PRIME)
        result: Signature = mixed.min(axis=0)
        return result

    def _band_keys(self, signature: Signature) -> Iterable[tuple[int, bytes]]:
        for band in range(self._bands):
            chunk = signature[band * self._rows : (band + 1) * self._rows]
            yield band, chunk.tobytes()

    def best_match(self, signature: Signature, threshold: float) -> str | None:
        """The stored document most similar to `signature`, if at least `threshold`.

        Candidates must share two bands (a pair at the usual thresholds almost always
        does), and only the newest documents of each bucket are looked at: on text that
        repeats a lot, buckets grow long and comparing with all of them would be slow.
        """
        shared: dict[str, int] = {}
        for key in self._band_keys(signature):
            for doc_id in self._buckets.get(key, ())[-_BUCKET_CANDIDATES:]:
                shared[doc_id] = shared.get(doc_id, 0) + 1
        candidates = [d for d, n in shared.items() if n >= 2 and d in self._signatures]
        if not candidates:
            return None
        matrix = np.stack([self._signatures[d] for d in candidates])
        similarity = (matrix == signature[None, :]).mean(axis=1)
        best = int(np.argmax(similarity))
        return candidates[best] if float(similarity[best]) >= threshold else None

    def add(self, doc_id: str, signature: Signature) -> None:
        self._signatures[doc_id] = signature
        for key in self._band_keys(signature):
            self._buckets.setdefault(key, []).append(doc_id)

    def forget(self, doc_id: str) -> None:
        """Drop a document that left the active window."""
        signature = self._signatures.pop(doc_id, None)
        if signature is None:
            return
        for key in self._band_keys(signature):
            bucket = self._buckets.get(key)
            if bucket is None:
                continue
            try:
                bucket.remove(doc_id)
            except ValueError:
                pass
            if not bucket:
                del self._buckets[key]

    def __len__(self) -> int:
        return len(self._signatures)
