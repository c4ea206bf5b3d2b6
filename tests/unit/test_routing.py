from __future__ import annotations

import numpy as np

from activelabel.routing import route
from activelabel.strategies import PoolView, get_strategy


def test_route_splits_auto_audit_and_queue():
    rng = np.random.default_rng(0)
    conf = np.concatenate([np.full(50, 0.99), np.linspace(0.5, 0.9, 50)])
    proba = np.stack([conf, 1 - conf], axis=1)
    plan = route(PoolView(confidence=conf, proba=proba), get_strategy("margin"), budget=10, rng=rng,
                 auto_threshold=0.97, audit_rate=0.1)
    assert set(plan.auto.tolist()) == set(range(50))
    audits = [q for q, r in zip(plan.queue.tolist(), plan.reasons) if r == "audit"]
    assert len(audits) == 5 and set(audits) <= set(range(50))
    # every non-auto item is queued exactly once, the budget's picks first
    non_audit = [q for q, r in zip(plan.queue.tolist(), plan.reasons) if r != "audit"]
    assert sorted(non_audit) == list(range(50, 100))
    picked = [q for q, r in zip(plan.queue.tolist(), plan.reasons) if r == "margin"]
    assert len(picked) == 10
    assert min(conf[picked]) <= 0.6  # the least confident were picked


def test_route_without_threshold_auto_accepts_nothing():
    conf = np.full(20, 0.999)
    plan = route(PoolView(confidence=conf), get_strategy("random"), budget=5, rng=np.random.default_rng(0),
                 auto_threshold=None, audit_rate=0.5)
    assert len(plan.auto) == 0 and len(plan.queue) == 20
