"""The promotion gate: a new version replaces the current one only if it is no worse on the same items.

Both versions are scored on the evaluation set as it is now (``evaluation_set.py``); the new one
is promoted when its metric is at least the current one's minus ``[loop] promotion_tolerance``.
Otherwise it stays ``ready`` and the decision, kept in the version's metrics under ``gate``,
says why; ``activelabel train --force`` promotes anyway.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.evaluation_set import HeldOut
from activelabel.models.registry import load_model

if TYPE_CHECKING:
    from activelabel.store.records import Version
    from activelabel.workspace import Workspace

FORCE_HINT = "`activelabel train --force` promotes anyway"
# outcomes: promoted ones, and the one that leaves the version ready
FIRST, UNCHECKED, PASSED, FORCED, REFUSED = "first", "unchecked", "passed", "forced", "refused"
EPS = 1e-9  # scores equal up to float rounding count as equal


@dataclass(frozen=True)
class GateDecision:
    """What the gate decided for one version, and the figures it decided on."""

    version: str
    outcome: str
    current: str | None = None  # the version it was compared with
    score: float | None = None  # the new version's metric on the held-out items
    current_score: float | None = None  # the current version's metric on the same items
    n_items: int = 0
    tolerance: float = 0.0

    @property
    def promote(self) -> bool:
        return self.outcome != REFUSED

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GateDecision:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    @property
    def message(self) -> str:
        """One line for people: the two scores, and what happened."""
        n = f"{self.n_items} held-out item{'s' if self.n_items != 1 else ''}"
        compared = (f"{self.version} scored {_fmt(self.score)} on {n}, {self.current} scores "
                    f"{_fmt(self.current_score)} on the same items")
        if self.outcome == REFUSED:
            return f"{compared}; not promoted. {FORCE_HINT}"
        if self.outcome == PASSED:
            return f"{compared}; promoted"
        if self.outcome == FORCED:
            return f"{self.version} promoted by --force, without comparing it with {self.current}"
        if self.outcome == FIRST:
            return f"{self.version} is the first version; promoted"
        return f"{self.version} promoted unchecked: {'no held-out items yet' if not self.n_items else 'no score to compare'}"


def decide(project: Workspace, version: str, metrics: Mapping[str, Any], held: HeldOut, *,
           force: bool = False) -> GateDecision:
    """Compare ``version`` (its ``metrics`` on ``held``) with the current version re-scored on ``held``."""
    current = project.store.current_version()
    tolerance = project.config.loop.promotion_tolerance
    base = GateDecision(version=version, outcome=UNCHECKED, current=current, n_items=len(held.items),
                        tolerance=tolerance, score=_finite(metrics.get("metric")))
    if current is None or current == version:
        return _with(base, outcome=FIRST)
    if force:
        return _with(base, outcome=FORCED)
    if not held.items or base.score is None:
        return base
    current_score = _finite(score_version(project, current, held.items, held.values).get("metric"))
    if current_score is None:
        return base
    passed = base.score >= current_score - tolerance - EPS
    return _with(base, outcome=PASSED if passed else REFUSED, current_score=current_score)


def score_version(project: Workspace, version: str, items: Sequence[Any], values: Sequence[Any]) -> dict[str, Any]:
    """A stored version's held-out metrics on the given items (the version is loaded from its folder)."""
    model = load_model(Path(project.store.get_version(version).path), project.models_dir)
    return dict(model.evaluate(items, values))


def refused(version: Version) -> GateDecision | None:
    """The gate's refusal of a version that is still ``ready``, or None (promoted, or not decided)."""
    decision = gate_of(version)
    if version.status == "ready" and decision is not None and decision.outcome == REFUSED:
        return decision
    return None


def gate_of(version: Version) -> GateDecision | None:
    """The gate decision kept with a version (None for versions trained before the gate, or pretrained)."""
    data = version.metrics.get("gate")
    return GateDecision.from_json(data) if isinstance(data, Mapping) else None


def latest_decision(versions: Sequence[Version]) -> dict[str, Any] | None:
    """The newest gate decision among ``versions`` (oldest first), with its message, for status output."""
    for version in reversed(versions):
        decision = gate_of(version)
        if decision is not None:
            return {**decision.to_json(), "status": version.status, "message": decision.message}
    return None


def _with(decision: GateDecision, **changes: Any) -> GateDecision:
    return replace(decision, **changes)


def _finite(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
