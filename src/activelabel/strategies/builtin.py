"""The built-in strategies of the core loop: random and the three classic uncertainty measures.

Each works for every task: with class probabilities it uses them, otherwise it falls back to the
item confidence that every adapter reports, which is the same quantity for one-label outputs.
"""

from __future__ import annotations

import numpy as np

from activelabel.strategies import utility
from activelabel.strategies.base import PoolView
from activelabel.strategies.select import random_k, top_k
from activelabel.types import Selection


def random(pool: PoolView, k: int, rng: np.random.Generator) -> Selection:
    """Uniform random sampling: the baseline every strategy must beat."""
    return random_k(pool.size, k, rng)


def least_confidence(pool: PoolView, k: int, rng: np.random.Generator) -> Selection:
    """Items whose top proposal is least likely to be right."""
    if pool.proba is not None:
        return top_k(utility.least_confidence(pool.proba), k, rng)
    return top_k(utility.confidence_uncertainty(pool.confidence), k, rng)


def margin(pool: PoolView, k: int, rng: np.random.Generator) -> Selection:
    """Items where the best two labels are closest."""
    if pool.proba is not None:
        return top_k(utility.margin(pool.proba), k, rng)
    return top_k(utility.confidence_uncertainty(pool.confidence), k, rng)


def entropy(pool: PoolView, k: int, rng: np.random.Generator) -> Selection:
    """Items with the most spread-out label distribution."""
    if pool.proba is not None:
        return top_k(utility.entropy(pool.proba), k, rng)
    return top_k(utility.confidence_uncertainty(pool.confidence), k, rng)
