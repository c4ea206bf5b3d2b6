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

from activelabel.models.base import Model
from activelabel.types import Item


@dataclass(frozen=True)
class ScoredBatch:
    """Column-wise results for one batch; ``proba`` is None when the model gives no probabilities."""

    ids: list[str]
    values: list[dict[str, Any]]  # Payload.to_json()
    confidence: np.ndarray  # (n,) float64
    parts: list[list[float]]
    proba: np.ndarray | None  # (n, c) or (n, c, d)

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self) -> list[dict[str, Any]]:
        """Rows for ``Store.save_predictions``; the stored score is plain uncertainty, 1 - confidence."""
        return [dict(item_id=i, value=v, confidence=float(c), score=float(1.0 - c), parts=p)
                for i, v, c, p in zip(self.ids, self.values, self.confidence.tolist(), self.parts, strict=True)]

    def to_columns(self) -> dict[str, np.ndarray]:
        """Arrow-friendly columns for Ray Data (JSON text for the nested values)."""
        n = len(self.ids)
        proba = self.proba if self.proba is not None else np.zeros((n, 0))
        return {"item_id": np.array(self.ids, dtype=object),
                "value": np.array([json.dumps(v) for v in self.values], dtype=object),
                "confidence": self.confidence, "parts": np.array([json.dumps(p) for p in self.parts], dtype=object),
                "proba": proba}

    @classmethod
    def from_columns(cls, cols: dict[str, Any]) -> ScoredBatch:
        proba = np.asarray(cols["proba"], dtype=float)
        return cls(ids=[str(i) for i in cols["item_id"]], values=[json.loads(v) for v in cols["value"]],
                   confidence=np.asarray(cols["confidence"], dtype=float),
                   parts=[json.loads(p) for p in cols["parts"]],
                   proba=None if proba.ndim < 2 or proba.shape[1] == 0 else proba)


def score_items(model: Model, items: Sequence[Item]) -> ScoredBatch:
    """Predict one batch and reduce it to columns."""
    proposals = model.predict(items)
    if len(proposals) != len(items):
        raise RuntimeError(f"{type(model).__name__}.predict returned {len(proposals)} proposals for {len(items)} items")
    probas = [p.proba for p in proposals]
    proba = np.stack([np.asarray(p, dtype=float) for p in probas]) if probas and all(
        p is not None for p in probas) else None
    return ScoredBatch(ids=[it.id for it in items], values=[p.value.to_json() for p in proposals],
                       confidence=np.fromiter((p.confidence for p in proposals), dtype=float, count=len(proposals)),
                       parts=[[float(x) for x in p.parts] for p in proposals], proba=proba)
