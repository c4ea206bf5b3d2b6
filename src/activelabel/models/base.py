"""The model contract every adapter fulfils (checked by tests/contract/test_models.py).

Adapters follow scikit-learn's conventions: ``__init__`` stores settings, learned state lives in
``name_`` attributes, ``fit`` returns self. Persistence is separate from prediction: ``save`` writes
a folder, ``load`` reads one, and only folders of the project's own model store are ever loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

import numpy as np

from activelabel.errors import StrategyNotApplicableError
from activelabel.types import Item, Payload

if TYPE_CHECKING:
    from activelabel.tasks import TaskSpec

ProgressFn = Callable[[float, str], None]  # (fraction done, message)


@dataclass(frozen=True, slots=True)
class Prediction:
    """One model output for one item: the one shape from the adapter to the store (``to_row`` /
    ``from_row``) and on to exports, so a prediction never changes form on the way."""

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
    def from_row(cls, row: dict[str, Any], spec: TaskSpec) -> Prediction:
        """A stored row back as a proposal (class probabilities are not stored, so ``proba`` is None)."""
        return cls(spec.payload(row["value"]), float(row["confidence"]), None,
                   tuple(float(x) for x in row.get("parts") or ()))


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What an adapter's outputs hold, declared once per class so nobody probes models for methods.

    ``proba``: proposals carry class probabilities; ``draws``: those come as (n_classes, n_draws)
    from a committee or MC dropout; ``embeddings``: the adapter has ``embed``; ``warm_start``:
    retraining continues from the current version instead of starting fresh.
    """

    proba: bool
    draws: bool
    embeddings: bool
    warm_start: bool

    def lacks(self, needs: Sequence[str]) -> list[str]:
        """The capabilities named by a strategy's ``needs`` that these do not have."""
        have = {"proba": self.proba, "draws": self.draws, "embeddings": self.embeddings}
        missing = [cap for need in needs if (cap := NEED_TO_CAPABILITY.get(need)) and not have[cap]]
        return list(dict.fromkeys(missing))


# a strategy's ``needs`` -> the capability that supplies it (labeled_classes come from the answers)
NEED_TO_CAPABILITY: dict[str, str] = {
    "proba": "proba", "proba_draws": "draws", "embeddings": "embeddings", "labeled_embeddings": "embeddings",
}


@runtime_checkable
class Predictor(Protocol):
    """Proposes values for items; every adapter is one."""

    task: str
    labels: Sequence[str]
    capabilities: ClassVar[Capabilities]

    @property
    def ready(self) -> bool:
        """Whether predict() can run (fitted, or pretrained)."""

    def predict(self, items: Sequence[Item]) -> list[Prediction]: ...

    def evaluate(self, items: Sequence[Item], values: Sequence[Payload]) -> dict[str, float]:
        """Held-out metrics; the key ``metric`` holds the one the learning curve plots."""


@runtime_checkable
class Trainable(Protocol):
    """Learns from the human answers; the class says how training should drive it."""

    rehearses: ClassVar[bool]  # fit takes ``unlabeled=`` pool items to rehearse on, so it does not forget

    def fit(self, items: Sequence[Item], values: Sequence[Payload], *, progress: ProgressFn | None = None) -> Trainable: ...


@runtime_checkable
class Embedder(Protocol):
    """Gives one feature row per item, for diversity strategies (``capabilities.embeddings``)."""

    def embed(self, items: Sequence[Item]) -> np.ndarray: ...


def embeddings_of(model: object, items: Sequence[Item]) -> np.ndarray:
    """A model's embeddings of ``items``; a model declared without them is refused by name."""
    if not isinstance(model, Embedder):
        raise StrategyNotApplicableError(f"{type(model).__name__} gives no embeddings; choose a strategy that "
                                         "needs none (margin, entropy, least_confidence)")
    return np.asarray(model.embed(items))


@runtime_checkable
class Persistable(Protocol):
    """Writes a version folder and reads one back (only from the project's own model store)."""

    def save(self, path: Path) -> None: ...

    @classmethod
    def load(cls, path: Path) -> Any: ...


@runtime_checkable
class Model(Predictor, Trainable, Persistable, Protocol):
    """What the loop and training use: predict, fit, save/load. ``embed`` is there iff ``capabilities.embeddings``."""


def check_auto_or_count(key: str, value: object) -> None:
    """Settings such as epochs are ``"auto"`` (the adapter scales them with the answers) or a count."""
    from activelabel.errors import ConfigError

    if value != "auto" and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ConfigError(f"model.params.{key}: {value!r} is neither \"auto\" nor a whole number >= 1")


def noop_progress(_fraction: float, _message: str) -> None:
    """Progress sink for callers that do not show progress."""
