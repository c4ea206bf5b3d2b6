"""Disagreement measures over probability draws ``(n, c, d)``: committee members or MC-dropout passes.

All vectorised over items; ``d`` is the number of members or stochastic forward passes.
"""

from __future__ import annotations

import numpy as np

from activelabel.errors import StrategyNotApplicableError


def _draws(proba: np.ndarray | None, who: str) -> np.ndarray:
    if proba is None or proba.ndim != 3:
        shape = None if proba is None else proba.shape
        raise StrategyNotApplicableError(f"{who} needs probability draws of shape (n, classes, draws) from a committee or "
                         f"MC dropout; the model gives {shape} (for vectors-logreg set model.params.committee)")
    return proba


def _entropy(p: np.ndarray, axis: int) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(p > 0, np.log(np.where(p > 0, p, 1.0)), 0.0)
    return np.asarray(-(p * logs).sum(axis=axis))


def vote_counts(proba: np.ndarray) -> np.ndarray:
    """(n, c): how many draws vote for each class (each draw votes for its argmax)."""
    votes = proba.argmax(axis=1)  # (n, d)
    c = proba.shape[1]
    return np.asarray((votes[:, None, :] == np.arange(c)[None, :, None]).sum(axis=2))


def vote_entropy(proba: np.ndarray) -> np.ndarray:
    """Dagan and Engelson (1995): -sum_c V(c)/D log V(c)/D over hard votes."""
    p = _draws(proba, "vote entropy")
    return _entropy(vote_counts(p) / p.shape[2], axis=1)


def consensus_kl(proba: np.ndarray) -> np.ndarray:
    """McCallum and Nigam (1998): mean over members of KL(p_d || mean p)."""
    p = _draws(proba, "consensus KL")
    mean = p.mean(axis=2, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(p > 0, np.log(np.where(p > 0, p, 1.0)) - np.log(np.where(mean > 0, mean, 1.0)), 0.0)
    return np.asarray((p * ratio).sum(axis=1).mean(axis=1))


def bald(proba: np.ndarray) -> np.ndarray:
    """Houlsby et al. (2011), Gal et al. (2017): H[mean_d p_d] - mean_d H[p_d] (mutual information)."""
    p = _draws(proba, "BALD")
    return np.asarray(_entropy(p.mean(axis=2), axis=1) - _entropy(p, axis=1).mean(axis=1))


def variation_ratio(proba: np.ndarray) -> np.ndarray:
    """Freeman (1965), used with MC dropout by Gal et al. (2017): 1 - (votes for the mode) / D."""
    p = _draws(proba, "MC-dropout variation ratio")
    return np.asarray(1.0 - vote_counts(p).max(axis=1) / p.shape[2])
