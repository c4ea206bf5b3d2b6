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

from activelabel.types import Item, Payload

ProgressFn = Callable[[float, str], None]  # (fraction done, message)


@dataclass(frozen=True, slots=True)
class Proposal:
    """One model output for one item, before it is stamped with a version and stored."""

    value: Payload
    confidence: float  # item-level, 0..1
    proba: np.ndarray | None = None  # (n_classes,) or (n_classes, n_draws)
    parts: tuple[float, ...] = ()  # per box / entity / word confidences
    meta: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Model(Protocol):
    task: str
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
