"""The strategy contract: what a strategy sees of the pool, and what it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from activelabel.types import Selection


@dataclass(frozen=True)
class PoolView:
    """Everything a strategy may look at, as arrays aligned on the unlabeled pool.

    Only ``confidence`` is always present: every adapter (classes, boxes, entities, transcripts)
    reduces its output to one item confidence. Class probabilities use the canonical shape
    ``(n_items, n_classes)`` or ``(n_items, n_classes, n_draws)`` for MC-dropout and committees.
    """

    confidence: np.ndarray  # (n,)
    proba: np.ndarray | None = None  # (n, c) or (n, c, d)
    embeddings: np.ndarray | None = None  # (n, e)
    labeled_embeddings: np.ndarray | None = None  # (m, e)
    labeled_classes: np.ndarray | None = None  # (m,) int class ids of labeled items

    @property
    def size(self) -> int:
        return int(self.confidence.shape[0])


StrategyFn = Callable[[PoolView, int, np.random.Generator], Selection]


@dataclass(frozen=True)
class StrategyInfo:
    name: str
    fn: StrategyFn
    description: str
    # extra inputs: "proba", "proba_draws", "embeddings", "labeled_embeddings", "labeled_classes"; whether a
    # project's model and task kind give them is checked when its config loads (strategies.check_applicable)
    needs: tuple[str, ...] = ()
