"""Stopping advice: when do more labels stop paying?

Two signals, and the advice says stop only when **both** hold:

- *Stabilizing predictions* (Bloodgood and Vijay-Shanker, CoNLL 2009): Cohen's kappa between the
  labels that two successive models predict on a stop set of unlabeled items. Stable once *every*
  one of the last ``window`` (3) comparisons reaches ``kappa_threshold`` (0.99).
- *Low mean uncertainty* (after Zhu et al. 2008), read as the estimated remaining gain: the pool's
  mean of 1 - confidence, i.e. the share of pool items a calibrated model expects to get wrong,
  is below ``uncertainty_threshold`` (0.02).

Measured against learning curves (``benchmarks/stopping_advice.py``, docs/promotion.md): the
earlier rule (mean kappa >= 0.99 over 3 rounds *or* uncertainty < 0.05) fired 0.01 to 0.04
below the final accuracy; kappa on the stop set reaches 1.0 while accuracy still climbs, so the
uncertainty level is the one that places the stop, and requiring both keeps a confident model
whose predictions still change from stopping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

KAPPA_THRESHOLD = 0.99
KAPPA_WINDOW = 3
UNCERTAINTY_THRESHOLD = 0.02


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
    stable: bool  # stabilizing predictions holds
    mean_uncertainty: float | None
    certain: bool  # the estimated remaining gain (mean uncertainty) is below its threshold
    window: int = KAPPA_WINDOW
    kappa_threshold: float = KAPPA_THRESHOLD
    uncertainty_threshold: float = UNCERTAINTY_THRESHOLD

    @property
    def stop(self) -> bool:
        return self.stable and self.certain

    @property
    def text(self) -> str:
        if self.stop:
            return (f"stop: predictions stable (kappa >= {self.kappa_threshold:g} in each of the last {self.window} "
                    f"comparisons) and mean uncertainty below {self.uncertainty_threshold:g}")
        missing = []
        if not self.stable:
            missing.append("predictions not yet stable")
        if not self.certain:
            missing.append(f"mean uncertainty not below {self.uncertainty_threshold:g}")
        return "continue: " + " and ".join(missing)


def advise(kappas: Sequence[float | None], mean_uncertainty: float | None, *, window: int = KAPPA_WINDOW,
           kappa_threshold: float = KAPPA_THRESHOLD,
           uncertainty_threshold: float = UNCERTAINTY_THRESHOLD) -> StopAdvice:
    """Advice after the latest round, from all kappas so far (None where there was no previous model)."""
    recent = [k for k in kappas[-window:] if k is not None and not np.isnan(k)]
    stable = len(kappas) >= window and len(recent) == window and min(recent) >= kappa_threshold
    certain = mean_uncertainty is not None and mean_uncertainty < uncertainty_threshold
    last = kappas[-1] if kappas else None
    return StopAdvice(last, stable, mean_uncertainty, certain, window, kappa_threshold, uncertainty_threshold)
