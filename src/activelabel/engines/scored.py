"""The pool as a strategy sees it, held in memory: ids plus numeric arrays, never the items' media.

``PageCollector`` is the ``on_page`` of a round's score job: each page the engine writes is kept
here as arrays (and the proposed values, which auto-accept installs), so the loop routes without
reading the predictions back from the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from activelabel.engines.scoring import ScoredBatch, concat_optional


@dataclass(frozen=True)
class ScoredPool:
    """Aligned on ``ids`` (import order). ``values`` (``Payload.to_json()``) are None where only the
    numbers were asked for; ``embeddings`` where the strategy does not rank on them."""

    ids: np.ndarray  # (n,) str
    confidence: np.ndarray  # (n,)
    proba: np.ndarray | None  # (n, c) or (n, c, d)
    values: list[dict[str, Any]] | None = None
    embeddings: np.ndarray | None = None  # (n, d)

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, idx: np.ndarray) -> ScoredPool:
        """The rows at ``idx``, in that order."""
        pick = idx.tolist()
        return ScoredPool(ids=self.ids[idx], confidence=self.confidence[idx],
                          proba=None if self.proba is None else self.proba[idx],
                          values=None if self.values is None else [self.values[i] for i in pick],
                          embeddings=None if self.embeddings is None else self.embeddings[idx])


def concat_pools(pools: list[ScoredPool]) -> ScoredPool:
    """One pool from several; empty ones are left out, the others must agree on what they hold."""
    pools = [p for p in pools if len(p)]
    if not pools:
        return ScoredPool(ids=np.empty(0, dtype=str), confidence=np.empty(0), proba=None, values=[])
    values = [p.values for p in pools]
    if any(v is None for v in values) and not all(v is None for v in values):
        raise ValueError("cannot join scored pools with and without values")
    return ScoredPool(ids=np.concatenate([p.ids for p in pools]),
                      confidence=np.concatenate([p.confidence for p in pools]),
                      proba=concat_optional([p.proba for p in pools], "class probabilities"),
                      values=None if values[0] is None else [x for v in values for x in v or ()],
                      embeddings=concat_optional([p.embeddings for p in pools], "embeddings"))


class PageCollector:
    """Keeps each written page's ids, numbers and proposed values; ``result()`` joins them."""

    def __init__(self) -> None:
        self.pages: list[ScoredPool] = []

    def __call__(self, batch: ScoredBatch) -> None:
        self.pages.append(ScoredPool(ids=np.array(batch.ids, dtype=str), confidence=batch.confidence,
                                     proba=batch.proba, values=[r["value"] for r in batch.rows],
                                     embeddings=batch.embeddings))

    def result(self) -> ScoredPool:
        return concat_pools(self.pages)


def positions(ids: np.ndarray, among: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``ids``: whether it is in ``among`` (a mask over ``ids``) and where (for those found)."""
    index = {str(i): j for j, i in enumerate(among.tolist())}
    found = np.fromiter((str(i) in index for i in ids.tolist()), dtype=bool, count=len(ids))
    where = np.fromiter((index[str(i)] for i in ids[found].tolist()), dtype=np.int64, count=int(found.sum()))
    return found, where
