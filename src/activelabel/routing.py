"""Routing one round: auto-accept the confident, audit a sample of them, queue the rest for humans.

The strategy picks the round's human budget; the remainder of the pool follows, ranked by plain
uncertainty and marked ``beyond_budget``, so a person who labels past the budget never sees
"no items left" while unlabeled items remain. Audits are spread evenly through the budget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from activelabel.strategies.base import PoolView, StrategyInfo
from activelabel.strategies.select import top_k


@dataclass(frozen=True)
class RoutingPlan:
    auto: np.ndarray  # pool indices auto-accepted
    queue: np.ndarray  # pool indices in the order humans get them
    reasons: tuple[str, ...]  # per queue entry: the strategy's name, "audit" or "beyond_budget"
    scores: np.ndarray  # per queue entry: the score that placed it
    pool_rank: np.ndarray  # per queue entry: 1-based rank among non-audit candidates (0 for audits)


def route(
    pool: PoolView,
    strategy: StrategyInfo,
    *,
    budget: int,
    rng: np.random.Generator,
    auto_threshold: float | None,
    audit_rate: float,
) -> RoutingPlan:
    """Split the pool; ``auto_threshold=None`` disables auto-accept (cold start, untrusted model)."""
    n = pool.size
    if not 0.0 <= audit_rate <= 1.0:
        raise ValueError(f"audit_rate must be within 0..1, got {audit_rate}")
    auto_mask = np.zeros(n, dtype=bool) if auto_threshold is None else pool.confidence >= auto_threshold
    auto_idx = np.flatnonzero(auto_mask)
    n_audit = min(len(auto_idx), math.ceil(audit_rate * len(auto_idx)))
    audits = np.sort(rng.choice(auto_idx, size=n_audit, replace=False)) if n_audit else np.empty(0, np.int64)

    candidates = np.flatnonzero(~auto_mask)
    sub = _restrict(pool, candidates)
    picked = strategy.fn(sub, min(budget, len(candidates)), rng)
    chosen = candidates[picked.indices]
    rest_mask = np.ones(len(candidates), dtype=bool)
    rest_mask[picked.indices] = False
    rest_local = np.flatnonzero(rest_mask)
    rest_order = top_k(1.0 - sub.confidence[rest_local], len(rest_local), rng)
    rest = candidates[rest_local[rest_order.indices]]

    entries: list[tuple[int, str, float, int]] = []  # (pool index, reason, score, pool rank)

    def add_audit(idx: int) -> None:
        entries.append((idx, "audit", float(pool.confidence[idx]), 0))

    every = max(1, len(chosen) // max(1, len(audits))) if len(audits) else 0
    audit_iter = iter(audits.tolist())
    for pos, (idx, score) in enumerate(zip(chosen.tolist(), picked.scores.tolist())):
        if every and pos % every == 0:
            nxt = next(audit_iter, None)
            if nxt is not None:
                add_audit(nxt)
        entries.append((idx, strategy.name, float(score), pos + 1))
    for nxt in audit_iter:
        add_audit(nxt)
    # the rest of the pool (most of it) follows as arrays: a Python tuple per item cost more than the strategy
    offset = len(chosen)
    queue = np.concatenate([np.asarray([e[0] for e in entries], dtype=np.int64), rest.astype(np.int64)])
    reasons = tuple(e[1] for e in entries) + ("beyond_budget",) * len(rest)
    scores = np.concatenate([np.asarray([e[2] for e in entries], dtype=float),
                             np.asarray(rest_order.scores, dtype=float)])
    ranks = np.concatenate([np.asarray([e[3] for e in entries], dtype=np.int64),
                            np.arange(offset + 1, offset + 1 + len(rest), dtype=np.int64)])
    return RoutingPlan(auto_idx, queue, reasons, scores, ranks)


def _restrict(pool: PoolView, idx: np.ndarray) -> PoolView:
    return PoolView(
        confidence=pool.confidence[idx],
        proba=None if pool.proba is None else pool.proba[idx],
        embeddings=None if pool.embeddings is None else pool.embeddings[idx],
        labeled_embeddings=pool.labeled_embeddings,
        labeled_classes=pool.labeled_classes,
    )
