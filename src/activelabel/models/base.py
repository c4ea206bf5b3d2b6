"""The model contract every adapter fulfils (checked by tests/contract/test_models.py).

Adapters follow scikit-learn's conventions: ``__init__`` stores settings, learned state lives in
``name_`` attributes, ``fit`` returns self. Persistence is separate from prediction: ``save`` writes
a folder, ``load`` reads one, and only folders of the project's own model store are ever loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from activelabel.types import Item, Payload, TaskKind, payload_from_json

ProgressFn = Callable[[float, str], None]  # (fraction done, message)


@dataclass(frozen=True, slots=True)
class Proposal:
    """One model output for one item, before it is stamped with a version and stored."""

    value: Payload
    confidence: float  # item-level, 0..1
    proba: np.ndarray | None = None  # (n_classes,) or (n_classes, n_draws)
    parts: tuple[float, ...] = ()  # per box / entity / word confidences
    meta: dict[str, Any] = field(default_factory=dict)

    def to_row(self, item_id: str, model_version: str) -> dict[str, Any]:
        """The one stored shape (predictions table, exports): the score kept beside it is 1 - confidence."""
        confidence = float(self.confidence)
        return {"item_id": item_id, "model_version": model_version, "value": self.value.to_json(),
                "confidence": confidence, "score": 1.0 - confidence, "parts": [float(x) for x in self.parts]}

    @classmethod
    def from_row(cls, row: dict[str, Any], task: TaskKind) -> Proposal:
        """A stored row back as a proposal (class probabilities are not stored, so ``proba`` is None)."""
        return cls(payload_from_json(task, row["value"]), float(row["confidence"]), None,
                   tuple(float(x) for x in row.get("parts") or ()))


@runtime_checkable
class Model(Protocol):
    task: TaskKind
    labels: Sequence[str]

    @property
    def ready(self) -> bool:
        """Whether predict() can run (fitted, or pretrained)."""

    def fit(self, items: Sequence[Item], values: Sequence[Payload], *, progress: ProgressFn | None = None) -> Model: ...

    def predict(self, items: Sequence[Item]) -> list[Proposal]: ...

    def evaluate(self, items: Sequence[Item], values: Sequence[Payload]) -> dict[str, float]:
        """Held-out metrics; the key ``metric`` holds the one the learning curve plots."""

    def save(self, path: Path) -> None: ...


def noop_progress(_fraction: float, _message: str) -> None:
    """Progress sink for callers that do not show progress."""
