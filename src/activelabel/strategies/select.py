"""Selection: scores -> indices, with a partition instead of a full sort."""

from __future__ import annotations

import numpy as np

from activelabel.types import Selection


def top_k(scores: np.ndarray, k: int, rng: np.random.Generator) -> Selection:
    """The k highest scores, best first; equal scores are ordered at random (seeded).

    Uses ``argpartition`` (O(n)) and sorts only the k chosen, so 1M scores take milliseconds.
    """
    n = int(scores.shape[0])
    if k <= 0 or n == 0:
        return Selection(np.empty(0, dtype=np.int64), np.empty(0, dtype=float))
    if np.isnan(scores).any():
        raise ValueError("scores contain NaN; fix the model output rather than selecting on it")
    k = min(k, n)
    tiebreak = rng.random(n)
    if k < n:
        candidates = np.argpartition(-scores, k - 1)[:k]
        # items tied with the k-th score may sit outside the partition; include them for a fair tie-break
        kth = scores[candidates].min()
        tied = np.flatnonzero(scores == kth)
        candidates = np.union1d(candidates[scores[candidates] > kth], tied)
    else:
        candidates = np.arange(n)
    order = np.lexsort((tiebreak[candidates], -scores[candidates]))[:k]
    chosen = candidates[order].astype(np.int64)
    return Selection(chosen, scores[chosen].astype(float))


def random_k(n: int, k: int, rng: np.random.Generator) -> Selection:
    """k distinct indices uniformly at random."""
    k = min(max(k, 0), n)
    chosen = rng.choice(n, size=k, replace=False).astype(np.int64)
    return Selection(chosen, np.zeros(k))
