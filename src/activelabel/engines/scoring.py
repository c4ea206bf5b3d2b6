"""One batch of items -> stored prediction rows and the numbers a strategy ranks on.

Both engines call ``score_items`` and nothing else on the model, which is why they give the same
predictions and scores for the same version: the only difference is which process runs it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from activelabel.models.base import Model, embeddings_of
from activelabel.types import Item


@dataclass(frozen=True)
class ScoredBatch:
    """Column-wise results for one batch; ``proba`` is None when the model gives no probabilities,
    ``embeddings`` when the round's strategy does not rank on them."""

    rows: list[dict[str, Any]]  # Prediction.to_row(), what Store.save_predictions takes
    confidence: np.ndarray  # (n,) float64
    proba: np.ndarray | None  # (n, c) or (n, c, d)
    embeddings: np.ndarray | None = None  # (n, d)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def ids(self) -> list[str]:
        return [r["item_id"] for r in self.rows]

    def to_columns(self) -> dict[str, np.ndarray]:
        """Arrow-friendly columns for Ray Data (JSON text for the rows, zero-width arrays for None)."""
        n = len(self.rows)
        return {"item_id": np.array(self.ids, dtype=object),
                "row": np.array([json.dumps(r) for r in self.rows], dtype=object),
                "confidence": self.confidence,
                "proba": self.proba if self.proba is not None else np.zeros((n, 0)),
                "embeddings": self.embeddings if self.embeddings is not None else np.zeros((n, 0))}

    @classmethod
    def from_columns(cls, cols: dict[str, Any]) -> ScoredBatch:
        proba = np.asarray(cols["proba"], dtype=float)
        emb = np.asarray(cols["embeddings"])
        return cls(rows=[json.loads(r) for r in cols["row"]], confidence=np.asarray(cols["confidence"], dtype=float),
                   proba=None if proba.ndim < 2 or proba.shape[1] == 0 else proba,
                   embeddings=None if emb.ndim < 2 or emb.shape[1] == 0 else emb)


def concat_optional(arrays: list[np.ndarray | None], what: str) -> np.ndarray | None:
    """All or nothing: a model that gave ``what`` for some batches and not for others is a bug to name."""
    if all(a is None for a in arrays):
        return None
    if any(a is None for a in arrays):
        raise ValueError(f"the model gave {what} for some batches and not for others")
    return np.concatenate(arrays)  # type: ignore[arg-type]


def score_items(model: Model, items: Sequence[Item], version: str, *, embed: bool = False) -> ScoredBatch:
    """Predict one batch (and embed it, for strategies that rank on embeddings) and reduce it to columns."""
    proposals = model.predict(items)
    if len(proposals) != len(items):
        raise RuntimeError(f"{type(model).__name__}.predict returned {len(proposals)} proposals for {len(items)} items")
    probas = [p.proba for p in proposals]
    proba = np.stack([np.asarray(p, dtype=float) for p in probas]) if probas and all(
        p is not None for p in probas) else None
    embeddings = embeddings_of(model, items) if embed else None
    return ScoredBatch(rows=[p.to_row(it.id, version) for it, p in zip(items, proposals, strict=True)],
                       confidence=np.fromiter((p.confidence for p in proposals), dtype=float, count=len(proposals)),
                       proba=proba, embeddings=embeddings)
