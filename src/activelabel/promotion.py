"""The promotion gate: a new version replaces the current one only if it is no worse on the same items.

Both versions are scored on the evaluation set as it is now (``evaluation_set.py``). On a small
set one item outweighs any useful tolerance, so a raw difference alone does not refuse: the new
version stays ``ready`` only if its metric is below the current one's minus ``[loop]
promotion_tolerance`` *and* the paired sign test on the same items (``sign_test.py``) finds the
loss unlikely to be noise (p <= ``[loop] promotion_significance``). Below ``[loop]
promotion_min_items`` held-out items the gate promotes and says the set is too small to judge.
The decision, kept in the version's metrics under ``gate``, says why; ``activelabel train
--force`` promotes anyway.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from activelabel.evaluation_set import HeldOut
from activelabel.models.registry import load_model
from activelabel.sign_test import paired

if TYPE_CHECKING:
    from activelabel.models.base import Predictor
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
    worse: int | None = None  # held-out items the new version scores lower on than the current one
    better: int | None = None  # ... and higher on
    p_value: float | None = None  # the one-sided sign test's p for ``worse`` of ``worse + better``
    significance: float = 1.0  # refuse only at p <= this
    min_items: int = 0  # fewer held-out items than this: too small to judge

    @property
    def promote(self) -> bool:
        return self.outcome != REFUSED

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GateDecision:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    @property
    def too_small(self) -> bool:
        """Promoted unchecked because the evaluation set has fewer items than the gate needs."""
        return self.outcome == UNCHECKED and 0 < self.n_items < self.min_items

    @property
    def message(self) -> str:
        """One line for people: the two scores, the paired counts, and what happened."""
        n = f"{self.n_items} held-out item{'s' if self.n_items != 1 else ''}"
        compared = (f"{self.version} scored {_fmt(self.score)} on {n}, {self.current} scores "
                    f"{_fmt(self.current_score)} on the same items")
        if self.worse is not None and self.better is not None:
            compared += f" ({self.version} is worse on {self.worse}, better on {self.better}"
            compared += f", sign test p = {self.p_value:.3f})" if self.p_value is not None else ")"
        if self.outcome == REFUSED:
            return f"{compared}; not promoted. {FORCE_HINT}"
        if self.outcome == PASSED:
            if self.score is not None and self.current_score is not None and \
                    self.score < self.current_score - self.tolerance - EPS:
                return (f"{compared}; promoted: the loss is within noise on these items "
                        f"(p > {self.significance:g})")
            return f"{compared}; promoted"
        if self.outcome == FORCED:
            return f"{self.version} promoted by --force, without comparing it with {self.current}"
        if self.outcome == FIRST:
            return f"{self.version} is the first version; promoted"
        if self.too_small:
            return (f"{self.version} promoted unchecked: {n} are too few to judge "
                    f"([loop] promotion_min_items = {self.min_items})")
        return f"{self.version} promoted unchecked: {'no held-out items yet' if not self.n_items else 'no score to compare'}"


def decide(project: Workspace, version: str, metrics: Mapping[str, Any], held: HeldOut, *,
           model: Predictor | None = None, force: bool = False) -> GateDecision:
    """Compare ``version`` (its ``metrics`` on ``held``) with the current version re-scored on ``held``.

    ``model`` is the new version in memory (else it is loaded from its folder) for the per-item
    scores of the paired test.
    """
    current = project.store.current_version()
    loop = project.config.loop
    base = GateDecision(version=version, outcome=UNCHECKED, current=current, n_items=len(held.items),
                        tolerance=loop.promotion_tolerance, score=_finite(metrics.get("metric")),
                        significance=loop.promotion_significance, min_items=loop.promotion_min_items)
    if current is None or current == version:
        return _with(base, outcome=FIRST)
    if force:
        return _with(base, outcome=FORCED)
    if not held.items or base.score is None or len(held.items) < loop.promotion_min_items:
        return base
    old = _load(project, current)
    current_score = _finite(old.evaluate(held.items, held.values).get("metric"))
    if current_score is None:
        return base
    new = model if model is not None else _load(project, version)
    pair = paired(item_scores(project, new, held), item_scores(project, old, held))
    decided = _with(base, current_score=current_score, worse=pair.worse, better=pair.better, p_value=pair.p_value)
    worse = base.score < current_score - base.tolerance - EPS
    return _with(decided, outcome=REFUSED if worse and pair.p_value <= base.significance else PASSED)


def item_scores(project: Workspace, model: Predictor, held: HeldOut) -> list[float]:
    """Each held-out item's score for the model's prediction (the task's gold score: 1 right, 0 wrong)."""
    spec = project.spec
    return [spec.gold_score(p.value.to_json(), truth.to_json())
            for p, truth in zip(model.predict(held.items), held.values, strict=True)]


def score_version(project: Workspace, version: str, items: Sequence[Any], values: Sequence[Any]) -> dict[str, Any]:
    """A stored version's held-out metrics on the given items (the version is loaded from its folder)."""
    return dict(_load(project, version).evaluate(items, values))


def _load(project: Workspace, version: str) -> Predictor:
    model: Predictor = load_model(Path(project.store.get_version(version).path), project.models_dir)
    return model


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
