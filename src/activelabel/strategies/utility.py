"""Uncertainty utilities: class probabilities -> one score per item, vectorised, higher = more uncertain.

All take ``(n, c)`` or ``(n, c, d)`` arrays (draws are averaged first) and never loop per row.
"""

from __future__ import annotations

import numpy as np


def _mean_over_draws(proba: np.ndarray) -> np.ndarray:
    if proba.ndim == 3:
        return np.asarray(proba.mean(axis=2))
    if proba.ndim != 2:
        raise ValueError(f"expected probabilities of shape (n, c) or (n, c, d), got {proba.shape}")
    return proba


def least_confidence(proba: np.ndarray) -> np.ndarray:
    """1 - max_c p(c): the chance the top label is wrong."""
    p = _mean_over_draws(proba)
    return np.asarray(1.0 - p.max(axis=1))


def margin(proba: np.ndarray) -> np.ndarray:
    """1 - (p_top1 - p_top2): ties between the best two labels score highest."""
    p = _mean_over_draws(proba)
    if p.shape[1] < 2:
        return np.zeros(p.shape[0])
    top2 = np.partition(p, p.shape[1] - 2, axis=1)[:, -2:]
    return np.asarray(1.0 - (top2[:, 1] - top2[:, 0]))


def entropy(proba: np.ndarray) -> np.ndarray:
    """Shannon entropy in nats; maximal at the uniform distribution."""
    p = _mean_over_draws(proba)
    logs = np.log(p, out=np.zeros(p.shape), where=p > 0)  # 0 log 0 = 0, one pass, no temporaries
    return np.asarray(-np.einsum("ij,ij->i", p, logs))


def confidence_uncertainty(confidence: np.ndarray) -> np.ndarray:
    """For tasks with one item confidence (boxes, entities, transcripts): 1 - confidence."""
    return np.asarray(1.0 - confidence)
