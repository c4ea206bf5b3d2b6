"""A paired comparison of two versions on the same items: is the new one's loss more than noise?

On a small evaluation set one item outweighs any useful tolerance, so the gate does not read a
raw difference of the two metrics alone. It counts the items where the two versions differ (the
discordant pairs of McNemar's test): ``worse``, where the new version scores lower than the
current one, and ``better``, where it scores higher. If the two were equally good, each
discordant item would go either way with probability 1/2; the exact one-sided sign test gives
the chance of at least ``worse`` losses among ``worse + better`` under that assumption.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

TIE = 1e-9  # per-item scores this close count as equal


@dataclass(frozen=True)
class Paired:
    """The discordant items of two versions' per-item scores on the same items."""

    worse: int  # items the new version scores lower on than the current one
    better: int  # items it scores higher on

    @property
    def p_value(self) -> float:
        """P(at least ``worse`` losses of ``worse + better``) if each went either way with probability 1/2."""
        return sign_test_p(self.worse, self.better)


def paired(new: Sequence[float], current: Sequence[float]) -> Paired:
    """Count where the new version's per-item scores are below and above the current one's."""
    if len(new) != len(current):
        raise ValueError(f"per-item scores differ in length: {len(new)} new against {len(current)} current")
    worse = sum(1 for a, b in zip(new, current, strict=True) if a < b - TIE)
    better = sum(1 for a, b in zip(new, current, strict=True) if a > b + TIE)
    return Paired(worse, better)


def sign_test_p(worse: int, better: int) -> float:
    """The exact one-sided sign test: sum over k >= worse of C(n, k) / 2^n, n = worse + better (1.0 if n = 0)."""
    if worse < 0 or better < 0:
        raise ValueError(f"counts must not be negative, got {worse} and {better}")
    n = worse + better
    if n == 0:
        return 1.0
    return sum(math.comb(n, k) for k in range(worse, n + 1)) / (1 << n)  # exact integers, one rounding
