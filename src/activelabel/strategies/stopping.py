"""Stopping advice: when do more labels stop paying?

Two signals, both reported per round:

- *Stabilizing predictions* (Bloodgood and Vijay-Shanker, CoNLL 2009): Cohen's kappa between the
  labels that two successive models predict on a fixed stop set of unlabeled items. Stop once the
  mean kappa of the last ``window`` (3) comparisons reaches ``threshold`` (0.99).
- *Low mean uncertainty* (Zhu et al. 2008, "max/overall uncertainty"): the pool's mean of
  1 - confidence falls below a threshold (0.05).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

KAPPA_THRESHOLD = 0.99
KAPPA_WINDOW = 3
UNCERTAINTY_THRESHOLD = 0.05


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """kappa = (p_o - p_e) / (1 - p_e) for two label vectors of equal length; 1.0 if both are constant and equal."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"label vectors differ in length: {a.shape} vs {b.shape}")
    if a.size == 0:
        return float("nan")
    cats, inv = np.unique(np.concatenate([a, b]), return_inverse=True)
    ia, ib = inv[: a.size], inv[a.size:]
    p_o = float(np.mean(ia == ib))
    pa = np.bincount(ia, minlength=len(cats)) / a.size
    pb = np.bincount(ib, minlength=len(cats)) / b.size
    p_e = float(pa @ pb)
    if p_e >= 1.0:
        return 1.0 if p_o == 1.0 else 0.0
    return (p_o - p_e) / (1.0 - p_e)


@dataclass(frozen=True)
class StopAdvice:
    kappa: float | None  # agreement with the previous model on the stop set
    stable: bool  # stabilizing predictions says stop
    mean_uncertainty: float | None
    certain: bool  # low mean uncertainty says stop

    @property
    def stop(self) -> bool:
        return self.stable or self.certain

    @property
    def text(self) -> str:
        reasons = []
        if self.stable:
            reasons.append(f"predictions stable (kappa >= {KAPPA_THRESHOLD} over {KAPPA_WINDOW} rounds)")
        if self.certain:
            reasons.append(f"mean uncertainty below {UNCERTAINTY_THRESHOLD}")
        return "stop: " + " and ".join(reasons) if reasons else "continue"


def advise(kappas: Sequence[float | None], mean_uncertainty: float | None, *, window: int = KAPPA_WINDOW,
           kappa_threshold: float = KAPPA_THRESHOLD,
           uncertainty_threshold: float = UNCERTAINTY_THRESHOLD) -> StopAdvice:
    """Advice after the latest round, from all kappas so far (None where there was no previous model)."""
    recent = [k for k in kappas[-window:] if k is not None and not np.isnan(k)]
    stable = len(kappas) >= window and len(recent) == window and float(np.mean(recent)) >= kappa_threshold
    certain = mean_uncertainty is not None and mean_uncertainty < uncertainty_threshold
    last = kappas[-1] if kappas else None
    return StopAdvice(last, stable, mean_uncertainty, certain)
